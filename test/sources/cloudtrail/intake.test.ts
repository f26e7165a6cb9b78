import { classifyLogKey, IntakeError, parseIntake, recordToSubjects, type Intake } from "../../../src/sources/cloudtrail";
import type { Subject } from "../../../src/engine/model";
import { event } from "./helpers";

const BUCKET = "acme-cloudtrail-logs";
const LOG = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1225Z_Mu0KsOhtH1ar15ZZ.json.gz";
const ORG_LOG =
  "AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2024/08/01/444455556666_CloudTrail_eu-west-1_20240801T1225Z_p9QeRt5sUvWxYz01.json.gz";

function objects(intake: Intake) {
  if (intake.kind !== "objects") throw new Error(`expected objects, got ${intake.kind}`);
  return intake;
}

describe("parseIntake", () => {
  test("CloudTrail's SNS notification: every key, digest skipped, organization layout kept", () => {
    const intake = objects(parseIntake(event("sns-cloudtrail-notification.json")));
    expect(intake.objects).toEqual([
      { bucket: BUCKET, key: LOG, via: "cloudtrail-sns" },
      { bucket: BUCKET, key: ORG_LOG, via: "cloudtrail-sns" },
    ]);
    expect(intake.skipped).toEqual([{ bucket: BUCKET, key: expect.stringContaining("CloudTrail-Digest"), reason: expect.stringMatching(/digest/) }]);
  });

  test("direct S3 event: URL-decoded key with + as space; digest and deletions skipped", () => {
    const intake = objects(parseIntake(event("s3-event-direct.json")));
    expect(intake.objects).toEqual([
      {
        bucket: BUCKET,
        key: "trail archive/AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1230Z_Zx9Yw8Vu7Ts6Rq5P.json.gz",
        size: 5123,
        via: "s3-event",
      },
    ]);
    expect(intake.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/digest/), "ObjectRemoved:Delete is not an object creation"]);
  });

  test("S3 event wrapped in SNS keeps the version id", () => {
    const intake = objects(parseIntake(event("s3-event-via-sns.json")));
    expect(intake.objects).toEqual([
      { bucket: BUCKET, key: ORG_LOG, versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", size: 5123, via: "s3-event-sns" },
    ]);
  });

  test("the S3 test event is skipped, not an error", () => {
    const intake = objects(parseIntake(event("s3-test-event-via-sns.json")));
    expect(intake.objects).toEqual([]);
    expect(intake.skipped).toEqual([{ bucket: BUCKET, reason: "S3 test event" }]);
  });

  test("S3 Batch Operations 1.0: bucket from the ARN, task ids kept, digest task skipped", () => {
    const intake = parseIntake(event("s3-batch-1.0.json"));
    expect(intake).toEqual({
      kind: "batch",
      invocationSchemaVersion: "1.0",
      invocationId: "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
      jobId: "f3cc4f60-61f6-4a2b-8a21-d07600c373ce",
      tasks: [
        { taskId: "dGFza2lkZ29lc2hlcmUK", status: "read", object: { bucket: BUCKET, key: LOG, via: "s3-event" } },
        { taskId: "dGFza2lkZ29lc2hlcmUL", status: "skip", bucket: BUCKET, key: expect.stringContaining("Digest"), reason: expect.stringMatching(/digest/) },
      ],
    });
  });

  test("S3 Batch Operations 2.0: bucket by name, encoded key decoded, other services skipped, bad task invalid", () => {
    const intake = parseIntake(event("s3-batch-2.0.json"));
    if (intake.kind !== "batch") throw new Error("not batch");
    expect(intake.invocationSchemaVersion).toBe("2.0");
    expect(intake.userArguments).toEqual({ mode: "backfill" });
    expect(intake.tasks).toEqual([
      { taskId: "AAAAAAAAAAGxvZzE", status: "read", object: { bucket: BUCKET, key: ORG_LOG, versionId: "1", via: "s3-event" } },
      { taskId: "AAAAAAAAAAGxvZzI", status: "skip", bucket: BUCKET, key: expect.stringContaining("/Config/"), reason: "Config file under AWSLogs, not a CloudTrail log" },
      { taskId: "AAAAAAAAAAGxvZzM", status: "invalid", reason: "task names no bucket or key" },
    ]);
  });

  test("EventBridge API call: the record inline, normalizable at /detail", () => {
    const intake = parseIntake(event("eventbridge-api-call.json"));
    if (intake.kind !== "record") throw new Error("not a record");
    expect(intake).toMatchObject({
      detailType: "AWS API Call via CloudTrail",
      eventId: "6f9c1f35-8a2e-4b7f-9d3c-2e5a1b0c9d8e",
      file: "eventbridge:6f9c1f35-8a2e-4b7f-9d3c-2e5a1b0c9d8e",
      pointer: "/detail",
    });
    const subjects: Subject[] = [];
    recordToSubjects(intake.record, { file: intake.file, pointer: intake.pointer, index: -1 }, (s) => subjects.push(s), () => {
      throw new Error("unexpected error");
    });
    expect(subjects.map((s) => [s.type, s.location.pointer])).toEqual([
      ["Parapet::CloudTrail::ApiCall", "/detail"],
      ["AWS::EC2::SecurityGroupIngress", "/detail"],
    ]);
  });

  test("EventBridge Insight events are ignored", () => {
    expect(parseIntake(event("eventbridge-insight.json"))).toEqual({ kind: "ignored", reason: "CloudTrail Insights event" });
  });

  test.each([
    [null, /expected a JSON object/],
    [{ foo: 1 }, /top-level keys: foo/],
    [{ Records: [{ eventSource: "aws:sqs", body: "{}" }] }, /event source "aws:sqs"/],
    [{ Records: [{ eventVersion: "1.08", userIdentity: {}, eventSource: "ec2.amazonaws.com" }] }, /CloudTrail log file body/],
    [{ Records: [{ EventSource: "aws:sns", Sns: { Message: "not json" } }] }, /Sns.Message is not JSON/],
    [{ Records: [{ EventSource: "aws:sns", Sns: { Message: '{"hello":1}' } }] }, /neither a CloudTrail delivery notification nor an S3 event/],
    [{ "detail-type": "EC2 Instance State-change Notification", detail: {} }, /does not carry a CloudTrail record/],
    [{ invocationSchemaVersion: "3.0", invocationId: "x", tasks: [] }, /not 1.0 or 2.0/],
  ])("unknown shape %j is a clear IntakeError", (input, message) => {
    expect(() => parseIntake(input)).toThrow(IntakeError);
    expect(() => parseIntake(input)).toThrow(message);
  });
});

describe("classifyLogKey", () => {
  test.each([
    [LOG, true],
    [ORG_LOG, true],
    ["prefix/deeper/" + LOG, true],
    ["manual-upload/trail.json.gz", true],
    ["AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/08/01/x.json.gz", false],
    ["AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/08/01/x.json.gz", false],
    ["AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/08/01/x.log.gz", false],
    ["AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/x.json", false],
    ["AWSLogs/111122223333/CloudTrail/", false],
  ])("%s → %s", (key, ok) => {
    expect(classifyLogKey(key).ok).toBe(ok);
  });

  test("organization trail keys expose organization, account and region", () => {
    expect(classifyLogKey(ORG_LOG)).toEqual({ ok: true, organizationId: "o-a1b2c3d4e5", accountId: "444455556666", region: "eu-west-1" });
  });
});
