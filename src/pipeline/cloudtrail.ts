/**
 * The CloudTrail pipeline the CLI (`parapet scan cloudtrail`) and the Lambda handler share:
 * read one log file → records → subjects → `ruleSet.evaluate` → findings, plus the per-record errors.
 *
 * Files are streamed (`evaluateCloudTrailStream`): the body is decompressed as it arrives, split into
 * groups of records (`RecordSplitter`), and each group is parsed, normalized and evaluated before the
 * next, so neither the body nor its parsed document is ever held whole and memory does not grow with
 * the file. Chunking is sound because no CloudTrail rule depends on record order — records in a file
 * are not in time order anyway — and each record's subjects stay together in one chunk.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Finding, Subject, Suppressed } from "../engine/model";
import type { RuleSet } from "../engine/ruleset";
import type { InputError } from "../report/types";
import {
  inputLabel,
  openCloudTrailInput,
  recordToSubjects,
  RecordSplitter,
  type CloudTrailInput,
  type CloudTrailStream,
  type NormalizerRegistry,
  type RecordError,
} from "../sources/cloudtrail";
import { failedOutcome, resultOf, type Outcome } from "./outcome";

/** Records per parse/evaluation chunk: small enough that a chunk's objects die young (peak memory), large enough that per-chunk costs vanish. */
export const DEFAULT_CHUNK_RECORDS = 1_000;

export interface CloudTrailEvaluateOptions {
  ruleSet: RuleSet;
  chunkRecords?: number;
  registry?: NormalizerRegistry;
}

/** What one file (or one inline EventBridge record) produced. */
export interface CloudTrailFileResult {
  /** `s3://bucket/key`, a local path or `eventbridge:<id>`. */
  file: string;
  records: number;
  /** Decompressed bytes (0 for an inline record). */
  bytes: number;
  subjects: number;
  findings: Finding[];
  suppressed: Suppressed[];
  /** Records that could not be (fully) normalized; the rest of the file was evaluated. */
  recordErrors: RecordError[];
}

/** Collects one chunk's subjects, evaluates them, and adds the outcome to the file's totals. */
class ChunkEvaluator {
  readonly findings: Finding[] = [];
  readonly suppressed: Suppressed[] = [];
  readonly recordErrors: RecordError[] = [];
  subjects = 0;
  records = 0;
  private readonly registry: { registry?: NormalizerRegistry };

  constructor(
    private readonly file: string,
    private readonly options: CloudTrailEvaluateOptions,
  ) {
    this.registry = options.registry === undefined ? {} : { registry: options.registry };
  }

  /** `records[0]` is record number `start` of the file. */
  add(records: readonly unknown[], start: number, from = 0, to = records.length): void {
    const subjects: Subject[] = [];
    const onSubject = (s: Subject) => void subjects.push(s);
    const onError = (e: RecordError) => void this.recordErrors.push(e);
    for (let i = from; i < to; i++) {
      const index = start + i;
      recordToSubjects(records[i], { file: this.file, pointer: `/Records/${index}`, index }, onSubject, onError, this.registry);
    }
    this.records += to - from;
    if (subjects.length === 0) return;
    this.subjects += subjects.length;
    const result = this.options.ruleSet.evaluate(subjects);
    for (const f of result.findings) this.findings.push(f);
    for (const s of result.suppressed) this.suppressed.push(s);
  }

  result(bytes: number): CloudTrailFileResult {
    const { file, records, subjects, findings, suppressed, recordErrors } = this;
    return { file, records, bytes, subjects, findings, suppressed, recordErrors };
  }
}

/** Normalizes and evaluates the records of one parsed file, chunk by chunk. */
export function evaluateCloudTrailRecords(
  records: readonly unknown[],
  file: string,
  options: CloudTrailEvaluateOptions,
): Omit<CloudTrailFileResult, "bytes"> {
  const chunk = Math.max(1, options.chunkRecords ?? DEFAULT_CHUNK_RECORDS);
  const evaluator = new ChunkEvaluator(file, options);
  for (let start = 0; start < records.length; start += chunk) evaluator.add(records, 0, start, Math.min(records.length, start + chunk));
  const { bytes: _bytes, ...result } = evaluator.result(0);
  return result;
}

/**
 * Decompressed bytes → record groups → subjects → findings as the file arrives: only one group's
 * text and objects (plus the splitter's window) are alive at a time, so memory does not grow with the
 * file. A file that breaks part-way (truncated gzip, a failed read, invalid JSON after some records)
 * is skipped or failed as its error's kind says, with the records before the break evaluated in
 * `partial` and the reason saying where it broke and how many records were evaluated.
 */
export async function evaluateCloudTrailStream(stream: CloudTrailStream, options: CloudTrailEvaluateOptions): Promise<Outcome<CloudTrailFileResult>> {
  const chunk = Math.max(1, options.chunkRecords ?? DEFAULT_CHUNK_RECORDS);
  const evaluator = new ChunkEvaluator(stream.file, options);
  const splitter = new RecordSplitter({ file: stream.file, groupRecords: chunk, allowBareArray: stream.allowBareArray }, (group) => evaluator.add(group.records, group.start));
  const iterator = stream.chunks[Symbol.asyncIterator]();
  const broken = (err: unknown) => brokenFile(err, evaluator.result(splitter.bytes));
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (err) {
      splitter.salvage(); // the complete records already received are evaluated
      return broken(err);
    }
    if (next.done) break;
    try {
      splitter.push(next.value);
    } catch (err) {
      await iterator.return?.(undefined);
      return broken(err);
    }
  }
  try {
    splitter.end();
  } catch (err) {
    return broken(err);
  }
  return { status: "evaluated", result: evaluator.result(splitter.bytes) };
}

/** A file that broke after `partial.records` records: the failure, saying how much was evaluated before it. */
function brokenFile(err: unknown, partial: CloudTrailFileResult): Outcome<CloudTrailFileResult> {
  const outcome = failedOutcome(err, partial);
  const n = partial.records;
  if (n > 0) outcome.reason += `; ${n.toLocaleString("en")} record${n === 1 ? "" : "s"} before the break ${n === 1 ? "was" : "were"} evaluated`;
  return outcome;
}

/**
 * A record delivered inline (EventBridge `detail`), located at `pointer` of `file`. A record that
 * yields no subject at all, only errors, is malformed: skipped, as a file that is not a log would be.
 */
export function evaluateCloudTrailRecord(
  record: unknown,
  where: { file: string; pointer: string },
  options: CloudTrailEvaluateOptions,
): Outcome<CloudTrailFileResult> {
  const subjects: Subject[] = [];
  const recordErrors: RecordError[] = [];
  recordToSubjects(
    record,
    { ...where, index: -1 },
    (s) => void subjects.push(s),
    (e) => void recordErrors.push(e),
    options.registry === undefined ? {} : { registry: options.registry },
  );
  const evaluated = subjects.length > 0 ? options.ruleSet.evaluate(subjects) : { findings: [], suppressed: [] };
  const result: CloudTrailFileResult = { file: where.file, records: 1, bytes: 0, subjects: subjects.length, ...evaluated, recordErrors };
  const firstError = recordErrors[0];
  if (subjects.length === 0 && firstError !== undefined) return { status: "skipped", reason: `${firstError.pointer}: ${firstError.message}`, partial: result };
  return { status: "evaluated", result };
}

export interface CloudTrailScanOptions extends CloudTrailEvaluateOptions {
  /** Needed for `s3` inputs. */
  s3?: S3Client;
  /** Files read and evaluated at the same time. Default 4. */
  concurrency?: number;
  /** Called once per input as it finishes, in completion order (progress bars, per-file publishing). */
  onFile?: (outcome: CloudTrailFileOutcome) => void;
}

/** One input's outcome; a broken file's `partial` holds what the records before the break showed. */
export type CloudTrailFileOutcome = Outcome<CloudTrailFileResult> & { input: CloudTrailInput };

export interface CloudTrailScanResult {
  /** Each input's outcome, in input order. */
  files: CloudTrailFileOutcome[];
  findings: Finding[];
  suppressed: Suppressed[];
  /** One line per unreadable file and per bad record, for the report's errors. */
  errors: InputError[];
  filesScanned: number;
  /** Files that could not be read or were not log files. */
  filesFailed: number;
  records: number;
  bytes: number;
}

/**
 * Reads and evaluates many inputs with at most `concurrency` files in flight (each streamed: a
 * group of records at a time). A bad file becomes one error line; the others go on.
 * Findings and `files` come back in input order, whatever order the files finished in.
 */
export async function scanCloudTrailInputs(inputs: readonly CloudTrailInput[], options: CloudTrailScanOptions): Promise<CloudTrailScanResult> {
  const files: CloudTrailFileOutcome[] = new Array(inputs.length);
  await forEachLimited(inputs, Math.max(1, options.concurrency ?? 4), async (input, index) => {
    const outcome = { ...(await scanCloudTrailInput(input, options)), input };
    files[index] = outcome;
    options.onFile?.(outcome);
  });

  const out: CloudTrailScanResult = { files, findings: [], suppressed: [], errors: [], filesScanned: inputs.length, filesFailed: 0, records: 0, bytes: 0 };
  for (const outcome of files) {
    if (outcome.status !== "evaluated") {
      out.filesFailed += 1;
      out.errors.push({ file: inputLabel(outcome.input), message: outcome.reason });
    }
    // A file that broke part-way still reports what the records before the break showed.
    const r = resultOf(outcome);
    if (r === undefined) continue;
    out.records += r.records;
    out.bytes += r.bytes;
    for (const f of r.findings) out.findings.push(f);
    for (const s of r.suppressed) out.suppressed.push(s);
    for (const e of r.recordErrors) out.errors.push(recordErrorLine(e));
  }
  return out;
}

/** Opens and evaluates one input; a file that cannot be opened is skipped or failed as its error's kind says. */
async function scanCloudTrailInput(input: CloudTrailInput, options: CloudTrailScanOptions): Promise<Outcome<CloudTrailFileResult>> {
  let stream: CloudTrailStream;
  try {
    stream = await openCloudTrailInput(input, options.s3);
  } catch (err) {
    return failedOutcome(err);
  }
  return evaluateCloudTrailStream(stream, options);
}

/** A record error as a report line: the file, and the record's pointer in the message. */
export function recordErrorLine(error: RecordError): InputError {
  return { file: error.file, message: `${error.pointer}: ${error.message}` };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
