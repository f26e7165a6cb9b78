/**
 * The flow-log Lambda handlers, built from their dependencies so tests can use loopback servers and
 * mocks; `flowlogs.ts` wires the real ones once per container. Three triggers:
 *
 * - Kinesis (a CloudWatch Logs subscription to a stream; each record one gzip'd payload). Returns
 *   `batchItemFailures`: a record whose evaluation failed unexpectedly, or whose alerts could not be
 *   published, is reported so Lambda retries it. A record that cannot be decoded is logged and
 *   skipped — retrying cannot fix it, and reporting it would stall the shard.
 * - CloudWatch Logs subscription invoking the function directly (`awslogs.data`). A payload that does
 *   not decode is logged and dropped; alerts that fail to publish throw, so the asynchronous
 *   invocation is retried.
 * - S3-delivered `.log.gz` files (S3 event notifications, direct or through SNS). Unreadable objects
 *   are skipped with an error log; transient read failures throw after the other objects' alerts are
 *   published, so the event is retried.
 *
 * A retry re-publishes the same deterministic aliases, which OpsGenie merges into the open alerts:
 * nothing is lost and nothing is alerted twice.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { findingsToAlerts, PublishError, type AlertOptions, type AlertSink, type PublishResult, type SnsAlert } from "../alerts";
import type { RuleSet } from "../engine/ruleset";
import {
  FlowLogObjectError,
  processCloudWatchPayload,
  processFlowLogObject,
  type FlowLogOptions,
  type FlowLogResult,
} from "../pipeline/flowlogs";
import { decodeS3EventKey } from "../sources/cloudtrail/keys";
import { decodeCloudWatchLogsPayload, kinesisRecordsToLogEvents, type Enricher, type FlowFormat, type KinesisEventLike } from "../sources/flowlog";
import { UserError } from "../util/errors";
import { isObject, ownGet } from "../util/objects";
import type { Logger } from "./logger";

export interface FlowLogHandlerDeps {
  ruleSet: RuleSet;
  enricher: Enricher;
  /** Configured format of CloudWatch-delivered records (`flowlogs.format`); S3 files carry a header. */
  format?: FlowFormat;
  /** Needed by the S3 handler only. */
  s3?: Pick<S3Client, "send">;
  /** `SnsAlertSink` to the configured topic, or `DryRunAlertSink` printing alerts. */
  sink: AlertSink;
  log: Logger;
  alertOptions?: AlertOptions;
  chunkSize?: number;
}

export interface LambdaContextLike {
  awsRequestId?: string;
}

export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What the CloudWatch and S3 handlers return (Lambda ignores it; tests and logs read it). */
export interface FlowInvocationSummary {
  trigger: "kinesis" | "cloudwatch" | "s3";
  /** Payloads (Kinesis records, CloudWatch payloads) or S3 objects processed. */
  inputs: number;
  skipped: number;
  failed: number;
  records: number;
  flows: number;
  malformed: number;
  findings: number;
  alerts: number;
  published: number;
}

export interface FlowLogHandlers {
  kinesis(event: unknown, context?: LambdaContextLike): Promise<KinesisBatchResponse>;
  cloudWatch(event: unknown, context?: LambdaContextLike): Promise<FlowInvocationSummary>;
  s3(event: unknown, context?: LambdaContextLike): Promise<FlowInvocationSummary>;
}

/** Thrown by the S3 handler when objects could not be read for a reason a retry may fix. */
export class RetryableFlowLogReadError extends Error {
  constructor(readonly errors: FlowLogObjectError[]) {
    super(`${errors.length} object${errors.length === 1 ? "" : "s"} could not be read and will be retried: ${errors.map((e) => e.message).join("; ")}`);
    this.name = "RetryableFlowLogReadError";
  }
}

const MALFORMED_LOGGED = 5;
const NOTHING_PUBLISHED: PublishResult = { published: 0, duplicates: 0, calls: 0 };

export function createFlowLogHandlers(deps: FlowLogHandlerDeps): FlowLogHandlers {
  const options: FlowLogOptions = { ruleSet: deps.ruleSet, enricher: deps.enricher, format: deps.format, chunkSize: deps.chunkSize };

  function scoped(context: LambdaContextLike | undefined, trigger: FlowInvocationSummary["trigger"]): Logger {
    return deps.log.child({ ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}), trigger });
  }

  function logResult(log: Logger, result: FlowLogResult, started: number): void {
    for (const m of result.malformed.slice(0, MALFORMED_LOGGED)) log.warn("malformed record skipped", { file: result.file, line: m.line, error: m.reason });
    if (result.malformedCount > MALFORMED_LOGGED) log.warn("more malformed records skipped", { file: result.file, count: result.malformedCount - MALFORMED_LOGGED });
    for (const w of result.warnings) log.warn("interface lookup failed; flows enriched without it", { file: result.file, error: w });
    log.info("input evaluated", {
      file: result.file,
      records: result.records,
      flows: result.flows,
      subjects: result.subjects,
      findings: result.findings.length,
      suppressed: result.suppressed.length,
      malformed: result.malformedCount,
      durationMs: Date.now() - started,
    });
  }

  async function publish(alerts: readonly SnsAlert[], log: Logger): Promise<PublishResult> {
    if (alerts.length === 0) return NOTHING_PUBLISHED;
    try {
      const result = await deps.sink.publish(alerts);
      log.info("alerts published", { alerts: alerts.length, published: result.published, duplicates: result.duplicates, calls: result.calls });
      return result;
    } catch (err) {
      log.error("alerts not published", { error: (err as Error).message, failedAliases: err instanceof PublishError ? err.failed.map((f) => f.alias) : undefined });
      throw err;
    }
  }

  function summary(trigger: FlowInvocationSummary["trigger"], results: readonly FlowLogResult[], extra: Partial<FlowInvocationSummary>): FlowInvocationSummary {
    const out: FlowInvocationSummary = { trigger, inputs: 0, skipped: 0, failed: 0, records: 0, flows: 0, malformed: 0, findings: 0, alerts: 0, published: 0, ...extra };
    for (const r of results) {
      out.records += r.records;
      out.flows += r.flows;
      out.malformed += r.malformedCount;
      out.findings += r.findings.length;
    }
    return out;
  }

  async function kinesis(event: unknown, context?: LambdaContextLike): Promise<KinesisBatchResponse> {
    const log = scoped(context, "kinesis");
    const payloads = kinesisRecordsToLogEvents(isObject(event) ? (event as KinesisEventLike) : {});
    const failed = new Set<string>();
    const results: FlowLogResult[] = [];
    const alerts: SnsAlert[] = [];
    const recordsByAlias = new Map<string, string[]>();
    let skipped = 0;
    for (const entry of payloads) {
      if (!entry.ok) {
        skipped++;
        log.error("kinesis record skipped: it cannot be decoded", { eventId: entry.eventId, sequenceNumber: entry.sequenceNumber, error: entry.error });
        continue;
      }
      const started = Date.now();
      try {
        const result = await processCloudWatchPayload(entry.payload, options);
        logResult(log.child({ sequenceNumber: entry.sequenceNumber }), result, started);
        results.push(result);
        for (const alert of findingsToAlerts(result.findings, deps.alertOptions)) {
          alerts.push(alert);
          recordsByAlias.set(alert.alias, [...(recordsByAlias.get(alert.alias) ?? []), entry.sequenceNumber]);
        }
      } catch (err) {
        if (err instanceof UserError) {
          skipped++;
          log.error("kinesis record skipped: it cannot be processed", { sequenceNumber: entry.sequenceNumber, error: err.message });
        } else {
          failed.add(entry.sequenceNumber);
          log.error("kinesis record failed; it will be retried", { sequenceNumber: entry.sequenceNumber, error: (err as Error).message });
        }
      }
    }
    let published = NOTHING_PUBLISHED;
    try {
      published = await publish(alerts, log);
    } catch (err) {
      // Only the records whose alerts did not get out are retried.
      const aliases = err instanceof PublishError ? err.failed.map((f) => f.alias) : [...recordsByAlias.keys()];
      for (const alias of aliases) for (const sequenceNumber of recordsByAlias.get(alias) ?? []) failed.add(sequenceNumber);
    }
    // In event order: Lambda resumes the shard from the lowest failed sequence number.
    const batchItemFailures = payloads.filter((p) => failed.has(p.sequenceNumber)).map((p) => ({ itemIdentifier: p.sequenceNumber }));
    const done = summary("kinesis", results, { inputs: payloads.length, skipped, failed: batchItemFailures.length, alerts: alerts.length, published: published.published });
    log.info("invocation done", { ...done });
    return { batchItemFailures };
  }

  async function cloudWatch(event: unknown, context?: LambdaContextLike): Promise<FlowInvocationSummary> {
    const log = scoped(context, "cloudwatch");
    const data = ownGet(ownGet(event, "awslogs"), "data");
    if (typeof data !== "string") {
      const error = new UserError("unrecognized Lambda event: expected a CloudWatch Logs subscription event with awslogs.data");
      log.error("event not recognized", { error: error.message });
      throw error;
    }
    let payload;
    try {
      payload = decodeCloudWatchLogsPayload(data);
    } catch (err) {
      log.error("payload dropped: it cannot be decoded", { error: (err as Error).message });
      return summary("cloudwatch", [], { inputs: 1, skipped: 1 });
    }
    if (payload.messageType !== "DATA_MESSAGE") {
      log.info("control message ignored", { logGroup: payload.logGroup });
      return summary("cloudwatch", [], { inputs: 1, skipped: 1 });
    }
    const started = Date.now();
    const result = await processCloudWatchPayload(payload, options);
    logResult(log, result, started);
    const alerts = findingsToAlerts(result.findings, deps.alertOptions);
    const published = await publish(alerts, log);
    const done = summary("cloudwatch", [result], { inputs: 1, alerts: alerts.length, published: published.published });
    log.info("invocation done", { ...done });
    return done;
  }

  async function s3(event: unknown, context?: LambdaContextLike): Promise<FlowInvocationSummary> {
    const log = scoped(context, "s3");
    if (!deps.s3) throw new Error("the S3 flow-log handler needs an S3 client");
    const intake = parseS3Intake(event);
    for (const skip of intake.skipped) log.info("input skipped", { ...skip });
    const results: FlowLogResult[] = [];
    const alerts: SnsAlert[] = [];
    const retryable: FlowLogObjectError[] = [];
    let failed = 0;
    for (const object of intake.objects) {
      const started = Date.now();
      try {
        const result = await processFlowLogObject(deps.s3, object, options);
        logResult(log, result, started);
        results.push(result);
        alerts.push(...findingsToAlerts(result.findings, deps.alertOptions));
      } catch (err) {
        if (!(err instanceof FlowLogObjectError)) throw err;
        failed++;
        log.error(err.retryable ? "object not read; the event will be retried" : "object skipped: it cannot be processed", { file: err.file, error: err.message, retryable: err.retryable });
        if (err.retryable) retryable.push(err);
      }
    }
    // Publish what was found before failing for a retry; the retry's identical aliases are merged.
    const published = await publish(alerts, log);
    const done = summary("s3", results, { inputs: intake.objects.length, skipped: intake.skipped.length, failed, alerts: alerts.length, published: published.published });
    log.info("invocation done", { ...done });
    if (retryable.length > 0) throw new RetryableFlowLogReadError(retryable);
    return done;
  }

  return { kinesis, cloudWatch, s3 };
}

export interface FlowLogObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
}

export interface FlowLogS3Intake {
  objects: FlowLogObjectRef[];
  skipped: { bucket?: string; key?: string; reason: string }[];
}

/**
 * S3 event notifications, direct or wrapped in SNS, → the flow-log objects to read. Keys that are not
 * plain-text flow log files (Parquet deliveries, other objects in the bucket) are skipped with a reason.
 */
export function parseS3Intake(event: unknown): FlowLogS3Intake {
  const records = ownGet(event, "Records");
  if (!Array.isArray(records)) throw new UserError("unrecognized Lambda event: expected an S3 event notification (Records[]), direct or through SNS");
  const out: FlowLogS3Intake = { objects: [], skipped: [] };
  records.forEach((record, index) => {
    const source = ownGet(record, "eventSource") ?? ownGet(record, "EventSource");
    if (source === "aws:s3") return s3Record(record, out);
    if (source === "aws:sns") {
      const raw = ownGet(ownGet(record, "Sns"), "Message");
      let message: unknown;
      try {
        message = typeof raw === "string" ? JSON.parse(raw) : undefined;
      } catch {
        message = undefined;
      }
      if (ownGet(message, "Event") === "s3:TestEvent") return void out.skipped.push({ reason: "S3 test event" });
      const inner = ownGet(message, "Records");
      if (!Array.isArray(inner)) throw new UserError(`unrecognized Lambda event: Records[${index}].Sns.Message is not an S3 event notification`);
      for (const r of inner) s3Record(r, out);
      return;
    }
    throw new UserError(`unrecognized Lambda event: Records[${index}] has event source ${JSON.stringify(source ?? null)}; expected aws:s3 or aws:sns`);
  });
  return out;
}

function s3Record(record: unknown, out: FlowLogS3Intake): void {
  const s3 = ownGet(record, "s3");
  const bucket = ownGet(ownGet(s3, "bucket"), "name");
  const rawKey = ownGet(ownGet(s3, "object"), "key");
  if (typeof bucket !== "string" || typeof rawKey !== "string") throw new UserError("unrecognized Lambda event: S3 event record has no s3.bucket.name or s3.object.key");
  const key = decodeS3EventKey(rawKey);
  const eventName = ownGet(record, "eventName");
  if (typeof eventName !== "string" || !eventName.startsWith("ObjectCreated:")) {
    out.skipped.push({ bucket, key, reason: `${typeof eventName === "string" ? eventName : "event"} is not an object creation` });
    return;
  }
  if (!/\.log(\.gz)?$/.test(key)) {
    out.skipped.push({ bucket, key, reason: key.endsWith(".parquet") ? "Parquet flow logs are not supported; deliver plain-text files" : "not a flow log file (.log or .log.gz)" });
    return;
  }
  const versionId = ownGet(ownGet(s3, "object"), "versionId");
  out.objects.push(typeof versionId === "string" && versionId !== "" ? { bucket, key, versionId } : { bucket, key });
}
