/**
 * Record groups of a log body that is already in memory (a body read whole, tests): the body is fed
 * to the same `RecordSplitter` that streams files, a slice at a time, so groups are parsed and handed
 * out as the slices are scanned and die young. Streaming readers should use `evaluateCloudTrailStream`
 * instead and never hold the body.
 */
import { RecordSplitter, type RecordGroup } from "../sources/cloudtrail";

export type { RecordGroup } from "../sources/cloudtrail";

const SLICE = 1024 * 1024;

/** Groups of at most `groupRecords` records, in file order. Throws `CloudTrailFileError` like `parseLogBody` (after the groups before the error). */
export function* recordGroups(body: Buffer, file: string, groupRecords: number, allowBareArray = false): Generator<RecordGroup> {
  const ready: RecordGroup[] = [];
  const splitter = new RecordSplitter({ file, groupRecords, allowBareArray }, (group) => void ready.push(group));
  for (let from = 0; from < body.length; from += SLICE) {
    splitter.push(body.subarray(from, Math.min(body.length, from + SLICE)));
    yield* ready.splice(0);
  }
  splitter.end();
  yield* ready.splice(0);
}
