/**
 * `parapet flows enrich|scan` without `--inventory`: the built CLI looks interfaces and instance tags
 * up live, through the real SDK, against the EC2 stub on loopback (test/helpers/ec2Server.ts), which
 * serves the same inventory the offline runs read. Only what a user has is used: the standard
 * environment variables (`AWS_ENDPOINT_URL_EC2`, credentials, `AWS_REGION`) and files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliRun } from "../helpers/cli";
import { startEc2Server, type Ec2Call, type Ec2TestServer } from "../helpers/ec2Server";
import { SAMPLE_FINDINGS, SAMPLE_LOG, sampleText } from "../helpers/flowlogFixtures";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";

// Each test spawns the CLI, which takes seconds rather than a fraction of one on a busy machine.
jest.setTimeout(30_000);

const SAMPLE_INVENTORY = ["--inventory", "samples/flowlogs/network-interfaces.json", "samples/flowlogs/instances.json"];
const ACCESS_KEY = "AKIDPARAPETLIVETEST";

let dir: string;
let ec2: Ec2TestServer;
/** The sample enriched from the inventory files; and with no lookups at all, with and without a region. */
let fromInventory: CliRun;
let offline: CliRun;
let offlineWithoutRegion: CliRun;

/**
 * The environment of a user who set only the standard variables given: nothing of this machine's
 * AWS set-up (profile, config and credentials files, instance metadata) reaches the SDK.
 */
function awsEnvironment(settings: Record<string, string | undefined>): Record<string, string | undefined> {
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith("AWS_") && key !== "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED")
      .map((key) => [key, undefined]),
  );
  return {
    ...cleared,
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    ...settings,
  };
}

/** What a user of the stub's "account" sets; `settings` adds to or (undefined) removes from it. */
const live = (settings: Record<string, string | undefined> = {}) =>
  awsEnvironment({ AWS_ENDPOINT_URL_EC2: ec2.endpoint, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "us-east-1", ...settings });

/** The fields of an enriched flow these tests look at. */
interface FlowLine {
  DstPort?: number;
  Client?: { InstanceId?: string; Tags?: Record<string, string> };
}
const flows = (stdout: string) => stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as FlowLine);
const outcomes = (calls: Ec2Call[]) => calls.map((c) => c.outcome);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "parapet-flows-live-"));
  ec2 = await startEc2Server();
  [fromInventory, offline, offlineWithoutRegion] = await Promise.all([
    runCli(["flows", "enrich", SAMPLE_LOG, ...SAMPLE_INVENTORY], { env: awsEnvironment({}) }),
    runCli(["flows", "enrich", SAMPLE_LOG, "--offline"], { env: awsEnvironment({ AWS_REGION: "us-east-1" }) }),
    runCli(["flows", "enrich", SAMPLE_LOG, "--offline"], { env: awsEnvironment({}) }),
  ]);
  for (const run of [fromInventory, offline, offlineWithoutRegion]) expect([run.code, run.stderr]).toEqual([0, ""]);
  // Without interface data, the region of a flow is the default region, if any.
  expect(offline.stdout).not.toBe(offlineWithoutRegion.stdout);
});
afterAll(async () => {
  await ec2?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  ec2.reset();
  ec2.setPageSize(undefined);
});

describe("parapet flows enrich, live", () => {
  it("enriches the sample exactly as from the inventory, in one batched call per lookup", async () => {
    const { code, stdout, stderr } = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live() });
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(fromInventory.stdout);
    // Instance tags came from DescribeTags, not from the interface.
    const toDataProcessor = flows(stdout).find((f) => f.Client?.InstanceId === "i-0a1b2c3d4e5f60004" && f.DstPort === 8080);
    expect(toDataProcessor?.Client).toMatchObject({ TagsFrom: "instance", Tags: { Name: "data-processor", owner: "data-team@example.com" } });

    // Every address of the sample belongs to an interface that logged, so none is looked up on its own.
    expect(ec2.calls).toEqual([
      expect.objectContaining({
        action: "DescribeNetworkInterfaces",
        filters: { "network-interface-id": ["1", "2", "3", "4", "5", "6"].map((n) => `eni-0a1b2c3d4e5f6000${n}`) },
        maxResults: 1000,
        accessKeyId: ACCESS_KEY,
        region: "us-east-1",
        outcome: "ok",
      }),
      expect.objectContaining({
        action: "DescribeTags",
        filters: { "resource-type": ["instance"], "resource-id": ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60004"] },
        outcome: "ok",
      }),
    ]);
  });

  it("looks up by private address an interface that did not log, with the region --region names", async () => {
    // Only eni-...0001's records: its peer 10.0.2.40 (eni-...0004) is known by address alone.
    const file = join(dir, "one-interface.log");
    writeFileSync(file, sampleText().split("\n").filter((line, i) => i === 0 || line.includes(" eni-0a1b2c3d4e5f60001 ")).join("\n"));
    const [liveRun, inventoryRun] = await Promise.all([
      runCli(["flows", "enrich", file, "--region", "eu-west-1"], { env: live() }),
      runCli(["flows", "enrich", file, ...SAMPLE_INVENTORY], { env: awsEnvironment({}) }),
    ]);
    expect([liveRun.code, liveRun.stderr]).toEqual([0, ""]);
    expect(liveRun.stdout).toBe(inventoryRun.stdout);
    expect(flows(liveRun.stdout).find((f) => f.DstPort === 8080)?.Client).toMatchObject({ InstanceId: "i-0a1b2c3d4e5f60004", Tags: { app: "DataProcessor" } });
    expect(ec2.calls.map((c) => [c.action, c.filters, c.region])).toEqual([
      ["DescribeNetworkInterfaces", { "network-interface-id": ["eni-0a1b2c3d4e5f60001"] }, "eu-west-1"],
      ["DescribeNetworkInterfaces", { "addresses.private-ip-address": ["10.0.2.40"] }, "eu-west-1"],
      ["DescribeTags", { "resource-type": ["instance"], "resource-id": ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60004"] }, "eu-west-1"],
    ]);
  });

  it("follows NextToken through one-item pages to the same flows", async () => {
    ec2.setPageSize(1);
    const { code, stdout, stderr } = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live() });
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(fromInventory.stdout);
    const interfaces = ec2.callsOf("DescribeNetworkInterfaces");
    const tags = ec2.callsOf("DescribeTags");
    // 6 interfaces and 5 instance tags, one a page; every page after the first asks for the next.
    expect([interfaces.length, tags.length]).toEqual([6, 5]);
    for (const pages of [interfaces, tags]) {
      expect(pages.map((c) => [c.items, c.nextToken === undefined])).toEqual(pages.map((_, i) => [1, i === 0]));
      expect(new Set(pages.map((c) => JSON.stringify(c.filters))).size).toBe(1);
    }
  });

  it("rides out throttling: the SDK's retries, then parapet's own, and the same flows", async () => {
    // Three throttled calls exhaust the SDK's three attempts, so parapet backs off and tries again.
    ec2.throttle("DescribeNetworkInterfaces", 3);
    ec2.throttle("DescribeTags", 1);
    const { code, stdout, stderr } = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live() });
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(fromInventory.stdout);
    expect(outcomes(ec2.callsOf("DescribeNetworkInterfaces"))).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", "RequestLimitExceeded", "ok"]);
    expect(outcomes(ec2.callsOf("DescribeTags"))).toEqual(["RequestLimitExceeded", "ok"]);
    // Backoff with full jitter sleeps at most 1 + 2 s (SDK), 0.2 s (parapet), then 1 s (SDK) here.
    expect(ec2.calls.at(-1)!.at - ec2.calls[0]!.at).toBeLessThan(6_000);
  });

  // Not tested here: EC2 throttling every call. The CLI then finishes with one warning line and
  // unenriched flows, but only after 8 attempts of parapet's backoff (up to 20 s each, full jitter)
  // times 3 of the SDK's (up to 1 and 2 s): 24 calls and 34 s when measured, too slow for this file.
});

describe("parapet flows scan, live", () => {
  it("the README's example: with only AWS_REGION set, the same findings as from the inventory", async () => {
    const [liveRun, inventoryRun] = await Promise.all([
      // With the sample team's policy (required tags), as `npm start` scans the sample.
      runCli(["flows", "scan", "samples/flowlogs/sample.log", "--config", SAMPLE_POLICY_FILE, "--format", "json"], { env: live() }),
      runCli(["flows", "scan", "samples/flowlogs/sample.log", ...SAMPLE_INVENTORY, "--config", SAMPLE_POLICY_FILE, "--format", "json"], { env: awsEnvironment({}) }),
    ]);
    expect([liveRun.code, liveRun.stderr]).toEqual([1, ""]);
    type Report = { findings: { ruleId: string; line: number; resource: { id: string } }[] };
    const findings = (JSON.parse(liveRun.stdout) as Report).findings;
    expect(findings).toEqual((JSON.parse(inventoryRun.stdout) as Report).findings);
    const lines = findings.map((f) => `${f.line} ${f.ruleId} ${f.resource.id}`).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
    expect(lines).toEqual(SAMPLE_FINDINGS);
    expect(ec2.calls.map((c) => c.action)).toEqual(["DescribeNetworkInterfaces", "DescribeTags"]);
  });
});

describe("parapet flows enrich, when EC2 cannot be used", () => {
  /** Lookup problems are warnings: one line each, no stack trace; the flows go on unenriched (exit 0). */
  function expectWarnedAndUnenriched(run: CliRun, reason: string, unenriched = offline): void {
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(unenriched.stdout);
    const where = `parapet: ${SAMPLE_LOG}: interface lookup:`;
    expect(run.stderr).toBe(
      `${where} DescribeNetworkInterfaces (network-interface-id, 6 values) failed: ${reason}\n` +
        `${where} DescribeNetworkInterfaces (addresses.private-ip-address, 6 values) failed: ${reason}\n`,
    );
  }

  it("without credentials, says so and makes no call", async () => {
    const run = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }) });
    expectWarnedAndUnenriched(run, "CredentialsProviderError: Could not load credentials from any providers");
    expect(ec2.calls).toEqual([]);
  });

  it("without a region, says so", async () => {
    const run = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live({ AWS_REGION: undefined }) });
    expectWarnedAndUnenriched(run, "Error: Region is missing", offlineWithoutRegion);
  });

  it("with an endpoint nothing listens on, names the refused connection", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const run = await runCli(["flows", "enrich", SAMPLE_LOG], { env: live({ AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${closed}` }) });
    expectWarnedAndUnenriched(run, `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });
});
