import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { PACKAGE_ROOT } from "../../src/paths";
import { runCli } from "../helpers/cli";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";

const WEB = join(PACKAGE_ROOT, "samples/templates/web-app.yaml");
const LOGS = join(PACKAGE_ROOT, "samples/templates/logs-bucket.yaml");
const CLEAN = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/aws/sqs
      Tags: [{ Key: owner, Value: queues@example.com }, { Key: environment, Value: test }]
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-lint-"));
  mkdirSync(join(dir, "mixed"));
  writeFileSync(join(dir, "clean.yaml"), CLEAN);
  writeFileSync(join(dir, "mixed/good.yaml"), "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: 0.0.0.0/0\n");
  writeFileSync(join(dir, "mixed/broken.yaml"), "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n");
  writeFileSync(join(dir, "mixed/notes.txt"), "not a template");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lint = (...args: string[]) => runCli(["lint", ...args]);

describe("parapet lint", () => {
  it("exits 0 on a clean template and prints a summary", async () => {
    const r = await lint(join(dir, "clean.yaml"), "--fail-on", "low");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0 findings");
  });

  it("exits 1 with file:line:col  severity  rule-id  message lines", async () => {
    const r = await lint(WEB);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/web-app\.yaml:22:11 +high +sg-internet-ingress-port-not-allowed +WebSecurityGroup admits 0\.0\.0\.0\/0 from the internet: opens tcp 22/);
    expect(r.stdout).toMatch(/web-app\.yaml:36:11 +critical +s3-bucket-no-public-read-write-acl/);
    expect(r.stdout).not.toContain("\x1b["); // no colour when not a terminal
  });

  it("--fail-on decides the exit code; none never fails", async () => {
    expect((await lint(WEB, "--fail-on", "critical")).code).toBe(1);
    expect((await lint(LOGS, "--fail-on", "high")).code).toBe(0);
    expect((await lint(WEB, "--fail-on", "none")).code).toBe(0);
  });

  it("reports a broken template as a finding at file:line and still lints the rest", async () => {
    const r = await lint(join(dir, "mixed"), "--format", "json");
    const report = JSON.parse(r.stdout);
    const ids = report.findings.map((f: { ruleId: string; file: string; line: number }) => `${f.ruleId} ${f.file.split("/").pop()}:${f.line}`);
    expect(ids.some((id: string) => /^template-invalid broken\.yaml:[45]$/.test(id))).toBe(true);
    expect(ids).toContain("sg-internet-ingress-port-not-allowed good.yaml:3");
    expect(r.code).toBe(1);
  });

  it("JSON gives the parapet id, the cfn_nag id, the logical id, file, line and column", async () => {
    const report = JSON.parse((await lint(WEB, "-f", "json")).stdout);
    const f = report.findings.find((x: { ruleId: string }) => x.ruleId === "s3-bucket-no-public-read-write-acl");
    expect(f).toMatchObject({ cfnNag: ["F14"], logicalResourceId: "AssetsBucket", line: 36, column: 11 });
    expect(f.file).toContain("web-app.yaml");
  });

  it("SARIF output is valid SARIF 2.1.0 with rule metadata", async () => {
    const schema = JSON.parse(readFileSync(join(__dirname, "../fixtures/sarif-schema-2.1.0.json"), "utf8"));
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const out = join(dir, "out.sarif");
    expect((await lint(WEB, LOGS, "-f", "sarif", "-o", out)).code).toBe(1);
    const log = JSON.parse(readFileSync(out, "utf8"));
    expect(validate(log)).toBe(true);
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.find((r: { id: string }) => r.id === "sg-internet-ingress-port-not-allowed").help.text).toContain("Restrict the source");
    expect(log.runs[0].results.some((r: { suppressions?: unknown[] }) => r.suppressions?.length)).toBe(true);
  });

  it("JUnit and GitHub formats render", async () => {
    expect((await lint(WEB, "-f", "junit")).stdout).toMatch(/<testsuites[\s\S]*<failure/);
    expect((await lint(WEB, "-f", "github")).stdout).toMatch(/^::error file=.*web-app\.yaml,line=22,col=11/m);
  });

  it("honours cfn_nag metadata suppressions and reports one without a reason", async () => {
    const logs = JSON.parse((await lint(LOGS, "-f", "json")).stdout);
    expect(logs.findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain("s3-bucket-access-logging");
    expect(logs.suppressed.length).toBe(1);
    const noReason = join(dir, "no-reason.yaml");
    writeFileSync(noReason, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n      cfn_nag:\n        rules_to_suppress:\n          - id: W48\n          - id: W9999\n            reason: typo in the id\n");
    const r = JSON.parse((await lint(noReason, "-f", "json")).stdout);
    const problems = r.findings.filter((f: { ruleId: string }) => f.ruleId === "suppression-invalid");
    expect(problems.map((f: { line: number }) => f.line).sort()).toEqual([7, 8]);
  });

  it("parameter values (both cfn_nag formats) and condition values change what rules see", async () => {
    const t = join(dir, "params.yaml");
    writeFileSync(t, "Parameters:\n  Cidr:\n    Type: String\nConditions:\n  Open: !Equals [a, a]\nResources:\n  In:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: !If [Open, !Ref Cidr, 10.0.0.0/8]\n");
    const p1 = join(dir, "p1.json");
    const p2 = join(dir, "p2.json");
    const c = join(dir, "c.json");
    writeFileSync(p1, JSON.stringify({ Parameters: { Cidr: "0.0.0.0/0" } }));
    writeFileSync(p2, JSON.stringify([{ ParameterKey: "Cidr", ParameterValue: "0.0.0.0/0" }]));
    writeFileSync(c, JSON.stringify({ Open: false }));
    const rule = "sg-internet-ingress-port-not-allowed";
    const fired = async (...args: string[]) => JSON.parse((await lint(t, "-f", "json", ...args)).stdout).findings.some((f: { ruleId: string }) => f.ruleId === rule);
    expect(await fired()).toBe(false);
    expect(await fired("--parameters", p1)).toBe(true);
    expect(await fired("--parameters", p2)).toBe(true);
    expect(await fired("--parameters", p1, "--conditions", c)).toBe(false);
  });

  it("profiles and deny lists select rules by parapet or cfn_nag id", async () => {
    const profile = join(dir, "profile.txt");
    writeFileSync(profile, "# only these\nF14\nrequired-tags\n");
    const only = JSON.parse((await lint(WEB, "-f", "json", "--profile", profile, "--config", SAMPLE_POLICY_FILE)).stdout); // the sample team requires tags
    expect([...new Set(only.findings.map((f: { ruleId: string }) => f.ruleId))].sort()).toEqual(["required-tags", "s3-bucket-no-public-read-write-acl"]);
    const deny = join(dir, "deny.yml");
    writeFileSync(deny, "RulesToSuppress:\n  - id: F14\n    reason: demo bucket\n");
    const denied = JSON.parse((await lint(WEB, "-f", "json", "--deny-list", deny)).stdout);
    expect(denied.findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain("s3-bucket-no-public-read-write-acl");
  });

  it("a baseline reports only new findings", async () => {
    const baseline = join(dir, "baseline.json");
    expect((await lint(WEB, "--write-baseline", baseline)).code).toBe(0);
    const again = await lint(WEB, "--baseline", baseline, "-f", "json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).findings).toEqual([]);
    const changed = join(dir, "web-app-changed.yaml");
    writeFileSync(changed, readFileSync(WEB, "utf8"));
    const copyBaseline = join(dir, "b2.json");
    await lint(changed, "--write-baseline", copyBaseline);
    writeFileSync(changed, readFileSync(WEB, "utf8").replace("FromPort: 22\n          ToPort: 22", "FromPort: 3389\n          ToPort: 3389"));
    const diff = JSON.parse((await lint(changed, "--baseline", copyBaseline, "-f", "json")).stdout);
    expect(diff.findings.length).toBeGreaterThan(0);
    expect(diff.findings.every((f: { line: number }) => f.line === 22)).toBe(true);
  });

  it("custom rules from --rules run next to the built-in ones", async () => {
    const rules = join(dir, "custom/queues");
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, "queue-retention-short.yaml"),
      "id: queue-retention-short\ntitle: Queue keeps messages too briefly\nseverity: low\ndescription: Messages expire before consumers can recover from an outage.\nremediation: Set MessageRetentionPeriod to at least a day.\ntypes: [AWS::SQS::Queue]\nmatch: { path: properties.MessageRetentionPeriod, op: lt, value: 86400 }\nmessage: \"{{id}} keeps messages {{properties.MessageRetentionPeriod}} s\"\ntests:\n  pass: [{ subject: { properties: { MessageRetentionPeriod: 86400 } } }]\n  fail: [{ subject: { properties: { MessageRetentionPeriod: 60 } } }]\n",
    );
    const q = join(dir, "queue.yaml");
    writeFileSync(q, CLEAN.replace("alias/aws/sqs", "alias/aws/sqs\n      MessageRetentionPeriod: 60"));
    const r = await lint(q, "--rules", join(dir, "custom"), "--fail-on", "low");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("queue-retention-short  Queue keeps messages 60 s");
  });

  it.each([
    [["/no/such/dir"], "/no/such/dir: no such file or directory"],
    [["samples/templates", "--format", "xml"], "argument 'xml' is invalid"],
    [["samples/templates", "--bogus"], "unknown option '--bogus'"],
    [["samples/templates", "--parameters", "/no/params.json"], "/no/params.json"],
    [["samples/templates", "--profile", "__PROFILE__"], 'unknown rule id "W9999"'],
    [["samples/templates", "--config", "__CONFIG__"], "minSeverity"],
    [["samples/templates", "--rules", "__BADRULES__"], "bad-rule.yaml:1:1"],
    [["no-match-*.yaml"], "no files match"],
  ])("usage and configuration errors exit 2 with one clear line: %j", async (args, expected) => {
    const profile = join(dir, "bad-profile.txt");
    writeFileSync(profile, "W9999\n");
    const config = join(dir, "bad-config.json");
    writeFileSync(config, '{"minSeverity": "loud"}');
    const badRules = join(dir, "bad-rules");
    mkdirSync(badRules, { recursive: true });
    writeFileSync(join(badRules, "bad-rule.yaml"), "id: bad-rule\n");
    const resolved = args.map((a) => a.replace("__PROFILE__", profile).replace("__CONFIG__", config).replace("__BADRULES__", badRules));
    const r = await lint(...resolved);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the installed bin runs end to end with the documented exit codes", () => {
    const bin = join(PACKAGE_ROOT, "bin/parapet.js");
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
    expect(run("lint", join(dir, "clean.yaml")).status).toBe(0);
    expect(run("lint", WEB).status).toBe(1);
    const bad = run("lint", "/no/such/file.yaml");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("parapet: /no/such/file.yaml: no such file or directory\n");
  });
});
