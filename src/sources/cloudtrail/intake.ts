/**
 * Lambda event → what to read. Recognizes:
 * - the SNS notification CloudTrail sends (`Message` = `{"s3Bucket", "s3ObjectKey": [...]}`);
 * - S3 event notifications, direct or wrapped in SNS (keys URL-encoded, `+` for space);
 * - S3 Batch Operations invocations, schema 1.0 (bucket ARN) and 2.0 (bucket name), task ids kept so the
 *   handler can answer each task with its own result code;
 * - EventBridge "... via CloudTrail" events, which carry one record inline in `detail`.
 * Keys that are not CloudTrail log files (digest, Insights, other services) are skipped with a reason.
 */
import { UserError } from "../../util/errors";
import { isObject, ownGet, type JsonObject } from "../../util/objects";
import { classifyLogKey, decodeS3EventKey } from "./keys";

export type ObjectTrigger = "cloudtrail-sns" | "s3-event" | "s3-event-sns";

export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
  size?: number;
  /** Which kind of notification named this object. */
  via: ObjectTrigger;
}

export interface SkippedInput {
  bucket?: string;
  key?: string;
  reason: string;
}

export type BatchTask =
  | { taskId: string; status: "read"; object: S3ObjectRef }
  /** Not a log file: answer the task `Succeeded` with `reason` — there is nothing to do. */
  | { taskId: string; status: "skip"; bucket: string; key: string; reason: string }
  /** The task itself is malformed: answer `PermanentFailure`. */
  | { taskId: string; status: "invalid"; reason: string };

export type Intake =
  | { kind: "objects"; objects: S3ObjectRef[]; skipped: SkippedInput[] }
  | {
      kind: "batch";
      invocationSchemaVersion: "1.0" | "2.0";
      invocationId: string;
      jobId: string;
      userArguments?: Record<string, unknown>;
      tasks: BatchTask[];
    }
  | {
      kind: "record";
      detailType: string;
      /** The EventBridge event id. */
      eventId: string;
      record: JsonObject;
      /** Label for locations: `eventbridge:<id>`; the record sits at pointer `/detail`. */
      file: string;
      pointer: "/detail";
    }
  | { kind: "ignored"; reason: string };

export class IntakeError extends UserError {
  constructor(message: string) {
    super(`unrecognized Lambda event: ${message}`);
    this.name = "IntakeError";
  }
}

/** EventBridge detail-types that carry a CloudTrail record. Insight events do not. */
const RECORD_DETAIL_TYPES = new Set([
  "AWS API Call via CloudTrail",
  "AWS Console Signin via CloudTrail",
  "AWS Console Action via CloudTrail",
  "AWS Service Event via CloudTrail",
]);

export function parseIntake(event: unknown): Intake {
  if (!isObject(event)) throw new IntakeError(`expected a JSON object, got ${event === null ? "null" : typeof event}`);
  if (typeof event.invocationSchemaVersion === "string" && Array.isArray(event.tasks)) return batchIntake(event);
  if (typeof event["detail-type"] === "string") return eventBridgeIntake(event);
  if (Array.isArray(event.Records)) return recordsIntake(event.Records);
  throw new IntakeError(
    `expected an SNS notification, S3 event, S3 Batch Operations invocation or EventBridge CloudTrail event; top-level keys: ${topKeys(event)}`,
  );
}

function recordsIntake(records: unknown[]): Intake {
  const out: { kind: "objects"; objects: S3ObjectRef[]; skipped: SkippedInput[] } = { kind: "objects", objects: [], skipped: [] };
  records.forEach((record, index) => {
    if (!isObject(record)) throw new IntakeError(`Records[${index}] is not an object`);
    const source = record.EventSource ?? record.eventSource;
    if (source === "aws:sns") return snsRecord(record, index, out);
    if (source === "aws:s3") return s3Record(record, "s3-event", out);
    if (isObject(record.userIdentity) && typeof record.eventVersion === "string") {
      throw new IntakeError("this is a CloudTrail log file body, not a Lambda trigger event (scan it as a file instead)");
    }
    throw new IntakeError(`Records[${index}] has event source ${JSON.stringify(source ?? null)}; expected aws:sns or aws:s3`);
  });
  return out;
}

function snsRecord(record: JsonObject, index: number, out: { objects: S3ObjectRef[]; skipped: SkippedInput[] }): void {
  const raw = ownGet(record.Sns, "Message");
  if (typeof raw !== "string") throw new IntakeError(`Records[${index}].Sns.Message is missing`);
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    throw new IntakeError(`Records[${index}].Sns.Message is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!isObject(message)) throw new IntakeError(`Records[${index}].Sns.Message is not a JSON object`);

  // What CloudTrail itself publishes after each delivery.
  if (typeof message.s3Bucket === "string" && message.s3ObjectKey !== undefined) {
    const keys = Array.isArray(message.s3ObjectKey) ? message.s3ObjectKey : [message.s3ObjectKey];
    for (const key of keys) {
      if (typeof key !== "string") {
        out.skipped.push({ bucket: message.s3Bucket, reason: "s3ObjectKey entry is not a string" });
        continue;
      }
      addObject(out, { bucket: message.s3Bucket, key, via: "cloudtrail-sns" });
    }
    return;
  }
  // An S3 event notification delivered through a topic.
  if (Array.isArray(message.Records)) {
    message.Records.forEach((inner, j) => {
      if (!isObject(inner) || inner.eventSource !== "aws:s3") {
        throw new IntakeError(`Records[${index}].Sns.Message.Records[${j}] is not an S3 event record`);
      }
      s3Record(inner, "s3-event-sns", out);
    });
    return;
  }
  if (message.Event === "s3:TestEvent") {
    out.skipped.push({ bucket: typeof message.Bucket === "string" ? message.Bucket : undefined, reason: "S3 test event" });
    return;
  }
  throw new IntakeError(
    `Records[${index}].Sns.Message is neither a CloudTrail delivery notification nor an S3 event; keys: ${topKeys(message)}`,
  );
}

function s3Record(record: JsonObject, via: ObjectTrigger, out: { objects: S3ObjectRef[]; skipped: SkippedInput[] }): void {
  const s3 = record.s3;
  const bucket = ownGet(ownGet(s3, "bucket"), "name");
  const object = ownGet(s3, "object");
  const rawKey = ownGet(object, "key");
  if (typeof bucket !== "string" || typeof rawKey !== "string") throw new IntakeError("S3 event record has no s3.bucket.name or s3.object.key");
  const key = decodeS3EventKey(rawKey);
  const eventName = typeof record.eventName === "string" ? record.eventName : "";
  if (!eventName.startsWith("ObjectCreated:")) {
    out.skipped.push({ bucket, key, reason: `${eventName || "event"} is not an object creation` });
    return;
  }
  const ref: S3ObjectRef = { bucket, key, via };
  const versionId = ownGet(object, "versionId");
  if (typeof versionId === "string" && versionId !== "") ref.versionId = versionId;
  const size = ownGet(object, "size");
  if (typeof size === "number") ref.size = size;
  addObject(out, ref);
}

function addObject(out: { objects: S3ObjectRef[]; skipped: SkippedInput[] }, ref: S3ObjectRef): void {
  const verdict = classifyLogKey(ref.key);
  if (verdict.ok) out.objects.push(ref);
  else out.skipped.push({ bucket: ref.bucket, key: ref.key, reason: verdict.reason });
}

function batchIntake(event: JsonObject): Intake {
  const version = event.invocationSchemaVersion;
  if (version !== "1.0" && version !== "2.0") {
    throw new IntakeError(`S3 Batch Operations invocationSchemaVersion ${JSON.stringify(version)} is not 1.0 or 2.0`);
  }
  const invocationId = event.invocationId;
  if (typeof invocationId !== "string") throw new IntakeError("S3 Batch Operations invocation has no invocationId");
  const job = event.job;
  const tasks = (event.tasks as unknown[]).map((task, index) => batchTask(task, index, version));
  const intake: Intake = {
    kind: "batch",
    invocationSchemaVersion: version,
    invocationId,
    jobId: typeof ownGet(job, "id") === "string" ? (ownGet(job, "id") as string) : "",
    tasks,
  };
  const userArguments = ownGet(job, "userArguments");
  if (isObject(userArguments)) intake.userArguments = userArguments;
  return intake;
}

function batchTask(task: unknown, index: number, version: "1.0" | "2.0"): BatchTask {
  const taskId = ownGet(task, "taskId");
  if (typeof taskId !== "string") return { taskId: `#${index}`, status: "invalid", reason: "task has no taskId" };
  // 1.0 names the bucket by ARN (arn:aws:s3:::name), 2.0 by name.
  const arn = ownGet(task, "s3BucketArn");
  const named = ownGet(task, "s3Bucket");
  const bucket =
    version === "2.0" && typeof named === "string"
      ? named
      : typeof arn === "string"
        ? arn.slice(arn.lastIndexOf(":") + 1)
        : typeof named === "string"
          ? named
          : undefined;
  const rawKey = ownGet(task, "s3Key");
  if (bucket === undefined || bucket === "" || typeof rawKey !== "string") {
    return { taskId, status: "invalid", reason: "task names no bucket or key" };
  }
  // Batch Operations passes keys URL-encoded, as its manifests hold them.
  const key = decodeS3EventKey(rawKey);
  const verdict = classifyLogKey(key);
  if (!verdict.ok) return { taskId, status: "skip", bucket, key, reason: verdict.reason };
  const object: S3ObjectRef = { bucket, key, via: "s3-event" };
  const versionId = ownGet(task, "s3VersionId");
  if (typeof versionId === "string" && versionId !== "") object.versionId = versionId;
  return { taskId, status: "read", object };
}

function eventBridgeIntake(event: JsonObject): Intake {
  const detailType = event["detail-type"] as string;
  if (detailType === "AWS Insight via CloudTrail") return { kind: "ignored", reason: "CloudTrail Insights event" };
  if (!RECORD_DETAIL_TYPES.has(detailType)) {
    throw new IntakeError(`EventBridge detail-type ${JSON.stringify(detailType)} does not carry a CloudTrail record`);
  }
  const record = event.detail;
  if (!isObject(record)) throw new IntakeError(`EventBridge ${JSON.stringify(detailType)} event has no detail object`);
  const eventId = typeof event.id === "string" ? event.id : typeof record.eventID === "string" ? record.eventID : "unknown";
  return { kind: "record", detailType, eventId, record, file: `eventbridge:${eventId}`, pointer: "/detail" };
}

function topKeys(value: JsonObject): string {
  const keys = Object.keys(value).slice(0, 8);
  return keys.length === 0 ? "(none)" : keys.join(", ");
}
