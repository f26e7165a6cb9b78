/**
 * CloudTrail records → subjects. Each record is looked up in the normalizer registry by eventSource +
 * eventName; read-only records nobody handles are skipped after two property reads and two Map lookups.
 * Records are never copied: subjects reference the record's own sub-objects.
 */
import type { Location, Subject } from "../../engine/model";
import { isObject, type JsonObject } from "../../util/objects";
import { eventContext } from "./eventContext";
import { defaultRegistry, type NormalizerRegistry } from "./normalize/registry";
import { defined } from "./normalize/shapes";
import type { NormalizeInput, SubjectSink } from "./normalize/types";

export const API_CALL_TYPE = "Parapet::CloudTrail::ApiCall";

/** A record that could not be (fully) turned into subjects. The rest of the file is unaffected. */
export interface RecordError {
  /** File path or `s3://bucket/key`. */
  file: string;
  /** `/Records/<index>` (or `/detail` for an EventBridge event). */
  pointer: string;
  /** Position of the record in its file, -1 when it did not come from a list. */
  index: number;
  message: string;
}

export interface SubjectsResult {
  subjects: Subject[];
  errors: RecordError[];
}

export interface RecordOptions {
  registry?: NormalizerRegistry;
}

export type SubjectCallback = (subject: Subject) => void;
export type ErrorCallback = (error: RecordError) => void;

/** Normalizes every record of a file. */
export function recordsToSubjects(records: readonly unknown[], file: string, options: RecordOptions = {}): SubjectsResult {
  const subjects: Subject[] = [];
  const errors: RecordError[] = [];
  forEachRecordSubject(records, file, (s) => subjects.push(s), (e) => errors.push(e), options);
  return { subjects, errors };
}

/** Streaming-friendly variant: hands each subject to `onSubject` as it is made, nothing is collected. */
export function forEachRecordSubject(
  records: readonly unknown[],
  file: string,
  onSubject: SubjectCallback,
  onError: ErrorCallback,
  options: RecordOptions = {},
): void {
  const registry = options.registry ?? defaultRegistry;
  for (let index = 0; index < records.length; index++) {
    normalizeRecord(records[index], file, index, undefined, onSubject, onError, registry);
  }
}

/** One record, wherever it came from (a log file, an EventBridge `detail`). */
export function recordToSubjects(
  record: unknown,
  where: { file: string; pointer: string; index: number },
  onSubject: SubjectCallback,
  onError: ErrorCallback,
  { registry = defaultRegistry }: RecordOptions = {},
): void {
  normalizeRecord(record, where.file, where.index, where.pointer, onSubject, onError, registry);
}

/** The per-record work. Nothing is allocated for a record that is skipped (most of a file). */
function normalizeRecord(
  record: unknown,
  file: string,
  index: number,
  pointerGiven: string | undefined,
  onSubject: SubjectCallback,
  onError: ErrorCallback,
  registry: NormalizerRegistry,
): void {
  if (!isObject(record)) {
    const pointer = pointerGiven ?? `/Records/${index}`;
    onError({ file, pointer, index, message: `record ${index >= 0 ? `#${index} ` : ""}is ${describe(record)}, not an object; skipped` });
    return;
  }
  const { eventSource, eventName } = record;
  if (typeof eventSource !== "string" || typeof eventName !== "string") {
    const pointer = pointerGiven ?? `/Records/${index}`;
    onError({ file, pointer, index, message: "not a CloudTrail record (eventSource or eventName missing); skipped" });
    return;
  }
  // Insights records describe API-rate anomalies, not calls.
  if (record.eventType === "AwsCloudTrailInsight") return;
  const normalize = registry.get(eventSource, eventName);
  const isLogin = eventName === "ConsoleLogin" && eventSource === "signin.amazonaws.com";
  const isChange = record.readOnly !== true || isLogin;
  if (normalize === undefined && !isChange) return;

  const pointer = pointerGiven ?? `/Records/${index}`;
  const fail = (message: string): void => onError({ file, pointer, index, message });
  const event = eventContext(record);
  const location: Location = { file, pointer };
  const context = { event };
  const sink: SubjectSink = {
    emit(type, id, properties) {
      onSubject({ type, id, properties: defined(properties), source: "cloudtrail", context, location });
    },
    problem(message) {
      fail(`${eventName} ${event.eventId}: ${message}`);
    },
  };

  if (isChange) sink.emit(API_CALL_TYPE, event.eventId || `${file}#${pointer}`, apiCallProperties(record));
  // A failed call changed nothing: resource subjects would describe a state that does not exist.
  if (normalize === undefined || event.errorCode !== undefined) return;
  const input: NormalizeInput = {
    record,
    requestParameters: isObject(record.requestParameters) ? record.requestParameters : undefined,
    responseElements: isObject(record.responseElements) ? record.responseElements : undefined,
    event,
    location,
  };
  try {
    normalize(input, sink);
  } catch (err) {
    // A normalizer bug on one odd record must not cost the rest of the file.
    sink.problem(`could not be normalized (${(err as Error).message})`);
  }
}

function apiCallProperties(record: JsonObject): Record<string, unknown> {
  return {
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventType: record.eventType,
    readOnly: record.readOnly,
    userIdentity: record.userIdentity,
    requestParameters: record.requestParameters,
    responseElements: record.responseElements,
    additionalEventData: record.additionalEventData,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    recipientAccountId: record.recipientAccountId,
    sourceIPAddress: record.sourceIPAddress,
    userAgent: record.userAgent,
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}
