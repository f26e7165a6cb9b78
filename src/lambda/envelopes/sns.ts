/**
 * SNS records (`Records[]` with `EventSource: "aws:sns"`) whose message names S3 objects: the
 * notification CloudTrail publishes after each delivery (`{"s3Bucket", "s3ObjectKey": [...]}`, keys
 * not encoded), an S3 event notification sent to a topic, or S3's test event.
 */
import type { SNSEventRecord } from "aws-lambda";
import { addS3EventRecord, isS3EventRecord, isS3TestEvent } from "./s3Event";
import { addObject, isRecord, someKeys, unrecognized, type KeyFilter, type NamedObjects } from "./objects";

/** The part of an `SNSEventRecord` parapet reads. */
export interface SnsRecordRead {
  EventSource: "aws:sns";
  Sns: Pick<SNSEventRecord["Sns"], "Message">;
}

/** What CloudTrail publishes to the trail's topic once a log file is delivered. */
interface CloudTrailDeliveryNotification {
  s3Bucket: string;
  s3ObjectKey: unknown[] | unknown;
}

export function isSnsRecord(value: unknown): value is SnsRecordRead {
  return isRecord(value) && value.EventSource === "aws:sns";
}

function isCloudTrailDelivery(message: Record<string, unknown>): message is Record<string, unknown> & CloudTrailDeliveryNotification {
  return typeof message.s3Bucket === "string" && message.s3ObjectKey !== undefined;
}

/** Adds the objects named by the message of SNS record `index`. */
export function addSnsRecord(record: SnsRecordRead, index: number, accept: KeyFilter, into: NamedObjects): void {
  const where = `Records[${index}].Sns.Message`;
  const raw = isRecord(record.Sns) ? record.Sns.Message : undefined;
  if (typeof raw !== "string") throw unrecognized(`${where} is missing`);
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    throw unrecognized(`${where} is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!isRecord(message)) throw unrecognized(`${where} is not a JSON object`);

  if (isCloudTrailDelivery(message)) {
    const keys = Array.isArray(message.s3ObjectKey) ? message.s3ObjectKey : [message.s3ObjectKey];
    for (const key of keys) {
      if (typeof key === "string") addObject(into, { bucket: message.s3Bucket, key }, accept);
      else into.skipped.push({ bucket: message.s3Bucket, reason: "s3ObjectKey entry is not a string" });
    }
    return;
  }
  if (Array.isArray(message.Records)) {
    message.Records.forEach((inner, j) => {
      if (!isS3EventRecord(inner)) throw unrecognized(`${where}.Records[${j}] is not an S3 event record`);
      addS3EventRecord(inner, accept, into);
    });
    return;
  }
  if (isS3TestEvent(message)) {
    into.skipped.push({ ...(typeof message.Bucket === "string" ? { bucket: message.Bucket } : {}), reason: "S3 test event" });
    return;
  }
  throw unrecognized(`${where} is neither a CloudTrail delivery notification nor an S3 event; keys: ${someKeys(message)}`);
}
