/**
 * Parses a CloudTrail log body a group of records at a time instead of in one `JSON.parse`.
 *
 * CloudTrail writes `{"Records":[{"eventVersion":...},{"eventVersion":...}]}` with no whitespace, so
 * record boundaries are found with `Buffer.indexOf('},{"eventVersion"')` (native, GB/s). That byte
 * sequence cannot occur inside a JSON string (its quotes would be escaped), but it can occur inside a
 * record (a nested list of objects with an `eventVersion` key). A false boundary always leaves the
 * group holding that record's start unbalanced, so its `JSON.parse` fails — and since groups are
 * parsed in order, every group parsed before the first failure is right. On any failure, or a body
 * of another shape (pretty-printed, a bare array, an error document), the rest falls back to the
 * ordinary whole-body parse, which also produces the usual errors.
 *
 * Why: the whole-document object graph of a 50 MB file is ~4× its size and is promoted to the old
 * generation before it dies; groups of a few thousand records die young. Peak memory drops to about
 * the decompressed buffer plus one group, and garbage collection time falls with it.
 */
import { parseLogBody } from "../sources/cloudtrail";

const PREFIX = Buffer.from('{"Records":[');
const SUFFIX = Buffer.from("]}");
const SEPARATOR = Buffer.from('},{"eventVersion"');

export interface RecordGroup {
  /** Index of the group's first record in the file. */
  start: number;
  records: unknown[];
}

/** Groups of about `groupRecords` records, in file order. Throws `CloudTrailFileError` like `parseLogBody`. */
export function* recordGroups(body: Buffer, file: string, groupRecords: number, allowBareArray = false): Generator<RecordGroup> {
  const end = trimmedEnd(body);
  const compact = body.length >= PREFIX.length + SUFFIX.length && body.subarray(0, PREFIX.length).equals(PREFIX) && body.subarray(end - SUFFIX.length, end).equals(SUFFIX);
  let index = 0;
  if (compact) {
    const last = end - SUFFIX.length;
    let from = PREFIX.length;
    while (from < last) {
      // Walk `groupRecords` separators ahead; the group ends just after a record's closing brace.
      let cut = from;
      let count = 0;
      let to = last;
      while (count < groupRecords) {
        const at = body.indexOf(SEPARATOR, cut);
        if (at < 0 || at >= last) {
          to = last;
          break;
        }
        count += 1;
        to = at + 1;
        cut = at + 2;
      }
      let records: unknown;
      try {
        records = JSON.parse(`[${body.toString("utf8", from, to)}]`);
      } catch {
        break; // a false boundary or invalid JSON: the whole-body parse decides
      }
      const list = records as unknown[];
      yield { start: index, records: list };
      index += list.length;
      from = to === last ? last : to + 1;
    }
    if (from >= last) return;
  }
  // Fallback: one parse of the whole body, skipping what was already handed out.
  const all = parseLogBody(body, file, allowBareArray);
  for (let start = index; start < all.length; start += groupRecords) {
    yield { start, records: all.slice(start, start + groupRecords) };
  }
}

function trimmedEnd(body: Buffer): number {
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x20 || body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x09)) end--;
  return end;
}
