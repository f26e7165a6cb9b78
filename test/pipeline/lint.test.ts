import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultConfiguration } from "../../src/engine/config";
import { loadRules } from "../../src/engine/loader";
import { lintPaths, STDIN_NAME, type LintFileOutcome } from "../../src/pipeline/lint";

const { ruleSet } = loadRules({ config: defaultConfiguration() });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "parapet-lint-pipeline-"));
  mkdirSync(path.join(dir, "stack"));
  const files: Record<string, string> = {
    "stack/queue.yaml": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    "stack/broken.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n",
    "stack/package.json": '{"name": "stack", "version": "1.0.0"}',
    "stack/buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [make]\n",
    "stack/empty.yaml": "",
    "stack/Stack.assets.json": '{"version": "36.0.0", "files": {}}',
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rel = (file: string) => path.relative(dir, file);

describe("lintPaths on a directory that holds more than templates", () => {
  it("lints the templates, reports the broken one, and counts the rest as skipped without a finding", () => {
    const { report, notes } = lintPaths([path.join(dir, "stack")], { ruleSet });
    expect(report.filesScanned).toBe(2);
    expect(report.inputs).toEqual({ kind: "template", skipped: 4 });
    expect([...new Set(report.findings.map((f) => rel(f.location.file)))].sort()).toEqual(["stack/broken.yaml", "stack/queue.yaml"]);
    const invalid = report.findings.filter((f) => f.ruleId === "template-invalid");
    expect(invalid.map((f) => rel(f.location.file))).toEqual(["stack/broken.yaml"]);
    expect(invalid[0]?.location.line).toBeGreaterThanOrEqual(5);
    expect(report.errors).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("notes a named file that is not a template (and skips it) instead of failing it", () => {
    const named = path.join(dir, "stack/package.json");
    const { report, notes } = lintPaths([named, path.join(dir, "stack/queue.yaml")], { ruleSet });
    expect(report.findings.map((f) => rel(f.location.file))).not.toContain("stack/package.json");
    expect(report.inputs).toEqual({ kind: "template", skipped: 1 });
    expect(notes).toEqual([`${named}: not a CloudFormation template (no top-level Resources or AWSTemplateFormatVersion), skipped`]);
  });

  it("reports a missing path as an input error and lints the others", () => {
    const missing = path.join(dir, "nope");
    const { report } = lintPaths([missing, path.join(dir, "stack/queue.yaml")], { ruleSet });
    expect(report.errors).toEqual([{ file: missing, message: "no such file or directory" }]);
    expect(report.filesScanned).toBe(1);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it("lints stdin's text under its name, and applies forced excludes to that name", () => {
    const text = readFileSync(path.join(dir, "stack/queue.yaml"), "utf8");
    const named = lintPaths(["-"], { ruleSet, stdin: { text, name: "infra/queue.yaml" } }).report;
    expect(named.filesScanned).toBe(1);
    expect(new Set(named.findings.map((f) => f.location.file))).toEqual(new Set(["infra/queue.yaml"]));
    expect(lintPaths(["-"], { ruleSet, stdin: { text, name: STDIN_NAME } }).report.findings[0]?.location.file).toBe("<stdin>");
    const exclude = [{ patterns: ["infra/"], base: process.cwd(), origin: "--exclude" }];
    expect(lintPaths(["-"], { ruleSet, stdin: { text, name: "infra/queue.yaml" }, exclude }).report.filesScanned).toBe(1);
    const forced = lintPaths(["-"], { ruleSet, stdin: { text, name: "infra/queue.yaml" }, exclude, forceExclude: true });
    expect(forced.report.filesScanned).toBe(0);
    expect(forced.notes).toEqual(["infra/queue.yaml: excluded by --exclude, not linted"]);
  });

  it("tells the progress callbacks the total first, then each file's outcome", () => {
    const events: (number | LintFileOutcome)[] = [];
    lintPaths([path.join(dir, "stack")], { ruleSet, onStart: (n) => events.push(n), onFile: (o) => events.push({ ...o, file: rel(o.file) }) });
    expect(events[0]).toBe(6);
    expect(events.slice(1)).toHaveLength(6);
    expect(events).toContainEqual({ file: "stack/package.json", template: false, findings: 0 });
    expect(events).toContainEqual(expect.objectContaining({ file: "stack/broken.yaml", template: true }));
  });
});
