import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { formatSarif, toArtifactUri } from "../../src/report/sarif";
import { findingFingerprint, type SourceRoot } from "../../src/report/sourceRoot";
import { RULES, finding, mixedReport, report, suppressed as suppressedEntry } from "./sample";

// The SARIF 2.1.0 schema as shipped by the npm package @microsoft/jest-sarif (lib/schemas/sarif-2.1.0-rtm.5.json,
// MIT); it is a draft-04 schema, hence ajv-draft-04.
const schema = JSON.parse(readFileSync(join(__dirname, "../fixtures/sarif-schema-2.1.0.json"), "utf8"));
// `unicodeRegExp: false`: the schema's `language` pattern has a stray `]` that only the `u` flag rejects.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValid(text: string): any {
  const log = JSON.parse(text);
  const ok = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  return log;
}

describe("sarif report", () => {
  it("is valid SARIF 2.1.0 for a mixed report", () => {
    expectValid(formatSarif(mixedReport()));
  });

  it("is valid for an empty report and for awkward inputs", () => {
    expectValid(formatSarif(report({ rules: [] })));
    expectValid(
      formatSarif(
        report({
          findings: [
            finding({ line: undefined, column: undefined, location: { file: "<stdin>", pointer: "" } }),
            finding({ file: "s3://bucket/AWSLogs/1/a b%.json.gz", message: "" }),
            finding({ file: "/abs/dir with space/t.yaml", ruleId: "not-in-rules", title: "Unknown rule" }),
            finding({ file: "C:\\repo\\t.yaml", message: "quote \" <tag> & ünïcode 🚀" }),
          ],
        }),
      ),
    );
  });

  it("has a validator that rejects what GitHub would reject", () => {
    const log = JSON.parse(formatSarif(mixedReport()));
    log.runs[0].results[0].level = "critical";
    delete log.runs[0].tool.driver.name;
    expect(validate(log)).toBe(false);
  });

  it("describes rules as GitHub code scanning shows them", () => {
    const log = expectValid(formatSarif(mixedReport()));
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual(["s3-bucket-encryption", "sg-ingress-open-to-world"]);
    expect(rules[1]).toEqual({
      id: "sg-ingress-open-to-world",
      name: "SecurityGroupIngressOpenToTheWorld",
      shortDescription: { text: "Security group ingress open to the world" },
      fullDescription: { text: "An ingress rule allows traffic from any IPv4 address." },
      help: {
        text: "An ingress rule allows traffic from any IPv4 address.\n\nRemediation: Restrict CidrIp to known networks.\n\ncfn_nag: W2\n\nAWS Config: restricted-ssh\n\nhttps://example.com/rules/sg",
        markdown:
          "**Security group ingress open to the world**\n\nAn ingress rule allows traffic from any IPv4 address.\n\n**Remediation:** Restrict CidrIp to known networks.\n\n**References**\n\n- cfn_nag: `W2`\n- AWS Config: `restricted-ssh`\n- <https://example.com/rules/sg>",
      },
      helpUri: "https://example.com/rules/sg-ingress-open-to-world",
      defaultConfiguration: { level: "error" },
      properties: { tags: ["security", "network", "cfn_nag/W2"], severity: "high", "security-severity": "8.0" },
    });
    expect(rules[0].defaultConfiguration.level).toBe("warning");
  });

  it("maps severities to levels, points at the rule by index, and carries location and fingerprint", () => {
    const log = expectValid(formatSarif(mixedReport()));
    const run = log.runs[0];
    const [first, second, third, suppressed] = run.results;
    expect(first.level).toBe("error"); // critical
    expect(third.level).toBe("warning"); // medium
    expect(run.tool.driver.rules[third.ruleIndex].id).toBe(third.ruleId);
    expect(first.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "templates/api.json" }, region: { startLine: 4, startColumn: 3 } });
    expect(first.partialFingerprints["parapetFinding/v2"]).toMatch(/^[0-9a-f]{32}$/);
    expect(second.suppressions).toBeUndefined();
    expect(suppressed.suppressions).toEqual([{ kind: "inSource", status: "accepted", justification: "public web server" }]);
    // Declared outside the template (configuration, baseline): external.
    for (const origin of ["configuration", "baseline"] as const) {
      const external = JSON.parse(formatSarif(report({ suppressed: [suppressedEntry(finding(), origin, "config exception #1")] }))).runs[0].results[0];
      expect(external.suppressions[0].kind).toBe("external");
    }
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toBe("bad indentation of a mapping entry");
  });

  it("maps low and info to note and omits the region when the line is unknown", () => {
    const log = expectValid(
      formatSarif(report({ findings: [finding({ severity: "low" }), finding({ severity: "info", line: undefined, column: undefined, location: { file: "x.yaml", pointer: "" } })] })),
    );
    expect(log.runs[0].results.map((r: any) => r.level)).toEqual(["note", "note"]);
    const noLine = log.runs[0].results.find((r: any) => r.locations[0].physicalLocation.artifactLocation.uri === "x.yaml");
    expect(noLine.locations[0].physicalLocation.region).toBeUndefined();
  });

  it("keeps the fingerprint when only the line moves", () => {
    const a = JSON.parse(formatSarif(report({ findings: [finding({ line: 3 })] })));
    const b = JSON.parse(formatSarif(report({ findings: [finding({ line: 30 })] })));
    expect(a.runs[0].results[0].partialFingerprints).toEqual(b.runs[0].results[0].partialFingerprints);
  });

  it("turns paths into URIs", () => {
    expect(toArtifactUri("./templates/a b.yaml")).toBe("templates/a%20b.yaml");
    expect(toArtifactUri("/work/t.yaml")).toBe("file:///work/t.yaml");
    expect(toArtifactUri("C:\\r\\t.yaml")).toBe("file:///C:/r/t.yaml");
    expect(toArtifactUri("s3://b/k 1%.gz")).toBe("s3://b/k%201%25.gz");
    expect(toArtifactUri("<stdin>")).toBe("%3Cstdin%3E");
  });

  describe("with a source root (the repository root)", () => {
    const fromRoot: SourceRoot = { dir: "/repo", cwd: "/repo" };
    const fromSubdir: SourceRoot = { dir: "/repo", cwd: "/repo/infra" };

    it("names files relative to it, against %SRCROOT%, which the run declares", () => {
      const log = expectValid(formatSarif(report({ findings: [finding({ file: "stacks/a b.yaml" })] }), { sourceRoot: { dir: "/repo", cwd: "/repo/infra" } }));
      const run = log.runs[0];
      expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "infra/stacks/a%20b.yaml", uriBaseId: "%SRCROOT%" });
      expect(run.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/", description: { text: "The repository root." } } });
    });

    it("gives the same URI and fingerprint whichever directory the paths were relative to", () => {
      const a = JSON.parse(formatSarif(report({ findings: [finding({ file: "infra/web.yaml" })] }), { sourceRoot: fromRoot })).runs[0].results[0];
      const b = JSON.parse(formatSarif(report({ findings: [finding({ file: "web.yaml" })] }), { sourceRoot: fromSubdir })).runs[0].results[0];
      const c = JSON.parse(formatSarif(report({ findings: [finding({ file: "/repo/infra/web.yaml" })] }), { sourceRoot: fromSubdir })).runs[0].results[0];
      expect(a.locations).toEqual(b.locations);
      expect(a.locations).toEqual(c.locations);
      expect(a.partialFingerprints).toEqual(b.partialFingerprints);
      expect(a.partialFingerprints).toEqual(c.partialFingerprints);
      // The baseline's fingerprint, not a second definition of a finding's identity.
      expect(a.partialFingerprints["parapetFinding/v2"]).toBe(findingFingerprint(finding({ file: "web.yaml" }), fromSubdir));
    });

    it("changes the fingerprint with what the finding is, not with its line", () => {
      const fp = (f: ReturnType<typeof finding>) => JSON.parse(formatSarif(report({ findings: [f] }), { sourceRoot: fromRoot })).runs[0].results[0].partialFingerprints["parapetFinding/v2"];
      expect(fp(finding({ line: 3 }))).toBe(fp(finding({ line: 40 })));
      expect(fp(finding())).not.toBe(fp(finding({ file: "templates/other.yaml" })));
      expect(fp(finding())).not.toBe(fp(finding({ message: "Security group ingress allows 0.0.0.0/0 on port 3389" })));
      expect(fp(finding())).not.toBe(fp(finding({ subject: { type: "AWS::EC2::SecurityGroupIngress", id: "OtherSg", source: "template" } })));
    });

    it("gives files outside the root an absolute URI and leaves S3 objects and labels alone", () => {
      const log = expectValid(
        formatSarif(
          report({
            findings: [finding({ file: "../elsewhere/t.yaml" }), finding({ file: "s3://bucket/AWSLogs/x.json.gz" }), finding({ file: "<stdin>", line: undefined, column: undefined })],
            errors: [{ file: "broken.yaml", line: 2, message: "bad" }],
          }),
          { sourceRoot: fromRoot },
        ),
      );
      const run = log.runs[0];
      const locations = run.results.map((r: any) => r.locations[0].physicalLocation.artifactLocation);
      expect(locations).toEqual(expect.arrayContaining([{ uri: "file:///elsewhere/t.yaml" }, { uri: "s3://bucket/AWSLogs/x.json.gz" }, { uri: "%3Cstdin%3E" }]));
      expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "broken.yaml", uriBaseId: "%SRCROOT%" });
    });
  });

  it("describes only the rules with results, unless asked for all", () => {
    const only = JSON.parse(formatSarif(report({ findings: [finding()] }))).runs[0].tool.driver.rules;
    expect(only.map((r: any) => r.id)).toEqual(["sg-ingress-open-to-world"]);
    const suppressedOnly = JSON.parse(formatSarif(report({ suppressed: [{ finding: finding({ ruleId: "s3-bucket-encryption" }), origin: "template", by: "a.yaml:3:5", reason: "r" }] })));
    expect(suppressedOnly.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(["s3-bucket-encryption"]);
    const all = expectValid(formatSarif(report({ findings: [finding()] }), { allRules: true })).runs[0];
    expect(all.tool.driver.rules.map((r: any) => r.id)).toEqual(RULES.map((r) => r.id).sort());
    expect(all.results[0].ruleIndex).toBe(all.tool.driver.rules.findIndex((r: any) => r.id === "sg-ingress-open-to-world"));
    expect(expectValid(formatSarif(report({ rules: RULES }))).runs[0].tool.driver.rules).toEqual([]);
  });
});
