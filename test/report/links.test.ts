import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfiguration, loadRules } from "../../src/engine";
import { PACKAGE_ROOT } from "../../src/paths";
import { buildReport } from "../../src/pipeline/report";
import { githubRepositoryUrl, headingAnchor, README_URL, REPOSITORY_URL, ruleDocumentationUrl } from "../../src/report/links";

const CUSTOM_RULE = `id: queue-retention-short
title: Queue keeps messages too briefly
severity: low
description: Messages expire too soon.
remediation: Keep them a day.
types: [AWS::SQS::Queue]
match: { path: properties.MessageRetentionPeriod, op: lt, value: 86400 }
message: "{{id}} keeps messages briefly"
tests:
  pass: [{ subject: { properties: { MessageRetentionPeriod: 86400 } } }]
  fail: [{ subject: { properties: { MessageRetentionPeriod: 60 } } }]
`;

describe("documentation links", () => {
  it("reads the repository from package.json, whichever way it is spelled", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8"));
    const declared = typeof manifest.repository === "string" ? manifest.repository : (manifest.repository?.url ?? manifest.homepage);
    if (declared) expect(REPOSITORY_URL).toBe(githubRepositoryUrl(declared));
    expect(REPOSITORY_URL).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(README_URL).toBe(`${REPOSITORY_URL}#readme`);
    for (const spec of ["git+https://github.com/o/r.git", "https://github.com/o/r", "github.com/o/r", "github:o/r", "o/r", "git@github.com:o/r.git", "https://github.com/o/r#readme"]) {
      expect(githubRepositoryUrl(spec)).toBe("https://github.com/o/r");
    }
    expect(githubRepositoryUrl("https://gitlab.com/o/r")).toBeUndefined();
    expect(githubRepositoryUrl(undefined)).toBeUndefined();
  });

  it("links every built-in rule to its heading in docs/rules.md, and custom rules to nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "parapet-links-"));
    try {
      writeFileSync(join(dir, "queue-retention-short.yaml"), CUSTOM_RULE);
      const { ruleSet } = loadRules({ config: defaultConfiguration(), ruleDirs: [dir], includeBuiltin: true, lazy: true });
      const report = buildReport(ruleSet, { findings: [], suppressed: [], errors: [], filesScanned: 0 });
      expect(report.tool.informationUri).toBe(README_URL);
      const docs = readFileSync(join(PACKAGE_ROOT, "docs/rules.md"), "utf8");
      const anchors = new Set([...docs.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1]!)));
      const builtin = report.rules.filter((r) => r.id !== "queue-retention-short");
      expect(builtin.length).toBeGreaterThan(100);
      for (const rule of builtin) {
        expect(rule.helpUri).toBe(ruleDocumentationUrl(rule.id));
        expect(anchors.has(rule.helpUri!.split("#")[1]!)).toBe(true);
      }
      expect(report.rules.find((r) => r.id === "queue-retention-short")!.helpUri).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes anchors the way GitHub does", () => {
    expect(headingAnchor("s3-bucket-no-public-read-write-acl")).toBe("s3-bucket-no-public-read-write-acl");
    expect(headingAnchor("Rules: S3 & IAM_v2")).toBe("rules-s3--iam_v2");
  });
});
