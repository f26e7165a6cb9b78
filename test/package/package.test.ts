/**
 * The Lambda zips as Lambda runs them: unzipped into an empty folder (no node_modules, no rules/,
 * no config.json beside it), required in a fresh process, and invoked with real trigger events in
 * dry-run mode. The CloudTrail function reads its log file from an S3 server on loopback.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { buildRuleBundle, deterministicZip, LAMBDA_PACKAGES, MAX_BUNDLE_BYTES, packageLambda, type PackageResult } from "../../scripts/package";
import { goodLog, logKey, NIGHT_KEY_EVENT_ID } from "../helpers/cloudtrailFixtures";
import { cloudWatchData, INVENTORY_FILES, sampleMessages } from "../helpers/flowlogFixtures";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";

const run = promisify(execFile);
const BUCKET = "trail";

/** Requires the handler module, calls one export with an event, prints the result after a marker. */
const INVOKE = `
const [file, name, event] = process.argv.slice(1);
require(file)[name](JSON.parse(event), { awsRequestId: "req-1" }).then(
  (result) => process.stdout.write("PARAPET_RESULT " + JSON.stringify(result) + "\\n"),
  (err) => { process.stderr.write("FAILED " + err.message + "\\n"); process.exit(1); },
);
`;

interface Invocation {
  result: Record<string, unknown>;
  alerts: { subject: string; attributes: Record<string, string>; message: Record<string, unknown> }[];
  logs: { level: string; message: string }[];
  /** CloudWatch embedded-metric-format lines. */
  metrics: Record<string, unknown>[];
}

async function invoke(dir: string, exportName: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const { stdout, stderr } = await run(process.execPath, ["-e", INVOKE, path.join(dir, "index.js"), exportName, JSON.stringify(event)], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", PARAPET_DRY_RUN: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    timeout: 20_000,
  });
  const lines = stdout.split("\n").filter(Boolean);
  const marker = lines.find((l) => l.startsWith("PARAPET_RESULT "));
  if (!marker) throw new Error(`no result in:\n${stdout}`);
  // Log lines from both streams: Powertools writes WARN and ERROR to stderr (Lambda keeps both).
  const json = [...lines, ...stderr.split("\n")].filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    result: JSON.parse(marker.slice("PARAPET_RESULT ".length)) as Record<string, unknown>,
    alerts: json.filter((j) => "subject" in j) as unknown as Invocation["alerts"],
    logs: json.filter((j) => "level" in j) as unknown as Invocation["logs"],
    metrics: json.filter((j) => "_aws" in j),
  };
}

/** Extracts a zip into a fresh folder, checking every entry is world-readable. */
function unzipTo(zip: string): { dir: string; names: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "parapet-lambda-task-"));
  const entries = unzipSync(readFileSync(zip));
  for (const [name, data] of Object.entries(entries)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), data);
  }
  return { dir, names: Object.keys(entries).sort() };
}

const packageFor = (name: string) => LAMBDA_PACKAGES.find((p) => p.name === name)!;

/** The sample team's policy as a deployment passes it (templates/parapet.yaml's TimeZone and RequiredTags): parapet's defaults have neither. */
const TEAM_POLICY = {
  PARAPET_TIME_ZONE: "Europe/London",
  PARAPET_CONFIG_JSON: JSON.stringify({ tagging: { required: [{ key: "owner" }, { key: "environment", allowedValues: ["production", "staging", "development", "test"] }] } }),
};

describe("npm run package: Lambda zips", () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), "parapet-package-"));
  let cloudtrail: PackageResult;
  let flowlogs: PackageResult;
  let s3: S3TestServer;

  beforeAll(async () => {
    const rules = buildRuleBundle();
    [cloudtrail, flowlogs] = await Promise.all([packageLambda(packageFor("cloudtrail"), { outDir, rules }), packageLambda(packageFor("flowlogs"), { outDir, rules })]);
    s3 = await startS3Server({ buckets: [BUCKET] });
    await s3.put(BUCKET, logKey("good"), goodLog());
  }, 60_000);
  afterAll(() => s3?.stop());

  it("writes one self-contained index.js per handler within the size budget", () => {
    for (const r of [cloudtrail, flowlogs]) {
      expect(r.bundleBytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(statSync(r.zip).size).toBe(r.zipBytes);
      // The SDK clients are bundled (the invocations below run from a folder with no node_modules),
      // except EC2 in the flow-log function, taken lazily from the Lambda runtime.
      const external = [...readFileSync(r.bundle, "utf8").matchAll(/require\("(@aws-sdk\/client-[a-z0-9-]+)"\)/g)].map((m) => m[1]);
      expect([r.name, [...new Set(external)]]).toEqual([r.name, r === flowlogs ? ["@aws-sdk/client-ec2"] : []]);
    }
    expect(unzipTo(cloudtrail.zip).names).toEqual(["data/cfn-resource-types.json", "index.js"]);
    expect(unzipTo(flowlogs.zip).names).toEqual(["data/cfn-resource-types.json", "data/ip-ranges.json", "index.js"]);
  });

  it("makes reproducible zips with world-readable entries", () => {
    const entries = { "b.txt": new TextEncoder().encode("b"), "a/x.json": new TextEncoder().encode("{}") };
    const zip = deterministicZip(entries);
    expect(Buffer.from(deterministicZip({ "a/x.json": entries["a/x.json"], "b.txt": entries["b.txt"] })).equals(Buffer.from(zip))).toBe(true);
    // Central directory entries: external attributes (offset 38) carry mode 0100644 in the high 16 bits.
    const buf = Buffer.from(zip);
    let found = 0;
    for (let i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
      expect((buf.readUInt32LE(i + 38) >>> 16) & 0o777).toBe(0o644);
      found++;
    }
    expect(found).toBe(2);
  });

  it("CloudTrail zip: an SNS delivery notification is read from S3, evaluated with the embedded rules and alerted (dry run)", async () => {
    const { dir } = unzipTo(cloudtrail.zip);
    const event = { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", Sns: { Type: "Notification", MessageId: "m-1", Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [logKey("good")] }) } }] };
    const out = await invoke(dir, "handler", event, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      ...TEAM_POLICY,
    });
    expect(out.result).toMatchObject({ trigger: "cloudtrail", inputs: 1, evaluated: 1, failed: 0, records: 9 });
    expect(out.logs.find((l) => l.message === "invocation done")).toMatchObject({ function_request_id: "req-1", trigger: "cloudtrail" });
    expect(out.logs.find((l) => l.message === "initialized")).toMatchObject({ rules: 207 });
    const rules = out.alerts.map((a) => a.attributes.ruleId);
    // The mission's three: untagged RunInstances, SSH from the internet, an IAM change at night.
    expect(rules).toEqual(expect.arrayContaining(["required-tags", "sg-internet-ingress-port-not-allowed", "iam-change-outside-business-hours"]));
    const night = out.alerts.find((a) => a.attributes.ruleId === "iam-change-outside-business-hours");
    expect((night?.message.details as Record<string, unknown> | undefined)?.eventId).toBe(NIGHT_KEY_EVENT_ID);
  }, 30_000);

  it("CloudTrail zip: a missing object is skipped with an ERROR line and an InputsSkipped metric, the rest still evaluated", async () => {
    const { dir } = unzipTo(cloudtrail.zip);
    const event = { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", Sns: { Type: "Notification", MessageId: "m-3", Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [logKey("gone"), logKey("good")] }) } }] };
    const out = await invoke(dir, "handler", event, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED" });
    expect(out.result).toMatchObject({ inputs: 2, evaluated: 1, skipped: 1, failed: 0, records: 9 });
    expect(out.logs.filter((l) => l.level === "ERROR")).toEqual([expect.objectContaining({ message: "input skipped: it cannot be processed", failure: "permanent", error: expect.stringMatching(/NoSuchKey/) })]);
    expect(out.metrics).toEqual([expect.objectContaining({ InputsSkipped: 1, service: "parapet", _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: "parapet" })] }) })]);
  }, 30_000);

  it("CloudTrail zip: takes its configuration from PARAPET_CONFIG_JSON and PARAPET_MIN_SEVERITY", async () => {
    const { dir } = unzipTo(cloudtrail.zip);
    const event = { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", Sns: { Type: "Notification", MessageId: "m-2", Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [logKey("good")] }) } }] };
    const env = { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED" };
    const all = await invoke(dir, "handler", event, { ...env, ...TEAM_POLICY });
    // parapet's own defaults: no required tags, no business hours.
    const fewer = await invoke(dir, "handler", event, env);
    const ruleIds = (inv: Invocation) => new Set(inv.alerts.map((a) => a.attributes.ruleId));
    expect([...ruleIds(all)]).toEqual(expect.arrayContaining(["required-tags", "iam-change-outside-business-hours"]));
    expect([...ruleIds(fewer)]).not.toContain("iam-change-outside-business-hours");
    expect([...ruleIds(fewer)]).not.toContain("required-tags");
    expect(fewer.alerts.length).toBeLessThan(all.alerts.length);
    await expect(invoke(dir, "handler", event, { ...env, PARAPET_CONFIG_JSON: "{oops" })).rejects.toThrow(/PARAPET_CONFIG_JSON: not valid JSON/);
    // Resource types a configuration names are checked against data/cfn-resource-types.json in the zip.
    const typo = JSON.stringify({ tagging: { required: [{ key: "owner" }], resourceTypes: ["AWS::EC2::Instance", "AWS::S3::Buckett"] } });
    await expect(invoke(dir, "handler", event, { ...env, PARAPET_CONFIG_JSON: typo })).rejects.toThrow(/unknown CloudFormation resource type "AWS::S3::Buckett" \(did you mean "AWS::S3::Bucket"\?\)/);
  }, 30_000);

  it("flow-log zip: a CloudWatch Logs subscription event is enriched (ip-ranges from the zip) and alerted (dry run)", async () => {
    const { dir } = unzipTo(flowlogs.zip);
    const out = await invoke(dir, "cloudWatchHandler", { awslogs: { data: cloudWatchData(sampleMessages()) } }, {
      PARAPET_CONFIG_JSON: JSON.stringify({ flowlogs: { inventoryFiles: INVENTORY_FILES } }),
    });
    expect(out.result).toMatchObject({ trigger: "cloudwatch", evaluated: 1, records: sampleMessages().length });
    expect(out.alerts.length).toBeGreaterThan(0);
    expect(out.logs.filter((l) => l.level === "ERROR")).toEqual([]);
  }, 30_000);
});
