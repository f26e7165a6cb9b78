/**
 * What `parapet flows enrich|scan` read: the inputs a user names → flow log sources (local files,
 * S3 objects) → one `FlowLogResult` each, through one enricher, so an interface is looked up once per
 * run. An input that cannot be read, or holds no valid record at all, becomes a failure naming it and
 * the next is processed: nothing else is lost to one bad file.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { InputError } from "../report/types";
import { listS3Objects, parseS3Uri, s3Uri, type S3Object } from "../sources/s3";
import { UserError } from "../util/errors";
import { expandInputPaths } from "./files";
import { processFlowLogInput, processFlowLogObject, type FlowLogOptions, type FlowLogResult } from "./flowlogs";
import { failedOutcome, type Outcome } from "./outcome";

/** A flow log to read: a local path (`-` for stdin), or an S3 object. */
export type FlowLogSource = { kind: "path"; path: string } | ({ kind: "s3" } & S3Object);

export const FLOW_LOG_EXTENSIONS = [".log", ".log.gz"];

/** Whether an S3 key is a plain-text flow log delivery (the only kind parapet reads), and if not why. */
export function classifyFlowLogKey(key: string): { ok: true } | { ok: false; reason: string } {
  if (FLOW_LOG_EXTENSIONS.some((ext) => key.endsWith(ext))) return { ok: true };
  return { ok: false, reason: key.endsWith(".parquet") ? "Parquet flow logs are not supported; deliver plain-text files" : "not a flow log file (.log or .log.gz)" };
}

export function sourceLabel(source: FlowLogSource): string {
  return source.kind === "path" ? source.path : s3Uri(source.bucket, source.key);
}

/**
 * What the inputs name, in order and each once: `-`, files, directories and globs (their `.log` and
 * `.log.gz` files), and `s3://bucket/prefix` (its `.log` and `.log.gz` objects; other keys are
 * counted in `skipped`). A path that names nothing, or a prefix that cannot be listed, is a UserError.
 */
export async function listFlowLogSources(inputs: readonly string[], s3: () => S3Client): Promise<{ sources: FlowLogSource[]; skipped: number }> {
  if (inputs.includes("-") && inputs.length > 1) throw new UserError("- (stdin) cannot be combined with other inputs");
  const sources: FlowLogSource[] = [];
  const seen = new Set<string>();
  const add = (source: FlowLogSource) => {
    const label = sourceLabel(source);
    if (!seen.has(label)) sources.push(source);
    seen.add(label);
  };
  let skipped = 0;
  for (const input of inputs) {
    const uri = parseS3Uri(input);
    if (uri === undefined) {
      const paths = input === "-" ? ["-"] : expandInputPaths([input], FLOW_LOG_EXTENSIONS);
      for (const path of paths) add({ kind: "path", path });
      continue;
    }
    for (const object of await listS3Objects(s3(), uri.bucket, uri.prefix)) {
      if (classifyFlowLogKey(object.key).ok) add({ kind: "s3", ...object });
      else skipped++;
    }
  }
  return { sources, skipped };
}

export interface FlowLogSourcesOutcome {
  /** Each source's outcome, in order: skipped or failed as the failure's kind says (a Lambda retries only the failed). */
  outcomes: Outcome<FlowLogResult>[];
  results: FlowLogResult[];
  /** Sources that could not be read or held no valid record, with why (the file is not repeated in the message). */
  failures: InputError[];
}

export interface FlowLogSourceReaders {
  /** Reads a local path (or `-`) as text; throws a UserError naming it when it cannot. Not needed for S3 sources only. */
  readPath?: (path: string) => Promise<{ text: string; label: string }>;
  s3: () => Pick<S3Client, "send">;
  /** Called with each result as it is ready (to print its malformed lines, say); `usable` is false when it holds no valid record. */
  onResult?: (result: FlowLogResult, usable: boolean) => void;
  onFailure?: (failure: InputError) => void;
}

/**
 * Processes each source in turn; see the module comment for what becomes a failure. Errors that are
 * not about the input (a bug, an enrichment outage) are thrown.
 */
export async function processFlowLogSources(sources: readonly FlowLogSource[], options: FlowLogOptions, readers: FlowLogSourceReaders): Promise<FlowLogSourcesOutcome> {
  const out: FlowLogSourcesOutcome = { outcomes: [], results: [], failures: [] };
  for (const source of sources) {
    const outcome = requireRecords(await processSource(source, options, readers), readers);
    out.outcomes.push(outcome);
    if (outcome.status === "evaluated") {
      out.results.push(outcome.result);
    } else {
      const file = outcome.partial?.file ?? sourceLabel(source);
      // Read errors may name their file already; a failure has a field for it.
      const failure = { file, message: outcome.reason.startsWith(`${file}: `) ? outcome.reason.slice(file.length + 2) : outcome.reason };
      out.failures.push(failure);
      readers.onFailure?.(failure);
    }
  }
  return out;
}

async function processSource(source: FlowLogSource, options: FlowLogOptions, readers: FlowLogSourceReaders): Promise<Outcome<FlowLogResult>> {
  if (source.kind === "s3") {
    const { kind: _kind, ...object } = source;
    return processFlowLogObject(readers.s3(), object, options);
  }
  try {
    if (readers.readPath === undefined) throw new UserError(`${source.path}: local files cannot be read here`);
    const { text, label } = await readers.readPath(source.path);
    return { status: "evaluated", result: await processFlowLogInput(text, label, options) };
  } catch (err) {
    if (err instanceof UserError) return failedOutcome(err);
    throw err;
  }
}

/** An input with no valid record at all, only malformed lines, is not a flow log: skipped (with its result, for its malformed lines). */
function requireRecords(outcome: Outcome<FlowLogResult>, readers: Pick<FlowLogSourceReaders, "onResult">): Outcome<FlowLogResult> {
  if (outcome.status !== "evaluated") return outcome;
  const result = outcome.result;
  const usable = !(result.records === 0 && result.malformedCount > 0);
  readers.onResult?.(result, usable);
  if (usable) return outcome;
  return { status: "skipped", reason: `no valid flow log records (${result.malformedCount} malformed line${result.malformedCount === 1 ? "" : "s"})`, partial: result };
}
