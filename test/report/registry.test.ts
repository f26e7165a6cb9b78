import { formatReport, getFormatter, REPORT_FORMATS } from "../../src/report";
import { UserError } from "../../src/util/errors";
import { mixedReport } from "./sample";

describe("formatter registry", () => {
  it("has a formatter for every advertised format, each a pure function of the report", () => {
    for (const name of REPORT_FORMATS) {
      const input = mixedReport();
      const snapshot = JSON.stringify(input);
      const first = formatReport(name, input);
      expect(typeof first).toBe("string");
      expect(formatReport(name, input)).toBe(first);
      expect(JSON.stringify(input)).toBe(snapshot); // the report is not mutated (sorting works on copies)
    }
  });

  it("rejects an unknown format with a one-line usage error", () => {
    expect(() => getFormatter("xml")).toThrow(UserError);
    expect(() => getFormatter("xml")).toThrow('unknown report format "xml" (expected one of: text, json, sarif, junit, github)');
  });
});
