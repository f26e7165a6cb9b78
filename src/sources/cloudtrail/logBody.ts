import { InputFailure } from "../../util/errors";
import { isObject } from "../../util/objects";

/** What a CloudTrail log file is made of. Content that is not a log is a permanent `InputFailure`. */

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Parses a log body. `allowBareArray` accepts a plain JSON array of records as well — the shape of
 * exported detonation logs and hand-made fixtures — for local files only; S3 deliveries are always
 * wrapped in `Records`.
 */
export function parseLogBody(body: Buffer | string, file: string, allowBareArray = false): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
  } catch (err) {
    throw new InputFailure(file, `not valid JSON (${(err as Error).message})`);
  }
  if (isObject(doc) && Array.isArray(doc.Records)) return doc.Records;
  if (allowBareArray && Array.isArray(doc)) return doc;
  if (isObject(doc) && "digestSignatureAlgorithm" in doc) throw new InputFailure(file, "a CloudTrail digest file, not a log file (no Records array)");
  throw new InputFailure(file, `no "Records" array: not a CloudTrail log file (top level is ${describe(doc)})`);
}

function describe(doc: unknown): string {
  if (Array.isArray(doc)) return "an array";
  if (isObject(doc)) {
    const keys = Object.keys(doc).slice(0, 5);
    return keys.length === 0 ? "an empty object" : `an object with ${keys.join(", ")}`;
  }
  return doc === null ? "null" : `a ${typeof doc}`;
}
