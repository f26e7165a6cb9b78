/**
 * EventBridge events: CloudTrail records delivered one at a time ("AWS API Call via CloudTrail" and
 * the other "... via CloudTrail" detail types, the record inline in `detail`), and S3 "Object
 * Created" events from a bucket with EventBridge notifications on (keys not URL-encoded, unlike S3
 * event notifications). Insights events carry no API record and are ignored.
 */
import type { EventBridgeEvent } from "aws-lambda";
import type { S3Object } from "../../sources/s3";
import { isRecord, unrecognized } from "./objects";

/** Detail-types that carry one CloudTrail record in `detail`. */
const CLOUDTRAIL_RECORD_TYPES = new Set([
  "AWS API Call via CloudTrail",
  "AWS Console Signin via CloudTrail",
  "AWS Console Action via CloudTrail",
  "AWS Service Event via CloudTrail",
]);

/** The `detail` of S3's "Object Created" event (the part parapet reads). */
interface S3ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size?: number; "version-id"?: string };
}

export type EventBridgeDelivery =
  | {
      kind: "record";
      detailType: string;
      /** The EventBridge event id. */
      eventId: string;
      record: Record<string, unknown>;
      /** Label for locations: `eventbridge:<id>`; the record sits at pointer `/detail`. */
      file: string;
      pointer: "/detail";
    }
  | { kind: "object"; object: S3Object }
  | { kind: "ignored"; reason: string };

export function isEventBridgeEvent(value: unknown): value is EventBridgeEvent<string, unknown> {
  return isRecord(value) && typeof value["detail-type"] === "string";
}

export function parseEventBridge(event: EventBridgeEvent<string, unknown>): EventBridgeDelivery {
  const detailType = event["detail-type"];
  if (detailType === "AWS Insight via CloudTrail") return { kind: "ignored", reason: "CloudTrail Insights event" };
  if (detailType === "Object Created" && event.source === "aws.s3") return { kind: "object", object: createdObject(event.detail) };
  if (!CLOUDTRAIL_RECORD_TYPES.has(detailType)) {
    throw unrecognized(`EventBridge detail-type ${JSON.stringify(detailType)} carries neither a CloudTrail record nor an S3 object`);
  }
  const record = event.detail;
  if (!isRecord(record)) throw unrecognized(`EventBridge ${JSON.stringify(detailType)} event has no detail object`);
  const eventId = typeof event.id === "string" ? event.id : typeof record.eventID === "string" ? record.eventID : "unknown";
  return { kind: "record", detailType, eventId, record, file: `eventbridge:${eventId}`, pointer: "/detail" };
}

function createdObject(detail: unknown): S3Object {
  const d = detail as Partial<S3ObjectCreatedDetail> | undefined;
  const bucket = d?.bucket?.name;
  const key = d?.object?.key;
  if (typeof bucket !== "string" || typeof key !== "string") throw unrecognized('EventBridge "Object Created" event has no detail.bucket.name or detail.object.key');
  const versionId = d?.object?.["version-id"];
  const size = d?.object?.size;
  return { bucket, key, ...(typeof versionId === "string" && versionId !== "" ? { versionId } : {}), ...(typeof size === "number" ? { size } : {}) };
}
