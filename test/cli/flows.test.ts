import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { OpsGenieAlert } from "../../src/alerts";
import { runCli, useEndpoint } from "../helpers/cli";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";
import { startSnsServer, type SnsTestServer } from "../helpers/snsServer";
import { cloudWatchData, INVENTORY_FILES, SAMPLE_FINDINGS, SAMPLE_LOG, sampleMessages, sampleText } from "../helpers/flowlogFixtures";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-flows-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The sample's required-tags finding is the sample team's policy: parapet's defaults require no tags.
const run = (args: string[], stdin?: Buffer) => runCli(["flows", ...args], { stdin, env: { PARAPET_CONFIG: SAMPLE_POLICY_FILE } });

const INVENTORY = ["--inventory", ...INVENTORY_FILES];

describe("parapet flows enrich", () => {
  it("prints one enriched flow per line", async () => {
    const { code, stdout, stderr } = await run(["enrich", SAMPLE_LOG, ...INVENTORY]);
    expect([code, stderr]).toEqual([0, ""]);
    const flows = stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(flows).toHaveLength(17);
    expect(flows[0]).toMatchObject({ Protocol: "tcp", Uploaded: 2412, Downloaded: 3380, Client: { Addr: "81.2.69.142" }, Server: { Type: "ec2:instance", Tags: {} } });
    expect(flows.find((f) => (f.Client as { Type?: string } | undefined)?.Type === "lambda:function")).toMatchObject({
      Client: { Arns: "arn:aws:lambda:us-east-1:123456789012:function:orders-processor" },
    });
  });

  it("reads gzip from stdin and reports malformed lines on stderr with their line numbers", async () => {
    const text = sampleText().replace("\n2 123456789012 eni-0a1b2c3d4e5f60001 81.2.69.142 10.0.1.10 50123", "\ngarbage\n2 123456789012 eni-0a1b2c3d4e5f60001 81.2.69.142 10.0.1.10 50123");
    const { code, stdout, stderr } = await run(["enrich", "-", ...INVENTORY], gzipSync(text));
    expect(code).toBe(0);
    expect(stderr).toBe("parapet: <stdin>:4: malformed flow log record: expected 14 fields (version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status), found 1\n");
    expect(stdout.trimEnd().split("\n")).toHaveLength(17);
  });

  it("enriches every flow log file of a directory, with one interface cache", async () => {
    const tree = join(dir, "enrich-tree");
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, "a.log"), sampleText());
    writeFileSync(join(tree, "b.log.gz"), gzipSync(sampleText()));
    const { code, stdout, stderr } = await run(["enrich", tree, ...INVENTORY]);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout.trimEnd().split("\n")).toHaveLength(2 * 17);
  });

  it("fails with one clear line when no line is a flow log record", async () => {
    const file = join(dir, "junk.log");
    writeFileSync(file, "hello\nworld\n");
    const { code, stderr } = await run(["enrich", file, "--offline"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`parapet: ${file}: no valid flow log records (2 malformed lines)`);
  });
});

describe("parapet flows scan", () => {
  it("reports the sample's findings and exits 1 at the default --fail-on high", async () => {
    const { code, stdout } = await run(["scan", SAMPLE_LOG, ...INVENTORY, "--format", "json"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: { ruleId: string; line: number; resource: { id: string } }[] };
    const lines = report.findings.map((f) => `${f.line} ${f.ruleId} ${f.resource.id}`).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
    expect(lines).toEqual(SAMPLE_FINDINGS);
  });

  it("writes SARIF to --output and exits 0 with --fail-on none", async () => {
    const output = join(dir, "flows.sarif");
    const { code, stdout } = await run(["scan", SAMPLE_LOG, ...INVENTORY, "--format", "sarif", "--output", output, "--fail-on", "none"]);
    expect([code, stdout]).toEqual([0, ""]);
    const sarif = JSON.parse(readFileSync(output, "utf8")) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results).toHaveLength(SAMPLE_FINDINGS.length);
  });

  it("takes the configuration's ports and a custom format string for files without a header", async () => {
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ flowlogs: { databasePorts: [3306], loadBalancedPorts: [] } }));
    const headerless = join(dir, "headerless.log");
    writeFileSync(headerless, sampleText().split("\n").slice(1).join("\n"));
    const { stdout } = await run(["scan", headerless, ...INVENTORY, "-c", config, "--format-string", "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}", "--format", "json"]);
    const ids = (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids).not.toContain("flow-database-port-accepted-from-internet");
    expect(ids).not.toContain("flow-ec2-to-ec2-bypassing-load-balancer");
    expect(ids).toContain("flow-ssh-rdp-accepted-from-internet");
  });

  it("scans directories and several files with one report, naming the files it could not read and scanning the rest", async () => {
    const tree = join(dir, "tree");
    mkdirSync(join(tree, "2024", "06"), { recursive: true });
    writeFileSync(join(tree, "a.log"), sampleText());
    writeFileSync(join(tree, "2024", "06", "b.log.gz"), gzipSync(sampleText()));
    writeFileSync(join(tree, "2024", "06", "truncated.log.gz"), gzipSync(sampleText()).subarray(0, 40));
    writeFileSync(join(tree, "README.txt"), "not a flow log");
    const junk = join(dir, "junk-records.log");
    writeFileSync(junk, "hello\n");
    const { code, stdout, stderr } = await run(["scan", tree, junk, ...INVENTORY, "--format", "json"]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { summary: { filesScanned: number }; findings: { file: string }[]; errors: { file: string; message: string }[] };
    const perFile = new Map<string, number>();
    for (const f of report.findings) perFile.set(f.file, (perFile.get(f.file) ?? 0) + 1);
    expect(perFile).toEqual(new Map([[join(tree, "a.log"), SAMPLE_FINDINGS.length], [join(tree, "2024", "06", "b.log.gz"), SAMPLE_FINDINGS.length]]));
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: join(tree, "2024", "06", "truncated.log.gz"), message: "not a valid gzip file (unexpected end of file)" }),
        expect.objectContaining({ file: junk, message: "no valid flow log records (1 malformed line)" }),
      ]),
    );
    expect(report.errors).toHaveLength(2);
    expect(report.summary.filesScanned).toBe(4);
    expect(stderr).toContain(`parapet: ${join(tree, "2024", "06", "truncated.log.gz")}: not a valid gzip file`);
  });

  it("reads a CloudWatch Logs subscription payload saved as JSON, event n as line n", async () => {
    const payload = join(dir, "payload.json");
    writeFileSync(payload, gunzipSync(Buffer.from(cloudWatchData(sampleMessages()), "base64")));
    const { code, stdout } = await run(["scan", payload, ...INVENTORY, "--format", "json"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: { ruleId: string; line: number; file: string; resource: { id: string } }[] };
    expect(new Set(report.findings.map((f) => f.file))).toEqual(new Set([payload]));
    // The payload has no header line, so each event is one line earlier than in the file.
    const lines = report.findings.map((f) => `${f.line + 1} ${f.ruleId} ${f.resource.id}`).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
    expect(lines).toEqual(SAMPLE_FINDINGS);
  });

  it("does not take stdin together with other inputs", async () => {
    const { code, stderr } = await run(["scan", "-", SAMPLE_LOG, "--offline"]);
    expect(code).toBe(2);
    expect(stderr).toBe("parapet: - (stdin) cannot be combined with other inputs\n");
  });

  it("rejects an unknown field in --format-string with one clear line", async () => {
    const { code, stderr } = await run(["scan", SAMPLE_LOG, "--offline", "--format-string", "${version} ${colour}"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^parapet: unknown flow log field "colour"/);
  });
});

describe("parapet flows scan s3://bucket/prefix", () => {
  const BUCKET = "acme-flow-logs";
  const PREFIX = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/10/";
  let s3: S3TestServer;
  let restore = () => {};
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    await s3.put(BUCKET, `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20240610T0600Z_a.log.gz`, gzipSync(sampleText()));
    await s3.put(BUCKET, `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20240610T0605Z_b.log.gz`, gzipSync(sampleText()).subarray(0, 40));
    await s3.put(BUCKET, `${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20240610T0610Z_c.parquet`, "PAR1");
    await s3.put(BUCKET, "elsewhere/d.log.gz", gzipSync(sampleText()));
    restore = useEndpoint("S3", s3.endpoint, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
  }, 20_000);
  afterAll(async () => {
    restore();
    await s3?.stop();
  });

  it("scans the prefix's flow log objects, names the unreadable one and skips the rest", async () => {
    const { code, stdout, stderr } = await run(["scan", `s3://${BUCKET}/${PREFIX}`, ...INVENTORY, "--region", "us-east-1", "--format", "json"]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { summary: { filesScanned: number }; findings: { file: string }[]; errors: { file: string; message: string }[] };
    expect(new Set(report.findings.map((f) => f.file))).toEqual(new Set([`s3://${BUCKET}/${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20240610T0600Z_a.log.gz`]));
    expect(report.findings).toHaveLength(SAMPLE_FINDINGS.length);
    expect(report.errors).toEqual([
      expect.objectContaining({ file: `s3://${BUCKET}/${PREFIX}123456789012_vpcflowlogs_us-east-1_fl-1_20240610T0605Z_b.log.gz`, message: expect.stringMatching(/^not a valid gzip file/) }),
    ]);
    expect(report.summary.filesScanned).toBe(2);
    expect(stderr).toContain("parapet: skipped 1 object not named .log or .log.gz\n");
  });

  it("names a bucket it cannot list with one clear line", async () => {
    const { code, stderr } = await run(["scan", "s3://no-such-bucket/x/", "--offline", "--region", "us-east-1"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^parapet: s3:\/\/no-such-bucket\/x\/: cannot list \(NoSuchBucket/);
  });
});

describe("parapet flows scan --dry-run / --publish", () => {
  let sns: SnsTestServer;
  let restore = () => {};
  beforeAll(async () => {
    sns = await startSnsServer();
    restore = useEndpoint("SNS", sns.endpoint);
  }, 20_000);
  afterAll(async () => {
    restore();
    await sns?.stop();
  });

  it("--dry-run prints one alert per finding as JSON lines, after the report", async () => {
    const { code, stdout } = await run(["scan", SAMPLE_LOG, ...INVENTORY, "--dry-run", "-o", join(dir, "dry-run-report.txt")]);
    expect(code).toBe(1);
    const alerts = stdout.trim().split("\n").map((l) => JSON.parse(l) as { message: OpsGenieAlert });
    expect(alerts).toHaveLength(SAMPLE_FINDINGS.length);
    expect(new Set(alerts.map((a) => a.message.alias)).size).toBe(SAMPLE_FINDINGS.length);
    expect(alerts.map((a) => a.message.details.ruleId).sort()).toEqual(SAMPLE_FINDINGS.map((l) => l.split(" ")[1]).sort());
  });

  it("publishes every finding's alert to the topic, and rejects what is not a topic ARN", async () => {
    const { code, stderr } = await run(["scan", SAMPLE_LOG, ...INVENTORY, "--publish", sns.topicArn, "-o", join(dir, "published-report.txt")]);
    expect(code).toBe(1);
    const received = await sns.drain({ expected: SAMPLE_FINDINGS.length });
    expect(received).toHaveLength(SAMPLE_FINDINGS.length);
    expect(stderr).toContain(`parapet: published ${SAMPLE_FINDINGS.length} alerts`);
    const bad = await run(["scan", SAMPLE_LOG, "--offline", "--publish", "my-topic"]);
    expect([bad.code, bad.stderr]).toEqual([2, "parapet: --publish: my-topic is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)\n"]);
  });
});
