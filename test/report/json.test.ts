import { formatJson } from "../../src/report/json";
import { finding, mixedReport, report } from "./sample";

describe("json report", () => {
  it("gives per finding the rule id, cfn_nag ids, logical id and position, sorted", () => {
    const doc = JSON.parse(formatJson(mixedReport()));
    expect(doc.summary).toEqual({
      findings: 3,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 0, info: 0 },
      suppressed: 1,
      errors: 1,
      filesScanned: 3,
      filesSkipped: 0,
    });
    expect(doc.findings.map((f: any) => `${f.file}:${f.line}`)).toEqual(["templates/api.json:4", "templates/web.yaml:12", "templates/web.yaml:30"]);
    expect(doc.findings[1]).toEqual({
      ruleId: "sg-ingress-open-to-world",
      cfnNag: ["W2"],
      severity: "high",
      title: "Security group ingress open to the world",
      message: "Security group ingress allows 0.0.0.0/0 on port 22",
      logicalResourceId: "WebSg",
      resource: { type: "AWS::EC2::SecurityGroupIngress", id: "WebSg", source: "template" },
      file: "templates/web.yaml",
      line: 12,
      column: 9,
      pointer: "/Resources/WebSg/Properties/SecurityGroupIngress/0",
      evidence: [{ path: "properties.CidrIp", op: "publicCidr", actual: ["0.0.0.0/0"] }],
      references: { cfnNag: ["W2"] },
    });
    expect(doc.suppressed[0].suppression).toEqual({ origin: "template", by: "templates/api.json:12:7", reason: "public web server" });
    expect(doc.errors).toEqual([{ file: "templates/broken.yaml", line: 3, column: 7, message: "bad indentation of a mapping entry" }]);
  });

  it("is byte-identical whatever order findings and evidence keys arrive in", () => {
    const a = mixedReport();
    const b = mixedReport();
    b.findings.reverse();
    b.findings[0]!.evidence = [{ path: "p", op: "eq", actual: { z: 1, a: { y: 2, b: 3 } } }];
    a.findings[a.findings.length - 1]!.evidence = [{ path: "p", op: "eq", actual: { a: { b: 3, y: 2 }, z: 1 } }];
    expect(formatJson(a)).toBe(formatJson(b));
  });

  it("uses null for unknown positions and for non-template logical ids", () => {
    const doc = JSON.parse(
      formatJson(report({ findings: [finding({ line: undefined, column: undefined, location: { file: "s3://b/k", pointer: "/Records/0" }, subject: { type: "AWS::EC2::Instance", id: "i-1", source: "cloudtrail" } })] })),
    );
    expect(doc.findings[0]).toMatchObject({ line: null, column: null, logicalResourceId: null, cfnNag: ["W2"] });
  });

  it("survives a __proto__ key and cycles in evidence", () => {
    const actual: any = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    const out = formatJson(report({ findings: [finding({ evidence: [{ path: "p", op: "eq", actual }, { path: "q", op: "eq", actual: cyclic }] })] }));
    const doc = JSON.parse(out);
    expect(Object.keys(doc.findings[0].evidence[0].actual)).toEqual(["__proto__", "ok"]);
    expect(doc.findings[0].evidence[1].actual).toEqual({ a: 1, self: "[…]" });
    expect(({} as any).polluted).toBeUndefined();
  });

  it("is an empty, valid document when there is nothing to report", () => {
    const doc = JSON.parse(formatJson(report()));
    expect(doc).toMatchObject({ version: 1, findings: [], suppressed: [], errors: [], tool: { name: "parapet", version: "0.1.0" } });
  });
});
