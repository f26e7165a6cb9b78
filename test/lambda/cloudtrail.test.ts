/**
 * The CloudTrail Lambda handler end to end: objects in a real S3 protocol server (s3rver), alerts
 * published to a real SNS protocol server (fauxqs), both on loopback through the real SDK clients.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { DryRunAlertSink, SnsAlertSink, type OpsGenieAlert } from "../../src/alerts";
import { createCloudTrailHandler, type CloudTrailHandlerDeps } from "../../src/lambda/cloudtrailHandler";
import type { S3BatchResponse } from "../../src/lambda/envelopes";
import type { RuleSet } from "../../src/engine/ruleset";
import { InputFailure, UserError } from "../../src/util/errors";
import { badLogs, expectedAlerts, goodLog, goodRecords, hugeRecordLog, logKey, missionRuleSet, NIGHT_KEY_EVENT_ID, sampleRecord } from "../helpers/cloudtrailFixtures";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";
import { SAMPLE_POLICY_FILE } from "../helpers/samplePolicy";
import { startSnsServer, type ReceivedSnsMessage, type SnsTestServer } from "../helpers/snsServer";
import { observe, type Observed } from "./observe";

const BUCKET = "acme-cloudtrail-logs";
const GOOD = logKey("Good0000Good0000");
const GOOD_SPACED = "trail logs/" + logKey("Spaced00Spaced00");
const DIGEST = "AWSLogs/123837392027/CloudTrail-Digest/us-east-1/2023/07/11/123837392027_CloudTrail-Digest_us-east-1_management_us-east-1_20230711T013000Z.json.gz";
const HUGE = logKey("Huge0000Huge0000");
const BAD = Object.fromEntries(badLogs().map((b) => [b.name, { ...b, key: logKey(`Bad-${b.name}`.padEnd(16, "0").slice(0, 16)) }]));

let s3: S3TestServer;
let sns: SnsTestServer;
let ruleSet: RuleSet;

beforeAll(async () => {
  [s3, sns] = await Promise.all([startS3Server({ buckets: [BUCKET] }), startSnsServer()]);
  ruleSet = missionRuleSet();
  await s3.put(BUCKET, GOOD, goodLog());
  await s3.put(BUCKET, GOOD_SPACED, goodLog());
  await s3.put(BUCKET, DIGEST, goodLog());
  await s3.put(BUCKET, HUGE, hugeRecordLog());
  for (const bad of Object.values(BAD)) await s3.put(BUCKET, bad.key, bad.body);
}, 30_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), sns?.stop()]);
});

let out: Observed | undefined;
afterEach(async () => {
  out?.restore();
  out = undefined;
  await sns.drain();
});

function setup(overrides: Partial<CloudTrailHandlerDeps> = {}) {
  out = observe();
  const handler = createCloudTrailHandler({ ruleSet, s3: s3.s3, sink: new SnsAlertSink(sns.sns, sns.topicArn, { sleep: async () => {} }), log: out.log, metrics: out.metricsSink, ...overrides });
  return { handler, logs: out.logs, metrics: out.metrics };
}

function published(messages: ReceivedSnsMessage[]) {
  return messages
    .map((m) => {
      const body = JSON.parse(m.message) as OpsGenieAlert;
      return { ruleId: m.attributes.ruleId, subject: m.subject, alias: body.alias, priority: body.priority };
    })
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

function snsEvent(message: unknown) {
  return { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", Sns: { Type: "Notification", MessageId: "m-1", Message: JSON.stringify(message) } }] };
}

function s3Record(key: string, eventName = "ObjectCreated:Put") {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2023-07-11T01:30:00.000Z",
    eventName,
    s3: { s3SchemaVersion: "1.0", bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }, object: { key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"), size: 1 } },
  };
}

describe("CloudTrail SNS notification", () => {
  it("publishes exactly the mission's alerts, skips the digest, and logs counts as JSON lines", async () => {
    const { handler, logs } = setup();
    const summary = await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD, DIGEST] }), { awsRequestId: "req-1" });
    expect(summary).toEqual({ trigger: "cloudtrail", inputs: 1, evaluated: 1, ignored: 1, skipped: 0, failed: 0, records: goodRecords().length, findings: 3, alerts: 3, published: 3 });

    const received = await sns.drain({ expected: 3 });
    expect(published(received)).toEqual(expectedAlerts());
    const body = JSON.parse(received.find((m) => m.message.includes(NIGHT_KEY_EVENT_ID))!.message) as OpsGenieAlert;
    expect(body.description).toContain("Actor: arn:aws:iam::123837392027:user/bert-jan");
    expect(body.description).toContain("#/events/" + NIGHT_KEY_EVENT_ID);

    const lines = logs();
    // Powertools' shape: the request id under function_request_id, the trigger on every line of the invocation.
    expect(lines.every((l) => l.function_request_id === "req-1" && l.trigger === "cloudtrail" && l.service === "parapet" && typeof l.timestamp === "string")).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: "INFO", message: "input ignored", key: DIGEST }));
    expect(lines).toContainEqual(expect.objectContaining({ message: "input evaluated", input: `s3://${BUCKET}/${GOOD}`, records: 9, findings: 3 }));
    expect(lines).toContainEqual(expect.objectContaining({ message: "invocation done", trigger: "cloudtrail", published: 3 }));
  });

  it("redelivery of the same file publishes the same aliases (OpsGenie merges them)", async () => {
    const { handler } = setup();
    await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD] }));
    const first = published(await sns.drain({ expected: 3 }));
    await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD] }));
    const second = published(await sns.drain({ expected: 3 }));
    expect(second).toEqual(first);
  });

  it("logs each malformed object with its own clear error and a metric, and still processes the rest", async () => {
    const { handler, logs, metrics } = setup();
    const keys = [...Object.values(BAD).map((b) => b.key), GOOD, logKey("Missing0Missing0"), HUGE];
    const summary = await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: keys }));
    expect(summary).toMatchObject({ inputs: keys.length, skipped: Object.keys(BAD).length + 1, failed: 0, findings: 4, published: 4 });
    expect(metrics()).toEqual({ InputsSkipped: Object.keys(BAD).length + 1 });

    const errors = logs().filter((l) => l.level === "ERROR");
    for (const bad of Object.values(BAD)) {
      const line = errors.find((l) => l.input === `s3://${BUCKET}/${bad.key}`);
      expect(line).toMatchObject({ message: "input skipped: it cannot be processed", failure: "permanent" });
      expect(line?.error).toMatch(bad.error);
    }
    expect(errors.find((l) => String(l.input).includes("Missing0"))?.error).toMatch(/could not read from S3 \(NoSuchKey/);
    // The huge record is an ordinary untagged launch: one more alert.
    const received = published(await sns.drain({ expected: 4 }));
    expect(received.map((a) => a.alias)).toEqual(expect.arrayContaining(expectedAlerts().map((a) => a.alias)));
    expect(received).toHaveLength(4);
  });

  it("publishes the alerts of the records before a truncated gzip breaks, and logs where it broke", async () => {
    // An untagged launch, then benign reads with hashed ids (so gzip offsets track record offsets), cut at 60%.
    const read = sampleRecord("Error_AccessDenied.invictus.json");
    const filler = Array.from({ length: 300 }, (_, i) => ({ ...read, eventID: `filler-${i}`, requestID: createHash("sha256").update(String(i)).digest("hex") }));
    const whole = gzipSync(JSON.stringify({ Records: [sampleRecord("RunInstances_success_tagSpecificationSet.invictus.json"), ...filler] }));
    const key = logKey("Trunc000Trunc000");
    await s3.put(BUCKET, key, whole.subarray(0, Math.floor(whole.length * 0.6)));

    const { handler, logs } = setup();
    const summary = await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [key] }));
    expect(summary).toMatchObject({ inputs: 1, skipped: 1, findings: 1, alerts: 1, published: 1 });
    expect((summary as { records: number }).records).toBeGreaterThan(50);
    const received = published(await sns.drain({ expected: 1 }));
    expect(received.map((a) => a.alias)).toEqual(expectedAlerts().filter((a) => a.ruleId === "required-tags").map((a) => a.alias));
    const error = logs().find((l) => l.level === "ERROR" && l.input === `s3://${BUCKET}/${key}`);
    expect(error).toMatchObject({ message: "input skipped: it cannot be processed", failure: "permanent", findings: 1 });
    expect(error?.error).toMatch(/^corrupt or truncated gzip \(unexpected end of file\) after [\d,]+ bytes of log text \([\d,]+ bytes of gzip read\); [\d,]+ records before the break were evaluated$/);
  });

  it("throws so Lambda retries when a read fails for a transient reason, after publishing the other objects' alerts", async () => {
    const down = new S3Client({ ...s3.clientConfig, endpoint: "http://127.0.0.1:9" });
    // The first object goes through the unreachable endpoint, the second through the real server.
    let calls = 0;
    const flaky = { send: (command: Parameters<S3Client["send"]>[0]) => (++calls === 1 ? down.send(command) : s3.s3.send(command)) } as unknown as S3Client;
    const { handler, logs, metrics } = setup({ s3: flaky, concurrency: 1 });
    const failure = handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD_SPACED, GOOD] }));
    await expect(failure).rejects.toThrow(InputFailure);
    await expect(failure).rejects.toMatchObject({ kind: "retryable", message: expect.stringMatching(/^event: 1 input failed and will be retried: s3:\/\/.*Spaced00.*could not read from S3/) });
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", failure: "retryable", message: "input failed; it will be retried" }));
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", failure: "retryable", message: "invocation failed" }));
    expect(metrics()).toEqual({ InputsFailed: 1 });
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
    down.destroy();
  });

  it("throws when the alerts finally cannot be published", async () => {
    const missing = sns.topicArn.replace(/[^:]+$/, "no-such-topic");
    const { handler, logs } = setup({ sink: new SnsAlertSink(sns.sns, missing, { sleep: async () => {} }) });
    await expect(handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD] }))).rejects.toThrow(/alerts not published: SNS publish failed/);
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "alerts not published" }));
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "input failed; it will be retried", input: `s3://${BUCKET}/${GOOD}` }));
  });

  it("fails loudly on an event it does not recognize, so it reaches the dead-letter path", async () => {
    const { handler, logs } = setup();
    await expect(handler({ hello: "world" })).rejects.toThrow(UserError);
    expect(logs()[0]).toMatchObject({ level: "ERROR", message: "invocation failed", failure: "user", error: expect.stringMatching(/^unrecognized Lambda event: .*top-level keys: hello/) });
  });
});

describe("S3 event notifications", () => {
  it("direct, with a URL-encoded key, publishes the same alerts as the SNS notification", async () => {
    const { handler } = setup();
    const summary = await handler({ Records: [s3Record(GOOD_SPACED), s3Record(GOOD, "ObjectRemoved:Delete")] });
    expect(summary).toMatchObject({ trigger: "cloudtrail", inputs: 1, ignored: 1, failed: 0, published: 3 });
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
  });

  it("wrapped in SNS", async () => {
    const { handler } = setup();
    await handler(snsEvent({ Records: [s3Record(GOOD)] }));
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
  });

  it("through EventBridge (S3 Object Created, key not encoded)", async () => {
    const { handler } = setup();
    const event = { version: "0", id: "eb-s3", "detail-type": "Object Created", source: "aws.s3", account: "123837392027", time: "2023-07-11T01:30:00Z", region: "us-east-1", resources: [`arn:aws:s3:::${BUCKET}`], detail: { version: "0", bucket: { name: BUCKET }, object: { key: GOOD_SPACED, size: 1 }, "request-id": "R", requester: "cloudtrail.amazonaws.com", reason: "PutObject" } };
    await expect(handler(event)).resolves.toMatchObject({ inputs: 1, evaluated: 1, published: 3 });
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
  });
});

describe("EventBridge", () => {
  const event = (detail: unknown, detailType = "AWS API Call via CloudTrail") => ({
    version: "0",
    id: "eb-1",
    "detail-type": detailType,
    source: "aws.iam",
    account: "123837392027",
    time: "2023-07-11T01:24:50Z",
    region: "us-east-1",
    resources: [],
    detail,
  });

  it("evaluates the inline record and publishes its alert with the same alias a log file would give", async () => {
    const { handler } = setup();
    const night = goodRecords().find((r) => r.eventID === NIGHT_KEY_EVENT_ID);
    const summary = await handler(event(night));
    expect(summary).toMatchObject({ inputs: 1, evaluated: 1, records: 1, findings: 1, published: 1 });
    expect(published(await sns.drain({ expected: 1 }))).toEqual(expectedAlerts().filter((a) => a.ruleId === "iam-change-outside-business-hours"));
  });

  it("ignores Insights events, and skips a malformed detail with an error and a metric, without throwing", async () => {
    const { handler, logs, metrics } = setup();
    await expect(handler(event({}, "AWS Insight via CloudTrail"))).resolves.toMatchObject({ ignored: 1, inputs: 0 });
    await expect(handler(event({ eventName: "RunInstances" }))).resolves.toMatchObject({ skipped: 1, failed: 0, findings: 0 });
    expect(logs()).toContainEqual(expect.objectContaining({ level: "WARN", message: "input problem", input: "eventbridge:eb-1", error: expect.stringMatching(/^\/detail: /) }));
    expect(logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "input skipped: it cannot be processed", input: "eventbridge:eb-1" }));
    expect(metrics()).toEqual({ InputsSkipped: 1 });
    expect(await sns.drain()).toHaveLength(0);
  });

  it("a benign record publishes nothing", async () => {
    const { handler } = setup();
    await expect(handler(event(sampleRecord("CreateUser.invictus.json")))).resolves.toMatchObject({ findings: 0, published: 0 });
  });
});

describe("S3 Batch Operations", () => {
  const tasks1 = (keys: string[]) => ({
    invocationSchemaVersion: "1.0",
    invocationId: "inv-1",
    job: { id: "job-1" },
    tasks: keys.map((key, i) => ({ taskId: `t${i}`, s3Key: encodeURIComponent(key), s3VersionId: null, s3BucketArn: `arn:aws:s3:::${BUCKET}` })),
  });

  it("schema 1.0: answers the task in the 1.0 response shape and publishes its alerts", async () => {
    const { handler } = setup();
    const response = (await handler(tasks1([GOOD]))) as S3BatchResponse;
    expect(response).toEqual({
      invocationSchemaVersion: "1.0",
      treatMissingKeysAs: "PermanentFailure",
      invocationId: "inv-1",
      results: [{ taskId: "t0", resultCode: "Succeeded", resultString: "9 records, 3 findings, 3 alerts, 0 problems" }],
    });
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
  });

  it("schema 2.0: a result code per task — succeeded, skipped, bad, missing and malformed", async () => {
    const { handler } = setup();
    const event = {
      invocationSchemaVersion: "2.0",
      invocationId: "inv-2",
      job: { id: "job-2", userArguments: { mode: "backfill" } },
      tasks: [
        { taskId: "good", s3Bucket: BUCKET, s3Key: encodeURIComponent(GOOD), s3VersionId: null },
        { taskId: "digest", s3Bucket: BUCKET, s3Key: DIGEST, s3VersionId: null },
        { taskId: "truncated", s3Bucket: BUCKET, s3Key: BAD.truncated!.key, s3VersionId: null },
        { taskId: "missing", s3Bucket: BUCKET, s3Key: logKey("Missing0Missing0"), s3VersionId: null },
        { taskId: "malformed", s3Bucket: BUCKET },
      ],
    };
    const response = (await handler(event)) as S3BatchResponse;
    expect(response.invocationSchemaVersion).toBe("2.0");
    expect(response.invocationId).toBe("inv-2");
    expect(response.treatMissingKeysAs).toBe("PermanentFailure");
    expect(response.results.map((r) => [r.taskId, r.resultCode])).toEqual([
      ["good", "Succeeded"],
      ["digest", "Succeeded"],
      ["truncated", "PermanentFailure"],
      ["missing", "PermanentFailure"],
      ["malformed", "PermanentFailure"],
    ]);
    expect(response.results[1]!.resultString).toMatch(/^skipped: CloudTrail digest file/);
    expect(response.results[2]!.resultString).toMatch(/corrupt or truncated gzip/);
    expect(response.results[3]!.resultString).toMatch(/NoSuchKey/);
    expect(published(await sns.drain({ expected: 3 }))).toEqual(expectedAlerts());
  });

  it("a transient read failure or an unpublished alert is a TemporaryFailure, which Batch Operations retries", async () => {
    const flaky = new S3Client({ ...s3.clientConfig, endpoint: "http://127.0.0.1:9" });
    const down = setup({ s3: flaky });
    const r1 = (await down.handler(tasks1([GOOD]))) as S3BatchResponse;
    expect(r1.results[0]).toMatchObject({ taskId: "t0", resultCode: "TemporaryFailure" });
    flaky.destroy();

    const dead = new SNSClient({ ...sns.clientConfig, endpoint: "http://127.0.0.1:9" });
    const noTopic = setup({ sink: new SnsAlertSink(dead, sns.topicArn, { sleep: async () => {}, maxAttempts: 2 }) });
    const r2 = (await noTopic.handler(tasks1([GOOD]))) as S3BatchResponse;
    expect(r2.results[0]).toMatchObject({ taskId: "t0", resultCode: "TemporaryFailure", resultString: expect.stringMatching(/not published/) });
    dead.destroy();
  });
});

describe("dry run", () => {
  it("prints the alerts as JSON lines instead of publishing", async () => {
    const printed: string[] = [];
    const { handler } = setup({ sink: new DryRunAlertSink({ write: (l: string) => printed.push(l) }) });
    await handler(snsEvent({ s3Bucket: BUCKET, s3ObjectKey: [GOOD] }));
    const alerts = printed.map((l) => JSON.parse(l) as { subject: string; message: OpsGenieAlert });
    expect(alerts.map((a) => a.message.alias).sort()).toEqual(expectedAlerts().map((a) => a.alias));
    expect(await sns.drain()).toHaveLength(0);
  });
});

describe("the deployed entry point", () => {
  it("builds config, rules and clients at init and, in dry-run mode, prints alerts for an EventBridge record", async () => {
    const saved = { ...process.env };
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      process.env.PARAPET_DRY_RUN = "true";
      process.env.AWS_REGION = "us-east-1";
      process.env.PARAPET_CONFIG = SAMPLE_POLICY_FILE; // a team's business hours: parapet has none by default
      let entry: typeof import("../../src/lambda/cloudtrail") | undefined;
      jest.isolateModules(() => {
        entry = require("../../src/lambda/cloudtrail") as typeof import("../../src/lambda/cloudtrail");
      });
      const night = goodRecords().find((r) => r.eventID === NIGHT_KEY_EVENT_ID);
      await entry!.handler({ version: "0", id: "eb-2", "detail-type": "AWS API Call via CloudTrail", source: "aws.iam", detail: night });
    } finally {
      spy.mockRestore();
      process.env = saved;
    }
    const lines = writes.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: "INFO", message: "initialized", dryRun: true });
    const alert = lines.find((l) => typeof l.subject === "string") as { subject: string; message: OpsGenieAlert } | undefined;
    expect(alert?.message.alias).toBe(expectedAlerts().find((a) => a.ruleId === "iam-change-outside-business-hours")!.alias);
  });

  it("refuses to start without a topic unless dry-run is asked for", () => {
    const saved = { ...process.env };
    delete process.env.PARAPET_DRY_RUN;
    delete process.env.PARAPET_ALERT_TOPIC_ARN;
    try {
      jest.isolateModules(() => {
        expect(() => require("../../src/lambda/cloudtrail")).toThrow(/PARAPET_ALERT_TOPIC_ARN/);
      });
    } finally {
      process.env = saved;
    }
  });
});
