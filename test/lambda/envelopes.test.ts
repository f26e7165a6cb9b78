/**
 * Lambda event parsing, one trigger kind at a time, from realistic events (test/fixtures/events:
 * the shapes AWS documents for each trigger, with CloudTrail and flow-log keys).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KinesisStreamEvent } from "aws-lambda";
import type { Subject } from "../../src/engine/model";
import { batchResponse, cloudTrailDelivery, decodeS3EventKey, objectDelivery, parseKinesisRecord, parseSubscriptionEvent, type CloudTrailDelivery } from "../../src/lambda/envelopes";
import { classifyFlowLogKey } from "../../src/pipeline/flowlogInputs";
import { classifyLogKey, recordToSubjects } from "../../src/sources/cloudtrail";
import { UserError } from "../../src/util/errors";

const EVENTS = join(__dirname, "../fixtures/events");
const event = (name: string): unknown => JSON.parse(readFileSync(join(EVENTS, name), "utf8"));

const BUCKET = "acme-cloudtrail-logs";
const LOG = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1225Z_Mu0KsOhtH1ar15ZZ.json.gz";
const ORG_LOG = "AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2024/08/01/444455556666_CloudTrail_eu-west-1_20240801T1225Z_p9QeRt5sUvWxYz01.json.gz";
const SPACED_LOG = "trail archive/AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1230Z_Zx9Yw8Vu7Ts6Rq5P.json.gz";

function objects(delivery: CloudTrailDelivery) {
  if (delivery.kind !== "objects") throw new Error(`expected objects, got ${delivery.kind}`);
  return delivery;
}

function batch(delivery: CloudTrailDelivery) {
  if (delivery.kind !== "batch") throw new Error(`expected batch, got ${delivery.kind}`);
  return delivery.invocation;
}

describe("S3 objects named by notifications", () => {
  test("CloudTrail's SNS delivery notification: every key, digest skipped, organization layout kept", () => {
    const delivery = objects(cloudTrailDelivery(event("sns-cloudtrail-notification.json"), classifyLogKey));
    expect(delivery.objects).toEqual([
      { bucket: BUCKET, key: LOG },
      { bucket: BUCKET, key: ORG_LOG },
    ]);
    expect(delivery.skipped).toEqual([{ bucket: BUCKET, key: expect.stringContaining("CloudTrail-Digest"), reason: expect.stringMatching(/digest/) }]);
  });

  test("direct S3 event: URL-decoded key with + as space, size kept; digest and deletions skipped", () => {
    const delivery = objects(cloudTrailDelivery(event("s3-event-direct.json"), classifyLogKey));
    expect(delivery.objects).toEqual([{ bucket: BUCKET, key: SPACED_LOG, size: 5123 }]);
    expect(delivery.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/digest/), "ObjectRemoved:Delete is not an object creation"]);
  });

  test("S3 event wrapped in SNS keeps the version id", () => {
    const delivery = objects(cloudTrailDelivery(event("s3-event-via-sns.json"), classifyLogKey));
    expect(delivery.objects).toEqual([{ bucket: BUCKET, key: ORG_LOG, versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", size: 5123 }]);
  });

  test("the S3 test event is skipped, not an error", () => {
    const delivery = objects(cloudTrailDelivery(event("s3-test-event-via-sns.json"), classifyLogKey));
    expect(delivery.objects).toEqual([]);
    expect(delivery.skipped).toEqual([{ bucket: BUCKET, reason: "S3 test event" }]);
  });

  test("EventBridge S3 Object Created: the key as given (not URL-encoded), version and size kept", () => {
    const delivery = objects(cloudTrailDelivery(event("eventbridge-s3-object-created.json"), classifyLogKey));
    expect(delivery).toEqual({ kind: "objects", objects: [{ bucket: BUCKET, key: SPACED_LOG, versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", size: 5123 }], skipped: [] });
  });

  test("the same notification read with the flow-log filter skips CloudTrail keys, saying why", () => {
    const delivery = objectDelivery(event("s3-event-via-sns.json"), classifyFlowLogKey);
    expect(delivery).toEqual({ kind: "objects", objects: [], skipped: [{ bucket: BUCKET, key: ORG_LOG, reason: "not a flow log file (.log or .log.gz)" }] });
  });

  test.each([
    ["a+b%2Bc%20d.json.gz", "a b+c d.json.gz"],
    ["100%25.json.gz", "100%.json.gz"],
    ["bad%E0%A4%A.json.gz", "bad%E0%A4%A.json.gz"],
  ])("S3 event key %s decodes to %s", (raw, decoded) => {
    expect(decodeS3EventKey(raw)).toBe(decoded);
  });
});

describe("S3 Batch Operations", () => {
  test("schema 1.0: bucket from the ARN, task ids kept, digest task skipped", () => {
    expect(batch(cloudTrailDelivery(event("s3-batch-1.0.json"), classifyLogKey))).toEqual({
      invocationSchemaVersion: "1.0",
      invocationId: "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
      jobId: "f3cc4f60-61f6-4a2b-8a21-d07600c373ce",
      tasks: [
        { taskId: "dGFza2lkZ29lc2hlcmUK", status: "read", object: { bucket: BUCKET, key: LOG } },
        { taskId: "dGFza2lkZ29lc2hlcmUL", status: "skip", bucket: BUCKET, key: expect.stringContaining("Digest"), reason: expect.stringMatching(/digest/) },
      ],
    });
  });

  test("schema 2.0: bucket by name, encoded key decoded, other services skipped, bad task invalid, user arguments kept", () => {
    const invocation = batch(cloudTrailDelivery(event("s3-batch-2.0.json"), classifyLogKey));
    expect(invocation.invocationSchemaVersion).toBe("2.0");
    expect(invocation.userArguments).toEqual({ mode: "backfill" });
    expect(invocation.tasks).toEqual([
      { taskId: "AAAAAAAAAAGxvZzE", status: "read", object: { bucket: BUCKET, key: ORG_LOG, versionId: "1" } },
      { taskId: "AAAAAAAAAAGxvZzI", status: "skip", bucket: BUCKET, key: expect.stringContaining("/Config/"), reason: "Config file under AWSLogs, not a CloudTrail log" },
      { taskId: "AAAAAAAAAAGxvZzM", status: "invalid", reason: "task names no bucket or key" },
    ]);
  });

  test("the response echoes schema and invocation id, answers every task, and bounds result strings", () => {
    const invocation = batch(cloudTrailDelivery(event("s3-batch-2.0.json"), classifyLogKey));
    const response = batchResponse(invocation, new Map([["AAAAAAAAAAGxvZzE", { resultCode: "TemporaryFailure", resultString: "x".repeat(5_000) }]]));
    expect(response).toMatchObject({ invocationSchemaVersion: "2.0", invocationId: "Jr3s8KZqYeE9FnA2vZ3m1Q", treatMissingKeysAs: "PermanentFailure" });
    expect(response.results.map((r) => [r.taskId, r.resultCode])).toEqual([
      ["AAAAAAAAAAGxvZzE", "TemporaryFailure"],
      ["AAAAAAAAAAGxvZzI", "Succeeded"],
      ["AAAAAAAAAAGxvZzM", "PermanentFailure"],
    ]);
    expect(response.results[0]!.resultString).toHaveLength(1_000);
    expect(response.results[2]!.resultString).toBe("invalid task: task names no bucket or key");
  });
});

describe("EventBridge CloudTrail records", () => {
  test("AWS API Call via CloudTrail: the record inline, normalizable at /detail", () => {
    const delivery = cloudTrailDelivery(event("eventbridge-api-call.json"), classifyLogKey);
    if (delivery.kind !== "record") throw new Error("not a record");
    expect(delivery).toMatchObject({
      detailType: "AWS API Call via CloudTrail",
      eventId: "6f9c1f35-8a2e-4b7f-9d3c-2e5a1b0c9d8e",
      file: "eventbridge:6f9c1f35-8a2e-4b7f-9d3c-2e5a1b0c9d8e",
      pointer: "/detail",
    });
    const subjects: Subject[] = [];
    recordToSubjects(delivery.record, { file: delivery.file, pointer: delivery.pointer, index: -1 }, (s) => subjects.push(s), () => {
      throw new Error("unexpected error");
    });
    expect(subjects.map((s) => [s.type, s.location.pointer])).toEqual([
      ["Parapet::CloudTrail::ApiCall", "/detail"],
      ["AWS::EC2::SecurityGroupIngress", "/detail"],
    ]);
  });

  test("Insights events are ignored", () => {
    expect(cloudTrailDelivery(event("eventbridge-insight.json"), classifyLogKey)).toEqual({ kind: "ignored", reason: "CloudTrail Insights event" });
  });

  test("a function that reads objects only rejects a CloudTrail record", () => {
    expect(() => objectDelivery(event("eventbridge-api-call.json"), classifyFlowLogKey)).toThrow(/carries a CloudTrail record, not an S3 object/);
  });
});

describe("CloudWatch Logs subscription payloads", () => {
  test("direct subscription: awslogs.data decoded, labelled by log group and stream", () => {
    const delivery = parseSubscriptionEvent(event("cloudwatch-logs-subscription.json"));
    if (delivery.kind !== "data") throw new Error(`expected data, got ${delivery.kind}`);
    expect(delivery.label).toBe("cloudwatch:/vpc/flow-logs/eni-0a1b2c3d4e5f60001-all");
    expect(delivery.payload.logEvents.map((e) => e.message.split(" ").slice(3, 7).join(" "))).toEqual([
      "81.2.69.142 10.0.1.10 50022 22",
      "10.0.1.10 81.2.69.142 22 50022",
      "81.2.69.142 10.0.1.10 50123 3389",
    ]);
  });

  test("Kinesis: each record's payload, labelled by sequence number; control messages and undecodable data told apart", () => {
    const records = (event("kinesis-cloudwatch-logs.json") as KinesisStreamEvent).Records;
    const [data, control, broken] = records.map(parseKinesisRecord);
    expect(data).toMatchObject({ kind: "data", label: `kinesis:${records[0]!.kinesis.sequenceNumber}`, payload: { messageType: "DATA_MESSAGE", logGroup: "/vpc/flow-logs" } });
    expect(control).toMatchObject({ kind: "control", label: `kinesis:${records[1]!.kinesis.sequenceNumber}` });
    expect(broken).toEqual({ kind: "malformed", label: `kinesis:${records[2]!.kinesis.sequenceNumber}`, reason: expect.stringMatching(/^not a base64 gzip JSON CloudWatch Logs payload/) });
  });

  test("any other event is not a subscription event", () => {
    expect(() => parseSubscriptionEvent(event("s3-event-direct.json"))).toThrow(/expected a CloudWatch Logs subscription event with awslogs.data/);
  });
});

describe("events no envelope recognizes are user errors (the trigger is wired wrong), named clearly", () => {
  test.each([
    [null, /expected a JSON object/],
    [{ foo: 1 }, /top-level keys: foo/],
    [{ Records: [{ eventSource: "aws:sqs", body: "{}" }] }, /event source "aws:sqs"/],
    [{ Records: [{ eventVersion: "1.08", userIdentity: {}, eventSource: "ec2.amazonaws.com" }] }, /CloudTrail log file body/],
    [{ Records: [{ EventSource: "aws:sns", Sns: { Message: "not json" } }] }, /Sns.Message is not JSON/],
    [{ Records: [{ EventSource: "aws:sns", Sns: { Message: '{"hello":1}' } }] }, /neither a CloudTrail delivery notification nor an S3 event/],
    [{ Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" } } }] }, /no s3.bucket.name or s3.object.key/],
    [{ "detail-type": "EC2 Instance State-change Notification", detail: {} }, /carries neither a CloudTrail record nor an S3 object/],
    [{ "detail-type": "Object Created", source: "aws.s3", detail: { bucket: {} } }, /no detail.bucket.name or detail.object.key/],
    [{ invocationSchemaVersion: "3.0", invocationId: "x", tasks: [] }, /not 1.0 or 2.0/],
  ])("%j", (input, message) => {
    expect(() => cloudTrailDelivery(input, classifyLogKey)).toThrow(UserError);
    expect(() => cloudTrailDelivery(input, classifyLogKey)).toThrow(message);
    expect(() => cloudTrailDelivery(input, classifyLogKey)).toThrow(/^unrecognized Lambda event: /);
  });
});
