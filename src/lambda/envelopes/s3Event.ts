/**
 * S3 event notification records (`Records[]` with `eventSource: "aws:s3"`), delivered directly or
 * inside an SNS message. Keys arrive URL-encoded with `+` for space; object creations are read, any
 * other event (deletions, restores, ...) is skipped with its name.
 */
import type { S3EventRecord } from "aws-lambda";
import { addObject, isRecord, unrecognized, type KeyFilter, type NamedObjects } from "./objects";

type S3EventObject = S3EventRecord["s3"]["object"];

/** The part of an `S3EventRecord` parapet reads; the rest is neither needed nor checked. */
export interface S3EventRecordRead {
  eventSource: "aws:s3";
  eventName?: S3EventRecord["eventName"];
  s3: { bucket: { name: string }; object: Pick<S3EventObject, "key"> & Partial<Pick<S3EventObject, "size" | "versionId">> };
}

export function isS3EventRecord(value: unknown): value is S3EventRecordRead {
  return isRecord(value) && value.eventSource === "aws:s3";
}

/** Adds the object one S3 event record names (or skips it, saying why). */
export function addS3EventRecord(record: S3EventRecordRead, accept: KeyFilter, into: NamedObjects): void {
  const bucket = record.s3?.bucket?.name;
  const rawKey = record.s3?.object?.key;
  if (typeof bucket !== "string" || typeof rawKey !== "string") throw unrecognized("S3 event record has no s3.bucket.name or s3.object.key");
  const key = decodeS3EventKey(rawKey);
  const eventName = typeof record.eventName === "string" ? record.eventName : "";
  if (!eventName.startsWith("ObjectCreated:")) {
    into.skipped.push({ bucket, key, reason: `${eventName || "event"} is not an object creation` });
    return;
  }
  const { versionId, size } = record.s3.object;
  addObject(into, { bucket, key, ...(typeof versionId === "string" && versionId !== "" ? { versionId } : {}), ...(typeof size === "number" ? { size } : {}) }, accept);
}

/** S3 event notifications (and Batch Operations manifests) URL-encode keys with `+` for space. Undecodable keys are kept as given. */
export function decodeS3EventKey(key: string): string {
  const spaced = key.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** The message S3 sends once when a notification is configured: nothing to read. */
export function isS3TestEvent(value: unknown): value is { Event: "s3:TestEvent"; Bucket?: string } {
  return isRecord(value) && value.Event === "s3:TestEvent";
}
