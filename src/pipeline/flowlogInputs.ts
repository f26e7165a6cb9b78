/**
 * What `parapet flows enrich|scan` read: the inputs a user names → flow log sources (local files,
 * S3 objects) → one `FlowLogResult` each, through one enricher, so an interface is looked up once per
 * run. An input that cannot be read, or holds no valid record at all, becomes a failure naming it and
 * the next is processed: nothing else is lost to one bad file.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { InputError } from "../report/types";
import { listS3Objects, parseS3Uri, s3Uri } from "../sources/s3";
import { UserError } from "../util/errors";
import { expandInputPaths } from "./files";
import { FlowLogObjectError, processFlowLogInput, processFlowLogObject, type FlowLogOptions, type FlowLogResult } from "./flowlogs";

/** A flow log to read: a local path (`-` for stdin), or an S3 object. */
export type FlowLogSource = { kind: "path"; path: string } | { kind: "s3"; bucket: string; key: string };

export const FLOW_LOG_EXTENSIONS = [".log", ".log.gz"];

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
    for (const { key } of await listS3Objects(s3(), uri.bucket, uri.prefix)) {
      if (FLOW_LOG_EXTENSIONS.some((ext) => key.endsWith(ext))) add({ kind: "s3", bucket: uri.bucket, key });
      else skipped++;
    }
  }
  return { sources, skipped };
}

export interface FlowLogSourcesOutcome {
  results: FlowLogResult[];
  /** Sources that could not be read or held no valid record, with why (the file is not repeated in the message). */
  failures: InputError[];
}

export interface FlowLogSourceReaders {
  /** Reads a local path (or `-`) as text; throws a UserError naming it when it cannot. */
  readPath: (path: string) => Promise<{ text: string; label: string }>;
  s3: () => S3Client;
  /** Called with each result as it is ready (to print its malformed lines, say); `usable` is false when it holds no valid record. */
  onResult?: (result: FlowLogResult, usable: boolean) => void;
  onFailure?: (failure: InputError) => void;
}

/** Processes each source in turn; see the module comment for what becomes a failure. */
export async function processFlowLogSources(sources: readonly FlowLogSource[], options: FlowLogOptions, readers: FlowLogSourceReaders): Promise<FlowLogSourcesOutcome> {
  const outcome: FlowLogSourcesOutcome = { results: [], failures: [] };
  const fail = (file: string, message: string) => {
    // Read errors name their file already; a failure has a field for it.
    const failure = { file, message: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message };
    outcome.failures.push(failure);
    readers.onFailure?.(failure);
  };
  for (const source of sources) {
    let result: FlowLogResult;
    try {
      if (source.kind === "s3") {
        result = await processFlowLogObject(readers.s3(), source, options);
      } else {
        const { text, label } = await readers.readPath(source.path);
        result = await processFlowLogInput(text, label, options);
      }
    } catch (err) {
      if (err instanceof FlowLogObjectError) fail(err.file, err.message);
      else if (err instanceof UserError) fail(sourceLabel(source), err.message);
      else throw err;
      continue;
    }
    const usable = !(result.records === 0 && result.malformedCount > 0);
    readers.onResult?.(result, usable);
    if (!usable) {
      fail(result.file, `no valid flow log records (${result.malformedCount} malformed line${result.malformedCount === 1 ? "" : "s"})`);
    } else {
      outcome.results.push(result);
    }
  }
  return outcome;
}
