/**
 * The flow-log Lambda handlers for their three triggers: Kinesis and CloudWatch Logs payloads built
 * here, S3 objects in a real S3 protocol server on loopback (s3rver), alerts into a recording sink
 * that can be told to fail (the SNS publishing itself is tested with the CloudTrail handler).
 */
import { gzipSync } from "node:zlib";
import { DryRunAlertSink, PublishError, type AlertSink, type PublishResult, type SnsAlert } from "../../src/alerts";
import { samplePolicy } from "../helpers/samplePolicy";
import { loadRules } from "../../src/engine/loader";
import type { RuleSet } from "../../src/engine/ruleset";
import { objectDelivery } from "../../src/lambda/envelopes";
import { createFlowLogHandlers, type FlowLogHandlerDeps } from "../../src/lambda/flowlogsHandler";
import { classifyFlowLogKey } from "../../src/pipeline/flowlogInputs";
import { createFlowLogEnricher } from "../../src/pipeline/flowlogs";
import { InputFailure } from "../../src/util/errors";
import type { Enricher } from "../../src/sources/flowlog";
import { cloudWatchData, INVENTORY_FILES, SAMPLE_FINDINGS, sampleMessages, sampleText } from "../helpers/flowlogFixtures";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";
import { observe, type Observed } from "./observe";

const BUCKET = "acme-flow-logs";
const KEY = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/10/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20240610T0600Z_abcd1234.log.gz";
const SPACED_KEY = "flow logs/sample copy.log.gz";

let s3: S3TestServer;
let ruleSet: RuleSet;
let enricher: Enricher;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  await s3.put(BUCKET, KEY, gzipSync(sampleText()));
  await s3.put(BUCKET, SPACED_KEY, gzipSync(sampleText()));
  await s3.put(BUCKET, "truncated.log.gz", gzipSync(sampleText()).subarray(0, 40));
  ruleSet = loadRules({ config: samplePolicy() }).ruleSet;
  enricher = await createFlowLogEnricher({ inventoryFiles: INVENTORY_FILES, region: "us-east-1" });
}, 30_000);
afterAll(() => s3?.stop());

/** Records published alerts; fails the aliases (or every call) it is told to. */
class RecordingSink implements AlertSink {
  published: SnsAlert[] = [];
  failAliases = new Set<string>();
  failAll = false;
  async publish(alerts: readonly SnsAlert[]): Promise<PublishResult> {
    if (this.failAll) throw new Error("network down");
    const failed = alerts.filter((a) => this.failAliases.has(a.alias));
    this.published.push(...alerts.filter((a) => !this.failAliases.has(a.alias)));
    if (failed.length > 0) throw new PublishError(failed.map((a) => ({ alias: a.alias, code: "InternalError", senderFault: false })), alerts.length, alerts.length - failed.length);
    return { published: alerts.length, duplicates: 0, calls: 1 };
  }
}

let out: Observed | undefined;
afterEach(() => {
  out?.restore();
  out = undefined;
});

function setup(overrides: Partial<FlowLogHandlerDeps> = {}) {
  out = observe();
  const sink = new RecordingSink();
  const handlers = createFlowLogHandlers({ ruleSet, enricher, s3: s3.s3, sink, log: out.log, metrics: out.metricsSink, ...overrides });
  return { handlers, sink, logs: out.logs, metrics: out.metrics };
}

const ruleIds = (alerts: readonly SnsAlert[]) => alerts.map((a) => a.messageAttributes.ruleId?.StringValue).sort();
const EXPECTED_RULES = SAMPLE_FINDINGS.map((l) => l.split(" ")[1]).sort();

function kinesisEvent(datas: string[]) {
  return {
    Records: datas.map((data, i) => ({
      eventID: `shardId-000000000000:4959${i}`,
      eventSource: "aws:kinesis",
      kinesis: { data, sequenceNumber: `4959000000000000000000000000000000000000000000000000000${i}`, partitionKey: "p" },
    })),
  };
}

describe("Kinesis handler", () => {
  it("evaluates each record's CloudWatch payload and publishes the alerts", async () => {
    const { handlers, sink, logs } = setup();
    const messages = sampleMessages();
    // Split between two records on a pair boundary (after line 13), plus a control message.
    const event = kinesisEvent([cloudWatchData(messages.slice(0, 12)), cloudWatchData([], "CONTROL_MESSAGE"), cloudWatchData(messages.slice(12))]);
    expect(await handlers.kinesis(event, { awsRequestId: "req-1" })).toEqual({ batchItemFailures: [] });
    // The untagged instance talks in both payloads: two findings, one alias (OpsGenie counts it twice).
    expect(ruleIds(sink.published)).toEqual([...EXPECTED_RULES, "required-tags"].sort());
    const tagAliases = new Set(sink.published.filter((a) => a.messageAttributes.ruleId?.StringValue === "required-tags").map((a) => a.alias));
    expect(tagAliases.size).toBe(1);
    expect(logs().at(-1)).toMatchObject({ message: "invocation done", trigger: "kinesis", function_request_id: "req-1", inputs: 2, ignored: 1, records: 30, findings: SAMPLE_FINDINGS.length + 1 });
  });

  it("skips records that cannot be decoded without failing the batch, with an error and a metric", async () => {
    const { handlers, sink, logs, metrics } = setup();
    const event = kinesisEvent([Buffer.from("not gzip").toString("base64"), cloudWatchData(sampleMessages().slice(0, 2))]);
    expect(await handlers.kinesis(event)).toEqual({ batchItemFailures: [] });
    expect(ruleIds(sink.published)).toEqual(["flow-ssh-rdp-accepted-from-internet", "required-tags", "sg-internet-ingress-port-not-allowed"]);
    expect(logs().find((l) => l.level === "ERROR")).toMatchObject({
      message: "input skipped: it cannot be processed",
      input: `kinesis:${event.Records[0]!.kinesis.sequenceNumber}`,
      error: expect.stringMatching(/^not a base64 gzip JSON CloudWatch Logs payload/),
    });
    expect(metrics()).toEqual({ InputsSkipped: 1 });
  });

  it("returns the records whose alerts failed to publish as batchItemFailures, and only those", async () => {
    const { handlers, sink } = setup();
    const messages = sampleMessages();
    const event = kinesisEvent([cloudWatchData(messages.slice(0, 2)), cloudWatchData(messages.slice(28, 29))]);
    // First learn the SKIPDATA alert's alias, then make it fail.
    await handlers.kinesis(event);
    const skipAlias = sink.published.find((a) => a.messageAttributes.ruleId?.StringValue === "flow-log-records-skipped")!.alias;
    sink.published = [];
    sink.failAliases.add(skipAlias);
    const response = await handlers.kinesis(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }]);
    expect(ruleIds(sink.published)).toEqual(["flow-ssh-rdp-accepted-from-internet", "required-tags", "sg-internet-ingress-port-not-allowed"]);
  });

  it("fails every record with alerts when publishing fails outright", async () => {
    const { handlers, sink } = setup();
    sink.failAll = true;
    const event = kinesisEvent([cloudWatchData(sampleMessages().slice(0, 2)), cloudWatchData(["2 123456789012 eni-0a1b2c3d4e5f60005 10.0.2.40 10.0.0.50 51000 443 6 15 1800 1718000000 1718000060 REJECT OK"])]);
    expect((await handlers.kinesis(event)).batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }]);
  });

  it("retries a record whose evaluation failed unexpectedly (an enrichment outage)", async () => {
    const broken: Enricher = { ...enricher, directory: { ...enricher.directory, prefetch: async () => Promise.reject(new Error("socket hang up")) } };
    const { handlers } = setup({ enricher: broken });
    const event = kinesisEvent([cloudWatchData(sampleMessages().slice(0, 2))]);
    expect((await handlers.kinesis(event)).batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }]);
  });
});

describe("CloudWatch Logs subscription handler", () => {
  it("decodes awslogs.data, evaluates and publishes", async () => {
    const { handlers, sink } = setup();
    const summary = await handlers.cloudWatch({ awslogs: { data: cloudWatchData(sampleMessages()) } });
    expect(summary).toMatchObject({ trigger: "cloudwatch", inputs: 1, evaluated: 1, records: 30, findings: SAMPLE_FINDINGS.length, alerts: SAMPLE_FINDINGS.length, published: SAMPLE_FINDINGS.length });
    expect(ruleIds(sink.published)).toEqual(EXPECTED_RULES);
  });

  it("ignores control messages and drops undecodable payloads with an error log", async () => {
    const { handlers, logs } = setup();
    expect(await handlers.cloudWatch({ awslogs: { data: cloudWatchData([], "CONTROL_MESSAGE") } })).toMatchObject({ ignored: 1, inputs: 0, records: 0 });
    expect(await handlers.cloudWatch({ awslogs: { data: "bm90IGd6aXA=" } })).toMatchObject({ skipped: 1, failed: 0 });
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "input skipped: it cannot be processed", input: "awslogs.data" }));
  });

  it("throws when alerts cannot be published, so the invocation is retried", async () => {
    const { handlers, sink } = setup();
    sink.failAll = true;
    await expect(handlers.cloudWatch({ awslogs: { data: cloudWatchData(sampleMessages().slice(0, 2)) } })).rejects.toMatchObject({
      kind: "retryable",
      message: expect.stringMatching(/^event: 1 input failed and will be retried: cloudwatch:.*: alerts not published: network down$/),
    });
  });

  it("rejects an event that is not a subscription event", async () => {
    const { handlers } = setup();
    await expect(handlers.cloudWatch({ Records: [] })).rejects.toThrow(/expected a CloudWatch Logs subscription event with awslogs.data/);
  });
});

function s3Event(key: string, eventName = "ObjectCreated:Put") {
  return { Records: [{ eventSource: "aws:s3", eventName, s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/") } } }] };
}

describe("S3 handler", () => {
  it("reads a delivered .log.gz (header line first) and publishes its alerts", async () => {
    const { handlers, sink } = setup();
    const summary = await handlers.s3(s3Event(KEY));
    expect(summary).toMatchObject({ trigger: "s3", inputs: 1, records: 30, findings: SAMPLE_FINDINGS.length, published: SAMPLE_FINDINGS.length, failed: 0 });
    expect(ruleIds(sink.published)).toEqual(EXPECTED_RULES);
    const message = JSON.parse(sink.published[0]!.message) as { details?: Record<string, string>; description?: string };
    expect(JSON.stringify(message)).toContain(`s3://${BUCKET}/${KEY}`);
  });

  it("accepts S3 events wrapped in SNS, with URL-encoded keys", async () => {
    const { handlers, sink } = setup();
    const event = { Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(s3Event(SPACED_KEY)) } }] };
    expect(await handlers.s3(event)).toMatchObject({ inputs: 1, findings: SAMPLE_FINDINGS.length });
    expect(sink.published).toHaveLength(SAMPLE_FINDINGS.length);
  });

  it("skips objects that cannot be processed, and throws after publishing when a read may succeed later", async () => {
    const { handlers, sink, logs } = setup();
    const event = { Records: [...s3Event("missing.log.gz").Records, ...s3Event("truncated.log.gz").Records, ...s3Event(KEY).Records] };
    expect(await handlers.s3(event)).toMatchObject({ inputs: 3, skipped: 2, failed: 0, findings: SAMPLE_FINDINGS.length });
    expect(logs().filter((l) => l.message === "input skipped: it cannot be processed").map((l) => [l.input, l.error])).toEqual([
      [`s3://${BUCKET}/missing.log.gz`, expect.stringMatching(/^could not read from S3 \(NoSuchKey/)],
      [`s3://${BUCKET}/truncated.log.gz`, expect.stringMatching(/^not a valid gzip file/)],
    ]);
    expect(sink.published).toHaveLength(SAMPLE_FINDINGS.length);

    // A server error is worth retrying: the alerts found so far go out first.
    const flaky = { send: jest.fn().mockRejectedValueOnce(Object.assign(new Error("We encountered an internal error."), { name: "InternalError", $metadata: { httpStatusCode: 500 } })).mockImplementation((c) => s3.s3.send(c)) };
    const retrying = setup({ s3: flaky });
    await expect(retrying.handlers.s3({ Records: [...s3Event("x.log.gz").Records, ...s3Event(KEY).Records] })).rejects.toThrow(InputFailure);
    expect(retrying.logs()).toContainEqual(expect.objectContaining({ message: "input failed; it will be retried", input: `s3://${BUCKET}/x.log.gz`, error: expect.stringMatching(/InternalError/) }));
    expect(retrying.sink.published).toHaveLength(SAMPLE_FINDINGS.length);
  });

  it("skips Parquet deliveries, deletions and test events with a reason", () => {
    const intake = objectDelivery({
      Records: [
        ...s3Event("AWSLogs/x.parquet").Records,
        ...s3Event(KEY, "ObjectRemoved:Delete").Records,
        { EventSource: "aws:sns", Sns: { Message: JSON.stringify({ Event: "s3:TestEvent", Bucket: BUCKET }) } },
      ],
    }, classifyFlowLogKey);
    if (intake.kind !== "objects") throw new Error(`expected objects, got ${intake.kind}`);
    expect(intake.objects).toEqual([]);
    expect(intake.skipped.map((s) => s.reason)).toEqual([
      "Parquet flow logs are not supported; deliver plain-text files",
      "ObjectRemoved:Delete is not an object creation",
      "S3 test event",
    ]);
  });

  it("prints alerts instead of publishing with the dry-run sink, one per alias", async () => {
    const out: string[] = [];
    const { handlers } = setup({ sink: new DryRunAlertSink({ write: (l: string) => out.push(l) }) });
    await handlers.s3(s3Event(KEY));
    // One alert per finding: observed SSH and ICMP into sg-...0001 are told apart by protocol, port and source.
    expect(out).toHaveLength(SAMPLE_FINDINGS.length);
    expect(new Set(out.map((o) => (JSON.parse(o) as { message: { alias: string } }).message.alias)).size).toBe(SAMPLE_FINDINGS.length);
    expect(JSON.parse(out[0]!)).toMatchObject({ attributes: { subjectSource: "flowlog", accountId: "123456789012", region: "us-east-1" } });
  });
});
