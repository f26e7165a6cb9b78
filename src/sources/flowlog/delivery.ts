/**
 * The ways flow logs arrive (flowlogs.md §2): S3 files (`.log.gz` or plain text, header line first),
 * CloudWatch Logs subscription payloads (base64 of gzip of JSON; CONTROL_MESSAGE carries no data) and
 * Kinesis events whose records each carry one such payload.
 */
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { messageOf, UserError } from "../../util/errors";
import { isObject } from "../../util/objects";
import { FlowLogParser, type ParseOptions, type ParseResult } from "./parse";

/** Gunzips when the bytes are gzip (by magic number, not by file name), and decodes UTF-8. */
export function flowLogBytesToText(bytes: Uint8Array, label = "<input>"): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch (error) {
      throw new UserError(`${label}: not a valid gzip file (${messageOf(error)})`);
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** Reads a flow log file from disk (`.log.gz` or plain text). */
export async function readFlowLogFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read flow log file (${code ?? String(error)})`);
  }
  return flowLogBytesToText(bytes, path);
}

export interface CloudWatchLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface CloudWatchLogsPayload {
  messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CloudWatchLogEvent[];
}

/** Validates an already-decoded subscription payload (e.g. a JSON file saved from a test event). */
export function toCloudWatchLogsPayload(value: unknown, label = "<payload>"): CloudWatchLogsPayload {
  if (!isObject(value)) throw new UserError(`${label}: CloudWatch Logs payload is not a JSON object`);
  const { messageType, logEvents } = value;
  if (messageType !== "DATA_MESSAGE" && messageType !== "CONTROL_MESSAGE") {
    throw new UserError(`${label}: CloudWatch Logs payload has messageType ${JSON.stringify(messageType)}, expected DATA_MESSAGE or CONTROL_MESSAGE`);
  }
  if (!Array.isArray(logEvents)) throw new UserError(`${label}: CloudWatch Logs payload has no logEvents list`);
  const events: CloudWatchLogEvent[] = [];
  logEvents.forEach((event, i) => {
    // A bad event is skipped by the parser as a malformed line, not fatal for the payload.
    const message = isObject(event) && typeof event.message === "string" ? event.message : "";
    events.push({
      id: isObject(event) && typeof event.id === "string" ? event.id : String(i),
      timestamp: isObject(event) && typeof event.timestamp === "number" ? event.timestamp : 0,
      message,
    });
  });
  return {
    messageType,
    owner: typeof value.owner === "string" ? value.owner : "",
    logGroup: typeof value.logGroup === "string" ? value.logGroup : "",
    logStream: typeof value.logStream === "string" ? value.logStream : "",
    subscriptionFilters: Array.isArray(value.subscriptionFilters) ? value.subscriptionFilters.filter((f) => typeof f === "string") : [],
    logEvents: events,
  };
}

/** Decodes `event.awslogs.data` (or one Kinesis record's `data`): base64 → gunzip → JSON → payload. */
export function decodeCloudWatchLogsPayload(base64: string, label = "<awslogs.data>"): CloudWatchLogsPayload {
  const bytes = Buffer.from(base64, "base64");
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(bytes).toString("utf8"));
  } catch (error) {
    throw new UserError(`${label}: not a base64 gzip JSON CloudWatch Logs payload (${messageOf(error)})`);
  }
  return toCloudWatchLogsPayload(json, label);
}

/** Where a payload came from, for locations: `cloudwatch:<logGroup>/<logStream>`. */
export function cloudWatchLabel(payload: CloudWatchLogsPayload): string {
  return `cloudwatch:${payload.logGroup}/${payload.logStream}`;
}

/**
 * Parses the events of a payload. CloudWatch-delivered records have no header line, so a custom
 * format must come from configuration (`options.format`). Event n (1-based) is "line" n. A
 * CONTROL_MESSAGE yields nothing.
 */
export function parseCloudWatchLogEvents(payload: CloudWatchLogsPayload, options: ParseOptions = {}): ParseResult {
  const parser = new FlowLogParser(options);
  if (payload.messageType === "DATA_MESSAGE") {
    payload.logEvents.forEach((event, i) => {
      if (event.message === "") parser.push("<empty or missing message>", i + 1);
      else parser.push(event.message, i + 1);
    });
  }
  return parser.result();
}

