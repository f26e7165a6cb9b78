/**
 * Lambda event parsing, in one place: each trigger's envelope turns an event into typed work —
 * S3 objects to read (one `S3Object` type, keys decoded), Batch Operations tasks, an inline
 * CloudTrail record, or CloudWatch Logs payloads. An event no envelope recognizes is a user error
 * (the function is wired to the wrong source): the invocation fails and the event is kept.
 *
 * - `objectDelivery`: S3 event notifications (direct or through SNS), CloudTrail's SNS delivery
 *   notification, EventBridge S3 "Object Created", S3 Batch Operations 1.0 and 2.0.
 * - `cloudTrailDelivery`: all of those, plus EventBridge "... via CloudTrail" records.
 * - `parseSubscriptionEvent` / `parseKinesisRecord`: CloudWatch Logs subscription payloads.
 */
import type { S3Object } from "../../sources/s3";
import { isEventBridgeEvent, parseEventBridge, type EventBridgeDelivery } from "./eventBridge";
import { addObject, isRecord, someKeys, unrecognized, type KeyFilter, type NamedObjects } from "./objects";
import { addS3EventRecord, isS3EventRecord } from "./s3Event";
import { isS3BatchEvent, parseS3Batch, type BatchInvocation } from "./s3Batch";
import { addSnsRecord, isSnsRecord } from "./sns";

export type ObjectDelivery = ({ kind: "objects" } & NamedObjects) | { kind: "batch"; invocation: BatchInvocation } | { kind: "ignored"; reason: string };
export type CloudTrailDelivery = ObjectDelivery | Extract<EventBridgeDelivery, { kind: "record" }>;

/** An event that names S3 objects → the objects `accept` takes (the rest skipped with why), or Batch Operations tasks. */
export function objectDelivery(event: unknown, accept: KeyFilter): ObjectDelivery {
  const delivery = cloudTrailDelivery(event, accept);
  if (delivery.kind === "record") throw unrecognized(`EventBridge ${JSON.stringify(delivery.detailType)} carries a CloudTrail record, not an S3 object`);
  return delivery;
}

/** As `objectDelivery`, and EventBridge events that carry one CloudTrail record inline. */
export function cloudTrailDelivery(event: unknown, accept: KeyFilter): CloudTrailDelivery {
  if (!isRecord(event)) throw unrecognized(`expected a JSON object, got ${event === null ? "null" : typeof event}`);
  if (isS3BatchEvent(event)) return { kind: "batch", invocation: parseS3Batch(event, accept) };
  if (isEventBridgeEvent(event)) {
    const delivery = parseEventBridge(event);
    return delivery.kind === "object" ? namedObjects([delivery.object], accept) : delivery;
  }
  if (Array.isArray(event.Records)) return recordsDelivery(event.Records, accept);
  throw unrecognized(`expected an SNS notification, S3 event, S3 Batch Operations invocation or EventBridge event; top-level keys: ${someKeys(event)}`);
}

function recordsDelivery(records: unknown[], accept: KeyFilter): ObjectDelivery {
  const into: { kind: "objects" } & NamedObjects = { kind: "objects", objects: [], skipped: [] };
  records.forEach((record, index) => {
    if (isSnsRecord(record)) return addSnsRecord(record, index, accept, into);
    if (isS3EventRecord(record)) return addS3EventRecord(record, accept, into);
    if (!isRecord(record)) throw unrecognized(`Records[${index}] is not an object`);
    if (isRecord(record.userIdentity) && typeof record.eventVersion === "string") {
      throw unrecognized("this is a CloudTrail log file body, not a Lambda trigger event (scan it as a file instead)");
    }
    const source = record.EventSource ?? record.eventSource;
    throw unrecognized(`Records[${index}] has event source ${JSON.stringify(source ?? null)}; expected aws:sns or aws:s3`);
  });
  return into;
}

function namedObjects(objects: S3Object[], accept: KeyFilter): ObjectDelivery {
  const into: { kind: "objects" } & NamedObjects = { kind: "objects", objects: [], skipped: [] };
  for (const object of objects) addObject(into, object, accept);
  return into;
}

export { parseKinesisRecord, parseSubscriptionEvent, type LogsDelivery } from "./cloudWatchLogs";
export { batchResponse, resultCodeFor, type BatchInvocation, type BatchTask, type S3BatchResponse, type TaskAnswer } from "./s3Batch";
export type { EventBridgeDelivery } from "./eventBridge";
export type { KeyFilter, NamedObjects } from "./objects";
export { decodeS3EventKey } from "./s3Event";
