import { formatText, summaryLine } from "../../src/report/text";
import { finding, mixedReport, report } from "./sample";

describe("text report", () => {
  it("prints one line per finding sorted by file then line, errors, then a summary", () => {
    expect(formatText(mixedReport())).toBe(
      [
        "templates/api.json:4:3  critical  sg-ingress-open-to-world (W2)  Port 3389 open",
        "templates/web.yaml:12:9  high      sg-ingress-open-to-world (W2)  Security group ingress allows 0.0.0.0/0 on port 22",
        "templates/web.yaml:30:5  medium    s3-bucket-encryption  Bucket Logs has no encryption",
        "templates/broken.yaml:3:7  error     bad indentation of a mapping entry",
        "",
        "3 findings (1 critical, 1 high, 1 medium, 0 low, 0 info) in 3 files, 1 suppressed, 1 error",
        "",
      ].join("\n"),
    );
  });

  it("has no colour unless asked, and colours severities when asked", () => {
    expect(formatText(mixedReport())).not.toContain("\u001b[");
    const coloured = formatText(mixedReport(), { color: true });
    expect(coloured).toContain("\u001b[1;31mcritical\u001b[0m");
    expect(coloured).toContain("\u001b[31mhigh    \u001b[0m");
  });

  it("reports a clean run with only the summary", () => {
    expect(formatText(report({ filesScanned: 1 }))).toBe("0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 1 file, 0 suppressed\n");
  });

  it("omits unknown line and column and sorts such findings after positioned ones", () => {
    const out = formatText(report({ findings: [finding({ line: undefined, column: undefined, location: { file: "a.yaml", pointer: "" } }), finding({ file: "a.yaml", line: 2, column: 1 })] }));
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^a\.yaml:2:1  /);
    expect(lines[1]).toMatch(/^a\.yaml  high/);
  });

  it("cannot be tricked into forging lines or terminal escapes by untrusted text", () => {
    const out = formatText(report({ findings: [finding({ message: "evil\nfake.yaml:1:1  critical  x  y\u001b[2J\u202e" })] }));
    expect(out.split("\n")).toHaveLength(4); // finding, blank, summary, final newline
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("\u202e");
  });

  it("uses singular nouns for one", () => {
    expect(summaryLine(report({ findings: [finding()], filesScanned: 1 }))).toBe(
      "1 finding (0 critical, 1 high, 0 medium, 0 low, 0 info) in 1 file, 0 suppressed",
    );
  });

  it("shows the cfn_nag ids a rule stands for beside its id, dimmed in colour", () => {
    const two = finding({ references: { cfnNag: ["W9", "W2"] } });
    expect(formatText(report({ findings: [two] })).split("\n")[0]).toBe(
      "templates/web.yaml:12:9  high      sg-ingress-open-to-world (W9,W2)  Security group ingress allows 0.0.0.0/0 on port 22",
    );
    expect(formatText(report({ findings: [finding({ references: {} })] })).split("\n")[0]).toContain("  sg-ingress-open-to-world  Security");
    expect(formatText(report({ findings: [finding()] }), { color: true })).toContain("sg-ingress-open-to-world \u001b[2m(W2)\u001b[0m  Security");
  });
});
