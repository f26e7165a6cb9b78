/**
 * The npm package as a user gets it: `npm pack` of this checkout, installed into an empty project
 * with no network, and run through `npx parapet` there — no sources, no devDependencies, no
 * repository around it. What this test runs is byte for byte what `npm publish` would upload.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../helpers/cli";
import { startS3Server } from "../helpers/s3Server";

const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let scratch: string;
let project: string;
let packed: { filename: string; files: { path: string }[]; size: number };

/** `npx parapet ...` inside the consumer project, with an environment that points at nothing of ours. */
async function npxParapet(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? "", HOME: scratch, npm_config_cache: path.join(scratch, "npm-cache"), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...extraEnv };
  try {
    const { stdout, stderr } = await exec("npx", ["--offline", "--no-install", "parapet", ...args], { cwd: project, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "parapet-installed-"));
  // dist/ was built from these sources by the test run's global setup; `prepare` would only rebuild it.
  const { stdout } = await exec("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], { cwd: REPO_ROOT, timeout: 60_000 });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;

  project = path.join(scratch, "consumer");
  mkdirSync(project);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  // --offline: parapet has no runtime dependencies, so installing it must need nothing but the tarball.
  await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", path.join(scratch, packed.filename)], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "", HOME: scratch, npm_config_cache: path.join(scratch, "npm-cache") },
    timeout: 60_000,
  });
  for (const [from, to] of [
    ["samples/templates/web-app.yaml", "web-app.yaml"],
    ["samples/cloudtrail/sample.json.gz", "trail.json.gz"],
    ["samples/flowlogs/sample.log", "flows.log"],
    ["samples/flowlogs/network-interfaces.json", "enis.json"],
    ["samples/flowlogs/instances.json", "instances.json"],
  ] as const) {
    copyFileSync(path.join(REPO_ROOT, from), path.join(project, to));
  }
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the npm package", () => {
  it("holds what runs and what documents it, and nothing of the repository's development", () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "CHANGELOG.md", "bin/parapet.js", "dist/parapet.js", "dist/aws-sdk.js", "dist/rules.bundle.json", "dist/THIRD-PARTY-NOTICES.txt", "config.json", "data/ip-ranges.json", "schemas/rule.schema.json", "schemas/config.schema.json", "docs/rules.md"]));
    const unexpected = files.filter((f) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|config\.json|(bin|dist|rules|schemas|data|docs)\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench|src|scripts|\.ci|node_modules|build)\//.test(f))).toEqual([]);
  });

  it("declares no runtime dependency: everything it runs is in dist/", () => {
    const manifest = JSON.parse(readFileSync(path.join(project, "node_modules/parapet/package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(readFileSync(path.join(project, "node_modules/parapet/LICENSE"), "utf8")).toContain("Apache License");
    expect(manifest.license).toBe("Apache-2.0");
  });

  it("npx parapet --version prints the package's version", async () => {
    const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    const r = await npxParapet(["--version"]);
    expect([r.code, r.stdout.trim()]).toEqual([0, version]);
  });

  it("npx parapet lint reports a template's findings and gates on them", async () => {
    const failing = await npxParapet(["lint", "web-app.yaml"]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^web-app\.yaml:\d+:\d+ +critical +s3-bucket-no-public-read-write-acl/m);
    expect(failing.stderr).toBe("");
    writeFileSync(path.join(project, "queue.yaml"), "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      KmsMasterKeyId: alias/aws/sqs\n");
    const clean = await npxParapet(["lint", "queue.yaml", "-f", "json"]);
    expect(clean.code).toBe(0);
    const severities = (JSON.parse(clean.stdout) as { findings: { severity: string }[] }).findings.map((f) => f.severity);
    expect(severities.filter((s) => s === "critical" || s === "high")).toEqual([]);
  });

  it("npx parapet scan cloudtrail finds the mission's three in the sample delivery", async () => {
    // Business hours are a team's policy (parapet has none by default): this team works in London.
    const r = await npxParapet(["scan", "cloudtrail", "trail.json.gz", "-f", "json", "--fail-on", "none"], { PARAPET_TIME_ZONE: "Europe/London" });
    expect(r.code).toBe(0);
    const rules = new Set((JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId));
    expect([...rules]).toEqual(expect.arrayContaining(["sg-internet-ingress-port-not-allowed", "iam-change-outside-business-hours"]));
  });

  it("npx parapet scan cloudtrail s3://… reads through the bundled AWS SDK (S3 on loopback)", async () => {
    const s3 = await startS3Server({ buckets: ["trail"] });
    try {
      await s3.put("trail", "AWSLogs/123456789012/CloudTrail/us-east-1/2024/06/10/sample.json.gz", readFileSync(path.join(project, "trail.json.gz")));
      const r = await npxParapet(["scan", "cloudtrail", "s3://trail/AWSLogs/", "-f", "json", "--fail-on", "none"], {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        AWS_REGION: "us-east-1",
        PARAPET_TIME_ZONE: "Europe/London",
      });
      expect([r.code, r.stderr]).toEqual([0, ""]);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string }[] };
      expect(report.findings.map((f) => f.ruleId)).toContain("iam-change-outside-business-hours");
    } finally {
      await s3.stop();
    }
  });

  it("npx parapet flows scan enriches from an inventory and the bundled ip-ranges", async () => {
    const r = await npxParapet(["flows", "scan", "flows.log", "--inventory", "enis.json", "instances.json", "-f", "json", "--fail-on", "none"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const findings = (JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings;
    expect(findings.map((f) => f.ruleId)).toContain("flow-ssh-rdp-accepted-from-internet");
    // An AWS service address is named from data/ip-ranges.json, found from dist/ in the installed package.
    const enriched = await npxParapet(["flows", "enrich", "flows.log", "--inventory", "enis.json", "instances.json"]);
    expect(enriched.stdout).toContain(`"Type":"aws:service","AwsService":"s3"`);
  });

  it("npx parapet rules test runs a custom rule's cases", async () => {
    mkdirSync(path.join(project, "my-rules"));
    writeFileSync(
      path.join(project, "my-rules/queue-retention-short.yaml"),
      [
        "id: queue-retention-short",
        "title: Queue keeps messages too briefly",
        "severity: low",
        "description: Messages expire before consumers can recover from an outage.",
        "remediation: Set MessageRetentionPeriod to at least a day.",
        "types: [AWS::SQS::Queue]",
        "match: { path: properties.MessageRetentionPeriod, op: lt, value: 86400 }",
        'message: "{{id}} keeps messages {{properties.MessageRetentionPeriod}} s"',
        "tests:",
        "  pass: [{ template: { Resources: { Q: { Type: AWS::SQS::Queue, Properties: { MessageRetentionPeriod: 86400 } } } } }]",
        "  fail: [{ template: { Resources: { Q: { Type: AWS::SQS::Queue, Properties: { MessageRetentionPeriod: 60 } } } }, resource: Q }]",
        "",
      ].join("\n"),
    );
    const r = await npxParapet(["rules", "test", "my-rules"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queue-retention-short/);
  });
});
