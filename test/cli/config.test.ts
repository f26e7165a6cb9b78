import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../../src/paths";
import { runCli } from "../helpers/cli";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";

// Each test spawns the CLI a few times.
jest.setTimeout(30_000);

/** Typos in what a team keeps in its repository are errors, one line each; and the sample policy is what makes the samples' policy findings. */
const dir = mkdtempSync(path.join(tmpdir(), "parapet-cli-config-"));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const ruleFile = (id: string, overrides: Record<string, string> = {}) =>
  [
    `id: ${id}`,
    "title: Queue keeps messages too briefly",
    "severity: low",
    "description: Messages expire before consumers can recover.",
    "remediation: Set MessageRetentionPeriod to at least a day.",
    `types: [${overrides.types ?? "AWS::SQS::Queue"}]`,
    `match: { path: properties.MessageRetentionPeriod, op: ${overrides.op ?? "lt"}, value: ${overrides.value ?? "86400"} }`,
    `message: "${overrides.message ?? "{{id}} keeps messages {{properties.MessageRetentionPeriod}} s"}"`,
    "tests:",
    "  pass: [{ subject: { properties: { MessageRetentionPeriod: 86400 } } }]",
    "  fail: [{ subject: { properties: { MessageRetentionPeriod: 60 } } }]",
    "",
  ].join("\n");

const bucketTemplate = write("templates/bucket.yaml", "Conditions:\n  IsProd: !Equals [a, a]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n");
const queueTemplate = write("templates/queue.yaml", "Conditions:\n  HasDlq: !Equals [a, b]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n");

describe("condition names in --conditions", () => {
  it("a name that no linted template declares is an error; one any template declares is not", async () => {
    const known = write("known.json", JSON.stringify({ IsProd: false, HasDlq: true }));
    expect((await runCli(["lint", bucketTemplate, queueTemplate, "--conditions", known, "--fail-on", "none"])).code).toBe(0);
    const typo = write("typo.json", JSON.stringify({ IsProd: false, IsProduction: true }));
    const run = await runCli(["lint", bucketTemplate, queueTemplate, "--conditions", typo]);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe(`parapet: ${typo}: condition "IsProduction" is declared by no linted template\n`);
    // HasDlq is declared by queue.yaml only: linting bucket.yaml alone, it is unknown.
    const close = await runCli(["lint", bucketTemplate, "--conditions", known]);
    expect(close.stderr).toBe(`parapet: ${known}: condition "HasDlq" is declared by no linted template\n`);
  });

  it("says so in --help", async () => {
    expect((await runCli(["lint", "--help"])).stdout).toMatch(/--conditions <file>\s+condition values .*a\s+name\s+that\s+no\s+linted\s+template\s+declares\s+is\s+an\s+error/s);
  });
});

describe("custom rules", () => {
  it("lint --rules rejects a broken rule even when no subject of its type is linted, as rules test does", async () => {
    const rules = write("broken/queue-retention-short.yaml", ruleFile("queue-retention-short", { op: "matches", value: "'('" }));
    const lint = await runCli(["lint", bucketTemplate, "--rules", path.dirname(rules)]);
    const test = await runCli(["rules", "test", path.dirname(rules)]);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toMatch(/^parapet: .*queue-retention-short\.yaml:7:\d+: match\.value: .*invalid regular expression/);
    expect(test).toMatchObject({ code: 2, stderr: lint.stderr });
  });

  it.each([
    ["a type that does not exist", { types: "AWS::SQS::Queues" }, ':6:9: types: unknown resource type "AWS::SQS::Queues" (did you mean "AWS::SQS::Queue"?)'],
    ["a message field the type does not have", { message: "{{id}} keeps messages {{properties.MessageRetention}} s" }, ': message: {{properties.MessageRetention}}: AWS::SQS::Queue has no property "MessageRetention"'],
  ])("%s is an error in lint --rules and rules test alike", async (name, overrides: Record<string, string>, expected) => {
    const rules = write(`${name.replace(/\W+/g, "-")}/queue-retention-short.yaml`, ruleFile("queue-retention-short", overrides));
    for (const args of [["lint", bucketTemplate, "--rules", path.dirname(rules)], ["rules", "test", path.dirname(rules)]]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(expected);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("a custom rule may not reuse a built-in id, in rules test as in lint --rules", async () => {
    const rules = write("dupe/required-tags.yaml", ruleFile("required-tags"));
    for (const args of [["rules", "test", path.dirname(rules)], ["lint", bucketTemplate, "--rules", path.dirname(rules)]]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^parapet: .*dupe\/required-tags\.yaml:1:5: rule id "required-tags" is already a built-in rule \(.*\): give the custom rule its own id\n$/);
    }
  });

  it("rules test DIR runs only that directory's cases, and the configuration may name its rules", async () => {
    const rules = write("good/queue-retention-short.yaml", ruleFile("queue-retention-short"));
    const config = write("good.yaml", "rules:\n  severity: { queue-retention-short: high }\n");
    const run = await runCli(["rules", "test", path.dirname(rules), "-c", config]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2 passed, 0 failed \(2 cases in 1 rules?\)$/m);
  });
});

describe("the sample policy (samples/parapet.yaml)", () => {
  const ruleIds = (stdout: string) => new Set((JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId));

  it("turns on the tagging and off-hours findings that parapet's neutral defaults leave silent", async () => {
    const templates = path.join(PACKAGE_ROOT, "samples/templates");
    const trail = path.join(PACKAGE_ROOT, "samples/cloudtrail/sample.json.gz");
    const neutralLint = ruleIds((await runCli(["lint", templates, "-f", "json", "--fail-on", "none"])).stdout);
    const teamLint = ruleIds((await runCli(["lint", templates, "-f", "json", "--fail-on", "none", "--config", SAMPLE_POLICY_FILE])).stdout);
    expect(neutralLint.has("required-tags")).toBe(false);
    expect(teamLint.has("required-tags")).toBe(true);
    const neutralScan = ruleIds((await runCli(["scan", "cloudtrail", trail, "-f", "json", "--fail-on", "none"])).stdout);
    const teamScan = ruleIds((await runCli(["scan", "cloudtrail", trail, "-f", "json", "--fail-on", "none", "--config", SAMPLE_POLICY_FILE])).stdout);
    expect([neutralScan.has("required-tags"), neutralScan.has("iam-change-outside-business-hours")]).toEqual([false, false]);
    expect([teamScan.has("required-tags"), teamScan.has("iam-change-outside-business-hours")]).toEqual([true, true]);
  });

  it("is what npm start uses", () => {
    const start = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start!;
    expect(start.match(/node bin\/parapet\.js (lint|scan|flows scan)[^&]*--config samples\/parapet\.yaml/g)).toHaveLength(3);
  });
});
