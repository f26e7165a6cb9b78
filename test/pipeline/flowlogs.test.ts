import { EC2Client } from "@aws-sdk/client-ec2";
import { samplePolicy } from "../helpers/samplePolicy";
import { loadRules } from "../../src/engine/loader";
import type { RuleSet } from "../../src/engine/ruleset";
import {
  createFlowLogEnricher,
  flowLogFormat,
  processCloudWatchPayload,
  processFlowLogInput,
  processFlowLogText,
  type FlowLogResult,
} from "../../src/pipeline/flowlogs";
import { decodeCloudWatchLogsPayload, type EnrichedFlow, type Enricher } from "../../src/sources/flowlog";
import { cloudWatchData, findingLines, INVENTORY_FILES, mockEc2FromInventory, SAMPLE_FINDINGS, sampleMessages, sampleText } from "../helpers/flowlogFixtures";

let ruleSet: RuleSet;
let inventory: Enricher;

beforeAll(async () => {
  ruleSet = loadRules({ config: samplePolicy() }).ruleSet;
  inventory = await createFlowLogEnricher({ inventoryFiles: INVENTORY_FILES, region: "us-east-1" });
});

describe("processFlowLogText", () => {
  it("reports exactly the expected findings on the bundled sample with the inventory", async () => {
    const result = await processFlowLogText(sampleText(), "sample.log", { ruleSet, enricher: inventory });
    expect(findingLines(result.findings)).toEqual(SAMPLE_FINDINGS);
    expect(result).toMatchObject({ records: 30, flows: 17, malformedCount: 0, errors: [], warnings: [] });
    expect(result.findings[0]!.location).toEqual({ file: "sample.log", pointer: "/2", line: 2 });
    expect(result.findings[0]!.flow).toMatchObject({ interfaceId: "eni-0a1b2c3d4e5f60001", action: "ACCEPT", start: 1718000000 });
  });

  it("gives the same findings in chunks of any size when twins stay together", async () => {
    // Twins are neighbours in the sample; chunks of 2 keep each pair, except where a chunk boundary splits one.
    const whole = await processFlowLogText(sampleText(), "sample.log", { ruleSet, enricher: inventory, chunkSize: 1000 });
    const small = await processFlowLogText(sampleText(), "sample.log", { ruleSet, enricher: inventory, chunkSize: 4 });
    expect(small.records).toBe(whole.records);
    expect(new Set(findingLines(small.findings).map((l) => l.split(" ")[1]))).toEqual(new Set(findingLines(whole.findings).map((l) => l.split(" ")[1])));
  });

  it("reports malformed lines with their line numbers and processes the rest", async () => {
    const lines = sampleText().split("\n");
    lines.splice(3, 0, "this is not a flow log record");
    lines.splice(8, 0, "2 123456789012 eni-0a1b2c3d4e5f60001 81.2.69.142 10.0.1.10 x 22 6 1 1 1718000000 1718000060 ACCEPT OK");
    const result = await processFlowLogText(lines.join("\n"), "broken.log", { ruleSet, enricher: inventory });
    expect(result.errors).toEqual([
      { file: "broken.log", line: 4, message: expect.stringMatching(/^malformed flow log record: expected 14 fields/) },
      { file: "broken.log", line: 9, message: 'malformed flow log record: field 6 (srcport) is not a non-negative integer: "x"' },
    ]);
    expect(result.records).toBe(30);
    expect(result.findings).toHaveLength(SAMPLE_FINDINGS.length);
  });

  it("enriches without a rule set and hands each chunk's flows over in the issue's shape", async () => {
    const flows: EnrichedFlow[] = [];
    const result = await processFlowLogText(sampleText(), "sample.log", { enricher: inventory, onFlows: (f) => flows.push(...f) });
    expect(result).toMatchObject({ flows: 17, subjects: 0, findings: [] });
    expect(flows[0]).toMatchObject({
      Protocol: "tcp",
      Uploaded: 2412,
      Downloaded: 3380,
      Start: "1718000000",
      End: "1718000060",
      Action: "ACCEPT",
      Client: { Addr: "81.2.69.142", Type: "internet", Rfc1918: false },
      Server: { Addr: "10.0.1.10", Type: "ec2:instance", InterfaceId: "eni-0a1b2c3d4e5f60001", SecurityGroupIds: ["sg-0c1d2e3f4a5b60001"], AvailabilityZone: "us-east-1a", Region: "us-east-1" },
    });
    expect(flows.find((f) => f.LogStatus === "OK" && f.Server.Type === "aws:service")).toMatchObject({ Server: { Addr: "52.216.8.1", AwsService: "s3" } });
  });

  it("enriches through live EC2 calls (throttled at first) with the same findings as the inventory", async () => {
    const ec2 = mockEc2FromInventory(2);
    try {
      const sleeps: number[] = [];
      const enricher = await createFlowLogEnricher({
        ec2Client: new EC2Client({ region: "us-east-1" }),
        region: "us-east-1",
        live: { sleep: async (ms) => void sleeps.push(ms) },
      });
      const live = await processFlowLogText(sampleText(), "sample.log", { ruleSet, enricher });
      expect(findingLines(live.findings)).toEqual(SAMPLE_FINDINGS);
      expect(enricher.stats.throttled).toBe(2);
      expect(sleeps).toHaveLength(2);
      // One chunk: the interfaces by id (every peer address belongs to one of them), then the
      // instances' tags — plus the two throttled attempts.
      expect(enricher.stats).toMatchObject({ ec2Calls: 4, describeNetworkInterfacesCalls: 3, describeTagsCalls: 1 });
      const again = await processFlowLogText(sampleText(), "sample.log", { ruleSet, enricher });
      expect(again.findings).toHaveLength(SAMPLE_FINDINGS.length);
      expect(enricher.stats.ec2Calls).toBe(4);
    } finally {
      ec2.restore();
    }
  });
});

describe("processFlowLogInput", () => {
  it("takes records or a saved CloudWatch Logs payload, and names a file that is neither", async () => {
    const records = await processFlowLogInput(sampleText(), "a.log", { ruleSet, enricher: inventory });
    const payload = JSON.stringify({ messageType: "DATA_MESSAGE", logGroup: "g", logStream: "s", logEvents: sampleMessages().map((message, i) => ({ id: String(i), timestamp: 0, message })) });
    const saved = await processFlowLogInput(`\n  ${payload}`, "payload.json", { ruleSet, enricher: inventory });
    expect(saved).toMatchObject({ file: "payload.json", records: records.records, flows: records.flows });
    expect(saved.findings).toHaveLength(records.findings.length);
    await expect(processFlowLogInput('{"messageType": "DATA_MESSAGE", ', "broken.json", { enricher: inventory })).rejects.toThrow(/^broken\.json: starts like JSON but is not/);
    await expect(processFlowLogInput('{"Records": []}', "trail.json", { enricher: inventory })).rejects.toThrow(/^trail\.json: CloudWatch Logs payload has messageType undefined/);
  });
});

describe("processCloudWatchPayload", () => {
  it("parses events with the configured format, numbers them as lines, and labels them by log stream", async () => {
    // A custom format: the default fields reordered is enough to prove the format is used.
    const format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags}";
    const messages = sampleMessages().map((m) => `${m} ${m.includes(" 50022 22 ") ? 2 : "-"}`);
    const payload = decodeCloudWatchLogsPayload(cloudWatchData(messages));
    const result: FlowLogResult = await processCloudWatchPayload(payload, { ruleSet, enricher: inventory, format: flowLogFormat(format) });
    expect(result.file).toBe("cloudwatch:/vpc/flow-logs/eni-all");
    expect(result.malformedCount).toBe(0);
    // Event n is line n (no header line here): every finding moves up by one.
    expect(findingLines(result.findings)).toEqual(SAMPLE_FINDINGS.map((l) => l.replace(/^\d+/, (n) => String(Number(n) - 1))));
  });

  it("rejects every event when the configured format does not match, saying why", async () => {
    const payload = decodeCloudWatchLogsPayload(cloudWatchData(sampleMessages().slice(0, 2)));
    const result = await processCloudWatchPayload(payload, { ruleSet, enricher: inventory, format: flowLogFormat("${version} ${account-id} ${interface-id}") });
    expect(result.records).toBe(0);
    expect(result.errors[0]).toEqual({ file: "cloudwatch:/vpc/flow-logs/eni-all", line: 1, message: expect.stringContaining("expected 3 fields (version account-id interface-id), found 14") });
  });

  it("yields nothing for a control message", async () => {
    const payload = decodeCloudWatchLogsPayload(cloudWatchData([], "CONTROL_MESSAGE"));
    expect(await processCloudWatchPayload(payload, { ruleSet, enricher: inventory })).toMatchObject({ records: 0, findings: [], errors: [] });
  });
});
