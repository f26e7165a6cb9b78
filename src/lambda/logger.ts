/**
 * Structured logs for Lambda handlers: one JSON object per line on stdout (CloudWatch Logs Insights
 * and metric filters read the fields), in the shape Powertools Logger uses — `level`, `message`,
 * `timestamp`, `service`, plus the request id and whatever counts the caller adds.
 */
import type { TextWriter } from "../alerts/sink";

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` too (the request id, the trigger). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export interface JsonLoggerOptions {
  out?: TextWriter;
  service?: string;
  /** Lowest level written; default from `LOG_LEVEL` (the Lambda advanced-logging variable), else INFO. */
  level?: LogLevel;
  now?: () => Date;
}

export function jsonLogger(options: JsonLoggerOptions = {}, base: LogFields = {}): Logger {
  const out = options.out ?? process.stdout;
  const envLevel = process.env.LOG_LEVEL?.toUpperCase();
  const minimum = RANK[options.level ?? (envLevel !== undefined && envLevel in RANK ? (envLevel as LogLevel) : "INFO")];
  const now = options.now ?? (() => new Date());
  const service = options.service ?? "parapet";
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < minimum) return;
    out.write(`${safeJson({ level, message, timestamp: now().toISOString(), service, ...base, ...fields })}\n`);
  };
  return {
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARN", m, f),
    error: (m, f) => write("ERROR", m, f),
    child: (fields) => jsonLogger(options, { ...base, ...fields }),
  };
}

/** Logging must never throw: a cycle or a BigInt in a field becomes a note instead. */
function safeJson(value: LogFields): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    return JSON.stringify({ level: value.level, message: value.message, timestamp: value.timestamp, logError: (err as Error).message });
  }
}
