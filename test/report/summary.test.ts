import { formatGithub } from "../../src/report/github";
import { formatJson } from "../../src/report/json";
import { formatJunit } from "../../src/report/junit";
import { formatSarif } from "../../src/report/sarif";
import { plural, summaryLine } from "../../src/report/summary";
import { formatText } from "../../src/report/text";
import { finding, report } from "./sample";

/** What lint found besides templates is counted in every format, in the same words. */
const LINTED = report({ findings: [finding()], filesScanned: 1, inputs: { kind: "template", skipped: 28 } });
const LINE = "1 finding (0 critical, 1 high, 0 medium, 0 low, 0 info) in 1 template, 0 suppressed, 28 non-template files skipped";

describe("the summary", () => {
  it("counts templates and the files skipped as not templates, in the singular where it is one", () => {
    expect(summaryLine(LINTED)).toBe(LINE);
    expect(summaryLine(report({ filesScanned: 12, inputs: { kind: "template", skipped: 1 } }))).toBe(
      "0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 12 templates, 0 suppressed, 1 non-template file skipped",
    );
    // Nothing skipped, nothing said; other commands count files.
    expect(summaryLine(report({ filesScanned: 2, inputs: { kind: "template", skipped: 0 } }))).toMatch(/ in 2 templates, 0 suppressed$/);
    expect(summaryLine(report({ filesScanned: 1 }))).toMatch(/ in 1 file, 0 suppressed$/);
    expect([plural(0, "rule"), plural(1, "rule"), plural(2, "rule")]).toEqual(["0 rules", "1 rule", "2 rules"]);
  });

  it("is in every format", () => {
    expect(formatText(LINTED).trimEnd().split("\n").pop()).toBe(LINE);
    expect(formatGithub(LINTED).trimEnd().split("\n").pop()).toBe(LINE);
    expect(formatJunit(LINTED)).toContain(`<!-- ${LINE} -->`);
    expect(JSON.parse(formatJson(LINTED)).summary).toMatchObject({ filesScanned: 1, filesSkipped: 28 });
    expect(JSON.parse(formatSarif(LINTED)).runs[0].invocations[0].properties).toEqual({ summary: LINE, filesScanned: 1, filesSkipped: 28 });
  });
});
