import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpsGenieAlert } from "../../src/alerts";
import { SAMPLES_DIR } from "../../src/paths";
import { badLogs, expectedAlerts, goodLog, sampleRecord } from "../helpers/cloudtrailFixtures";
import { runCli, useEndpoint } from "../helpers/cli";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";
import { startSnsServer, type SnsTestServer } from "../helpers/snsServer";

const MISSION = ["required-tags", "sg-internet-ingress-port-not-allowed", "iam-change-outside-business-hours"];

let dir: string;
let good: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-scan-"));
  good = join(dir, "good.json.gz");
  writeFileSync(good, goodLog());
  writeFileSync(join(dir, "truncated.json.gz"), badLogs()[0]!.body);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The mission's tagging and off-hours alerts are the sample team's policy: parapet's defaults have neither.
const run = (...args: string[]) => runCli(["scan", "cloudtrail", ...args], { env: { PARAPET_CONFIG: SAMPLE_POLICY_FILE } });

describe("parapet scan cloudtrail", () => {
  it("exits 1 and lists the findings when one is at least --fail-on (default high)", async () => {
    const { code, stdout } = await run(good);
    expect(code).toBe(1);
    for (const rule of MISSION) expect(stdout).toContain(`  ${rule}  `);
    expect(stdout).toMatch(/in 1 file, 0 suppressed\n$/);
  });

  it("exits 0 when nothing reaches --fail-on", async () => {
    expect((await run(good, "--fail-on", "none")).code).toBe(0);
    const reads = join(dir, "reads.json");
    writeFileSync(reads, JSON.stringify({ Records: [sampleRecord("Error_AccessDenied.invictus.json"), sampleRecord("Error_Client.UnauthorizedOperation.invictus.json")] }));
    const { code, stdout } = await run(reads, "--fail-on", "info");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^0 findings .* in 1 file/);
  });

  it("writes JSON and SARIF reports with the same findings", async () => {
    const json = JSON.parse((await run(good, "-f", "json")).stdout) as { findings: { ruleId: string; file: string; pointer: string }[] };
    expect(json.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(MISSION));
    expect(json.findings.every((f) => f.file === good && /^\/Records\/\d+$/.test(f.pointer))).toBe(true);

    const out = join(dir, "report.sarif");
    const { stdout } = await run(good, "-f", "sarif", "-o", out);
    expect(stdout).toBe("");
    const sarif = JSON.parse(readFileSync(out, "utf8")) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results.map((r) => r.ruleId).sort()).toEqual(json.findings.map((f) => f.ruleId).sort());
  });

  it("reports an unreadable file as one error line, processes the rest, and exits 2", async () => {
    const { code, stdout } = await run(dir, "-f", "json");
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { errors: { file: string; message: string }[]; findings: { ruleId: string }[] };
    expect(report.errors).toEqual([expect.objectContaining({ file: join(dir, "truncated.json.gz"), message: expect.stringMatching(/^corrupt or truncated gzip/) })]);
    expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(MISSION));
  });

  it("exits 2 with one clear line for usage mistakes", async () => {
    const missing = await run(join(dir, "nope.json.gz"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`parapet: ${join(dir, "nope.json.gz")}: no such file or directory\n`);
    expect((await run(good, "--concurrency", "0")).code).toBe(2);
    const badArn = await run(good, "--publish", "my-topic");
    expect(badArn.code).toBe(2);
    expect(badArn.stderr).toMatch(/--publish: my-topic is not an SNS topic ARN/);
  });

  it("--dry-run prints one alert per finding as JSON lines", async () => {
    const { stdout } = await run(good, "--dry-run", "-o", join(dir, "report.txt"));
    const alerts = stdout.trim().split("\n").map((l) => JSON.parse(l) as { subject: string; message: OpsGenieAlert });
    const aliases = alerts.map((a) => a.message.alias);
    for (const expected of expectedAlerts()) expect(aliases).toContain(expected.alias);
    expect(alerts.every((a) => a.subject.length < 100)).toBe(true);
  });

  it("scans the bundled sample", async () => {
    const { code, stdout } = await run(join(SAMPLES_DIR, "cloudtrail/sample.json.gz"), "-f", "json");
    expect(code).toBe(1);
    const ids = (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(MISSION));
  });
});

describe("parapet scan cloudtrail --publish", () => {
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

  it("publishes every finding's alert to the topic after writing the report", async () => {
    const { code, stderr } = await run(good, "--publish", sns.topicArn, "-o", join(dir, "published.txt"));
    expect(code).toBe(1);
    const received = await sns.drain({ expected: 3 });
    const aliases = received.map((m) => (JSON.parse(m.message) as OpsGenieAlert).alias);
    for (const expected of expectedAlerts()) expect(aliases).toContain(expected.alias);
    expect(stderr).toMatch(new RegExp(`published ${received.length} alerts`));
  });
});
