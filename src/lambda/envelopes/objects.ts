/**
 * What the object-naming envelopes (S3 event notifications, SNS, EventBridge, Batch Operations)
 * share: the filter that says which keys a function reads, and the list they fill in.
 */
import type { S3Object, SkippedInput } from "../../sources/s3";
import { UserError } from "../../util/errors";

/** Which keys a function reads (CloudTrail log files, flow-log files); any other is skipped with the reason. */
export type KeyFilter = (key: string) => { ok: true } | { ok: false; reason: string };

/** The objects an event named: those to read, and those skipped with why (other files, deletions, test events). */
export interface NamedObjects {
  objects: S3Object[];
  skipped: SkippedInput[];
}

/** Adds `object` to `into.objects` when the filter accepts its key, else to `into.skipped`. */
export function addObject(into: NamedObjects, object: S3Object, accept: KeyFilter): void {
  const verdict = accept(object.key);
  if (verdict.ok) into.objects.push(object);
  else into.skipped.push({ bucket: object.bucket, key: object.key, reason: verdict.reason });
}

/** An event this function cannot handle: it was wired to the wrong source. A user error — a person must fix the trigger. */
export function unrecognized(message: string): UserError {
  return new UserError(`unrecognized Lambda event: ${message}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A few top-level keys of an unrecognized object, for the error message. */
export function someKeys(value: Record<string, unknown>): string {
  const keys = Object.keys(value).slice(0, 8);
  return keys.length === 0 ? "(none)" : keys.join(", ");
}
