/**
 * The flow-log pipeline the CLI (`parapet flows enrich|scan`) and the Lambda handlers share:
 * text → conversations → enriched flows → subjects → `ruleSet.evaluate` → findings, plus the
 * malformed-line report as input errors with line numbers.
 *
 * Each line is folded into a conversation as soon as it is parsed (`FlowLogFolder`): no parsed record
 * is kept, and a conversation seen in many windows, over many ephemeral ports, in both directions, is
 * enriched, turned into subjects and evaluated once per input (S3 file, CloudWatch payload, Kinesis
 * record). When an input holds more than `chunkSize` distinct conversations, they are handed on in
 * batches of that size, so memory stays flat whatever the input; each batch resolves its unknown
 * interfaces in one batched lookup before its flows are built.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../engine/config";
import type { Finding, Subject, Suppressed } from "../engine/model";
import type { RuleSet } from "../engine/ruleset";
import type { InputError } from "../report/types";
import {
  cloudWatchLabel,
  createEnricher,
  describeMalformed,
  enrichConversations,
  flowLogBytesToText,
  FlowLogFolder,
  foldFlowLogText,
  flowsToSubjects,
  loadInventoryFiles,
  parseFormatString,
  toCloudWatchLogsPayload,
  type CloudWatchLogsPayload,
  type EnrichedFlow,
  type Enricher,
  type EnricherOptions,
  type FlowFormat,
  type FlowUnit,
  type MalformedLine,
  type ParseResult,
} from "../sources/flowlog";
import type { S3Object } from "../sources/s3";
import { InputFailure, messageOf, s3ReadFailure, UserError } from "../util/errors";
import { failedOutcome, type Outcome } from "./outcome";

/** Conversations per batch: large enough to batch EC2 lookups well, small enough to keep memory flat. */
export const DEFAULT_FLOW_CHUNK = 20_000;

export interface FlowLogOptions {
  /** Omit to enrich only (`parapet flows enrich`). */
  ruleSet?: RuleSet;
  enricher: Enricher;
  /** Format of lines before any header line; CloudWatch-delivered records need the configured one. */
  format?: FlowFormat;
  /** Distinct conversations held before they are enriched and evaluated (default `DEFAULT_FLOW_CHUNK`). */
  chunkSize?: number;
  /** Fold records into conversations, both directions together (default true); false: one flow per record. */
  pair?: boolean;
  /** Receives each chunk's enriched flows, in input order (the enrich command writes them out). */
  onFlows?: (flows: readonly EnrichedFlow[]) => void;
}

export interface FlowLogResult {
  /** Path, `s3://bucket/key`, `cloudwatch:<group>/<stream>` or `<stdin>`. */
  file: string;
  /** Records parsed (lines that were neither blank, header nor malformed). */
  records: number;
  /** Enriched flows: conversations plus NODATA/SKIPDATA records. */
  flows: number;
  subjects: number;
  findings: Finding[];
  suppressed: Suppressed[];
  malformed: MalformedLine[];
  malformedCount: number;
  /** Malformed lines as report errors (file, line, reason); the rest of the input was processed. */
  errors: InputError[];
  /** Interface lookups that failed during this input (permissions, throttling); flows went on without them. */
  warnings: string[];
}

/** Parses, enriches and (with a rule set) evaluates flow-log text: an S3 file body, a local file, stdin. */
export async function processFlowLogText(text: string, file: string, options: FlowLogOptions): Promise<FlowLogResult> {
  const folder = new FlowLogFolder({ format: options.format, aggregate: options.pair ?? true });
  return processBatches(foldFlowLogText(text, folder, options.chunkSize ?? DEFAULT_FLOW_CHUNK), folder, file, options);
}

/**
 * A local input as the CLI reads it: flow log records (an S3 delivery with its header line, or bare
 * records), or one CloudWatch Logs subscription payload saved as JSON (a test event, a decoded
 * `awslogs.data`), told apart by its first character. Findings point into `file`.
 */
export async function processFlowLogInput(text: string, file: string, options: FlowLogOptions): Promise<FlowLogResult> {
  if (/^\s*\{/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UserError(`${file}: starts like JSON but is not (${messageOf(error)}); expected flow log records or a CloudWatch Logs payload`);
    }
    return processCloudWatchPayload(toCloudWatchLogsPayload(json, file), options, file);
  }
  return processFlowLogText(text, file, options);
}

/**
 * One CloudWatch Logs subscription payload (direct `awslogs.data` or one Kinesis record). Event n is
 * "line" n of `file` (default `cloudwatch:<logGroup>/<logStream>`). A control message yields an empty result.
 */
export async function processCloudWatchPayload(payload: CloudWatchLogsPayload, options: FlowLogOptions, file = cloudWatchLabel(payload)): Promise<FlowLogResult> {
  const folder = new FlowLogFolder({ format: options.format, aggregate: options.pair ?? true });
  const limit = options.chunkSize ?? DEFAULT_FLOW_CHUNK;
  function* batches(): Generator<FlowUnit[]> {
    if (payload.messageType !== "DATA_MESSAGE") return;
    const events = payload.logEvents;
    for (let i = 0; i < events.length; i++) {
      const message = events[i]!.message;
      if (message === "") folder.push("<empty or missing message>", i + 1);
      else folder.pushRange(message, 0, message.length, i + 1);
      if (folder.table.size >= limit) yield folder.take();
    }
    if (folder.table.size > 0) yield folder.take();
  }
  return processBatches(batches(), folder, file, options);
}

async function processBatches(batches: Iterator<FlowUnit[], unknown>, folder: FlowLogFolder, file: string, options: FlowLogOptions): Promise<FlowLogResult> {
  const directory = options.enricher.directory;
  const warningsBefore = directory.warnings.length;
  const result: FlowLogResult = {
    file,
    records: 0,
    flows: 0,
    subjects: 0,
    findings: [],
    suppressed: [],
    malformed: [],
    malformedCount: 0,
    errors: [],
    warnings: [],
  };
  for (let next = batches.next(); !next.done; next = batches.next()) {
    const flows = await enrichConversations(next.value, options.enricher);
    result.flows += flows.length;
    options.onFlows?.(flows);
    if (!options.ruleSet) continue;
    const subjects = flowsToSubjects(flows, file);
    result.subjects += subjects.length;
    evaluateInto(options.ruleSet, subjects, result);
  }
  const parse = folder.result();
  result.records = folder.recordCount;
  result.malformed = parse.malformed;
  result.malformedCount = parse.malformedCount;
  result.errors = malformedErrors(parse, file);
  result.warnings = directory.warnings.slice(warningsBefore);
  return result;
}

function evaluateInto(ruleSet: RuleSet, subjects: readonly Subject[], into: { findings: Finding[]; suppressed: Suppressed[] }): void {
  if (subjects.length === 0) return;
  const evaluated = ruleSet.evaluate(subjects);
  for (const f of evaluated.findings) into.findings.push(f);
  for (const s of evaluated.suppressed) into.suppressed.push(s);
}

/** Malformed lines as report errors: one per described line, then one counting the rest. */
export function malformedErrors(parse: Pick<ParseResult, "malformed" | "malformedCount">, file: string): InputError[] {
  const errors: InputError[] = parse.malformed.map((m) => ({ file, line: m.line, message: `malformed flow log record: ${m.reason}` }));
  const more = parse.malformedCount - parse.malformed.length;
  if (more > 0) errors.push({ file, message: `${more} more malformed flow log record${more === 1 ? "" : "s"} not shown` });
  return errors;
}

/** What did not go fully right inside an input that was processed: malformed lines, then failed interface lookups. */
export function flowLogProblems(result: Pick<FlowLogResult, "file" | "errors" | "warnings">): InputError[] {
  return [...result.errors, ...result.warnings.map((w) => ({ file: result.file, message: `interface lookup failed; flows enriched without it: ${w}` }))];
}

/** One line per malformed record, `file:line: reason`, for stderr and logs. */
export function malformedLines(result: Pick<FlowLogResult, "file" | "malformed" | "malformedCount">): string[] {
  return describeMalformed(result, result.file);
}

/** What the flow-log part of the configuration says (`flowlogs` in config.json). */
export interface FlowLogSettings {
  format?: string;
  ipRanges?: string;
  inventoryFiles: string[];
}

export function flowLogSettings(config: Config): FlowLogSettings {
  const section = (config.flowlogs ?? {}) as { format?: string | null; ipRanges?: string | null; inventoryFiles?: string[] };
  return {
    format: section.format ?? undefined,
    ipRanges: section.ipRanges ?? undefined,
    inventoryFiles: section.inventoryFiles ?? [],
  };
}

/** The configured record format for deliveries without a header line (undefined: version 2). */
export function flowLogFormat(formatString: string | undefined): FlowFormat | undefined {
  return formatString === undefined || formatString.trim() === "" ? undefined : parseFormatString(formatString);
}

export interface EnricherSetup {
  /** Inventory files (describe-network-interfaces / describe-instances JSON); when any, no EC2 calls. */
  inventoryFiles?: readonly string[];
  /** A newer ip-ranges.json; default the bundled snapshot. */
  ipRanges?: string;
  /** Live lookups when no inventory is given; omit for address classification only. */
  ec2Client?: Pick<EC2Client, "send">;
  region?: string;
  /** Cache, batch and backoff settings of live lookups. */
  live?: EnricherOptions["live"];
}

/** Builds the enricher the CLI and the Lambdas use: the inventory when given, else live EC2 (if a client is given). */
export async function createFlowLogEnricher(setup: EnricherSetup): Promise<Enricher> {
  const files = setup.inventoryFiles ?? [];
  if (files.length > 0) {
    return createEnricher({ inventory: await loadInventoryFiles(files), ipRanges: setup.ipRanges, region: setup.region });
  }
  return createEnricher({ ec2Client: setup.ec2Client, ipRanges: setup.ipRanges, region: setup.region, live: setup.live });
}

/**
 * GetObject → gunzip (by magic number) → process. An object that cannot be read is skipped or failed
 * as the S3 error's kind says (src/util/errors.ts); one that is not valid gzip is skipped. Errors
 * while processing (an enrichment outage) are thrown, as from the other `process*` functions.
 */
export async function processFlowLogObject(s3: Pick<S3Client, "send">, object: S3Object, options: FlowLogOptions): Promise<Outcome<FlowLogResult>> {
  const file = `s3://${object.bucket}/${object.key}`;
  let bytes: Uint8Array;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }));
    // A body-less answer is S3 misbehaving, not the object: worth another try.
    if (response.Body === undefined) return failedOutcome(new InputFailure(file, "S3 returned no body", "retryable"));
    bytes = await response.Body.transformToByteArray();
  } catch (err) {
    return failedOutcome(s3ReadFailure(file, err));
  }
  let text: string;
  try {
    text = flowLogBytesToText(bytes, file);
  } catch (err) {
    return failedOutcome(new InputFailure(file, messageOf(err).replace(`${file}: `, "")));
  }
  return { status: "evaluated", result: await processFlowLogText(text, file, options) };
}
