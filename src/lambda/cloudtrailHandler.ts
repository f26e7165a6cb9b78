/**
 * The CloudTrail Lambda handler, built from its dependencies so tests can point it at servers on
 * loopback. `cloudtrail.ts` wires the real ones once per container.
 *
 * Failure policy (nothing lost, nothing alerted twice):
 * - a bad object (not gzip, not JSON, no `Records`, missing, access denied) is logged with a clear
 *   error and skipped: retrying cannot fix it and the other objects must still be checked;
 * - a transient read failure (throttling, 5xx, network) throws after the other objects' alerts are
 *   published, so Lambda retries the whole event; the retry re-publishes the same deterministic
 *   aliases, which OpsGenie merges into the open alerts;
 * - alerts that finally fail to publish throw (`PublishError`) for the same retry;
 * - S3 Batch Operations gets a result code per task instead: `TemporaryFailure` tasks are retried by
 *   Batch Operations itself, `PermanentFailure` ones land in the completion report.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { findingsToAlerts, PublishError, type AlertOptions, type AlertSink, type PublishResult, type SnsAlert } from "../alerts";
import type { RuleSet } from "../engine/ruleset";
import {
  asFileError,
  CloudTrailPartialError,
  evaluateCloudTrailRecord,
  forEachLimited,
  scanCloudTrailObject,
  type CloudTrailEvaluateOptions,
  type CloudTrailFileResult,
} from "../pipeline/cloudtrail";
import { IntakeError, parseIntake, s3Uri, type CloudTrailFileError, type Intake, type RecordError, type S3ObjectRef } from "../sources/cloudtrail";
import type { Logger } from "./logger";

export interface CloudTrailHandlerDeps {
  ruleSet: RuleSet;
  s3: S3Client;
  /** `SnsAlertSink` to the configured topic, or `DryRunAlertSink` printing alerts. */
  sink: AlertSink;
  log: Logger;
  alertOptions?: AlertOptions;
  /** Objects read at once within one invocation. Default 2. */
  concurrency?: number;
  chunkRecords?: number;
}

/** The minimal part of the Lambda context the handler reads. */
export interface LambdaContextLike {
  awsRequestId?: string;
}

export type BatchResultCode = "Succeeded" | "TemporaryFailure" | "PermanentFailure";

/** The response S3 Batch Operations expects: same schema version and invocation id as the request. */
export interface S3BatchResponse {
  invocationSchemaVersion: "1.0" | "2.0";
  treatMissingKeysAs: BatchResultCode;
  invocationId: string;
  results: { taskId: string; resultCode: BatchResultCode; resultString: string }[];
}

/** What the handler returns for SNS, S3 and EventBridge triggers (Lambda ignores it; tests read it). */
export interface InvocationSummary {
  trigger: Intake["kind"];
  objects: number;
  skipped: number;
  failed: number;
  records: number;
  findings: number;
  alerts: number;
  published: number;
}

export type CloudTrailHandler = (event: unknown, context?: LambdaContextLike) => Promise<InvocationSummary | S3BatchResponse>;

/** Thrown when an object could not be read for a reason a retry may fix. */
export class RetryableReadError extends Error {
  constructor(readonly errors: CloudTrailFileError[]) {
    super(`${errors.length} object${errors.length === 1 ? "" : "s"} could not be read and will be retried: ${errors.map((e) => e.message).join("; ")}`);
    this.name = "RetryableReadError";
  }
}

/** Longest resultString kept in a Batch Operations completion report line. */
const RESULT_STRING_MAX = 1_000;
/** Record errors logged individually per object; the rest are counted. */
const RECORD_ERRORS_LOGGED = 5;

/** A failed object may still carry the alerts of the records before it broke (a truncated file). */
type ObjectOutcome =
  | { ok: true; object: S3ObjectRef; result: CloudTrailFileResult; alerts: SnsAlert[] }
  | { ok: false; object: S3ObjectRef; error: CloudTrailFileError; partial?: CloudTrailFileResult; alerts: SnsAlert[] };

export function createCloudTrailHandler(deps: CloudTrailHandlerDeps): CloudTrailHandler {
  const evaluate: CloudTrailEvaluateOptions = { ruleSet: deps.ruleSet, chunkRecords: deps.chunkRecords };
  const concurrency = Math.max(1, deps.concurrency ?? 2);

  async function scanObjects(objects: readonly S3ObjectRef[], log: Logger): Promise<ObjectOutcome[]> {
    const outcomes: ObjectOutcome[] = new Array(objects.length);
    await forEachLimited(objects, concurrency, async (object, index) => {
      const file = s3Uri(object.bucket, object.key);
      const started = Date.now();
      try {
        const result = await scanCloudTrailObject(deps.s3, object, evaluate);
        const alerts = findingsToAlerts(result.findings, deps.alertOptions);
        logRecordErrors(log, file, result.recordErrors);
        log.info("object evaluated", {
          file,
          records: result.records,
          bytes: result.bytes,
          subjects: result.subjects,
          findings: result.findings.length,
          suppressed: result.suppressed.length,
          recordErrors: result.recordErrors.length,
          durationMs: Date.now() - started,
        });
        outcomes[index] = { ok: true, object, result, alerts };
      } catch (err) {
        const error = asFileError(file, err);
        // Records before a break were evaluated: their alerts go out like any others (a retry re-raises the same aliases).
        const partial = err instanceof CloudTrailPartialError ? err.partial : undefined;
        const alerts = partial === undefined ? [] : findingsToAlerts(partial.findings, deps.alertOptions);
        if (partial !== undefined) logRecordErrors(log, file, partial.recordErrors);
        log.error(error.retryable ? "object not read; the event will be retried" : "object skipped: it cannot be processed", {
          file,
          error: error.message,
          retryable: error.retryable,
          ...(partial === undefined ? {} : { recordsEvaluated: partial.records, findings: partial.findings.length }),
        });
        outcomes[index] = { ok: false, object, error, alerts, ...(partial === undefined ? {} : { partial }) };
      }
    });
    return outcomes;
  }

  async function publish(alerts: readonly SnsAlert[], log: Logger): Promise<PublishResult> {
    if (alerts.length === 0) return { published: 0, duplicates: 0, calls: 0 };
    try {
      const result = await deps.sink.publish(alerts);
      log.info("alerts published", { alerts: alerts.length, published: result.published, duplicates: result.duplicates, calls: result.calls });
      return result;
    } catch (err) {
      log.error("alerts not published", {
        error: (err as Error).message,
        failedAliases: err instanceof PublishError ? err.failed.map((f) => f.alias) : undefined,
      });
      throw err;
    }
  }

  async function handleObjects(intake: Extract<Intake, { kind: "objects" }>, log: Logger): Promise<InvocationSummary> {
    for (const skipped of intake.skipped) log.info("input skipped", { ...skipped });
    const outcomes = await scanObjects(intake.objects, log);
    const alerts = outcomes.flatMap((o) => o.alerts);
    // Publish what was found before failing for a retry: those alerts are not delayed, and the retry's
    // identical aliases are merged by OpsGenie.
    const published = await publish(alerts, log);
    const retryable = outcomes.flatMap((o) => (!o.ok && o.error.retryable ? [o.error] : []));
    const summary = summarize("objects", outcomes, intake.skipped.length, alerts.length, published);
    log.info("invocation done", { ...summary });
    if (retryable.length > 0) throw new RetryableReadError(retryable);
    return summary;
  }

  async function handleRecord(intake: Extract<Intake, { kind: "record" }>, log: Logger): Promise<InvocationSummary> {
    const result = evaluateCloudTrailRecord(intake.record, { file: intake.file, pointer: intake.pointer }, evaluate);
    logRecordErrors(log, intake.file, result.recordErrors);
    const alerts = findingsToAlerts(result.findings, deps.alertOptions);
    const published = await publish(alerts, log);
    const summary: InvocationSummary = {
      trigger: "record",
      objects: 0,
      skipped: 0,
      failed: result.recordErrors.length > 0 && result.subjects === 0 ? 1 : 0,
      records: 1,
      findings: result.findings.length,
      alerts: alerts.length,
      published: published.published,
    };
    log.info("invocation done", { ...summary, detailType: intake.detailType, eventId: intake.eventId });
    return summary;
  }

  async function handleBatch(intake: Extract<Intake, { kind: "batch" }>, log: Logger): Promise<S3BatchResponse> {
    const results = new Map<string, { resultCode: BatchResultCode; resultString: string }>();
    const toRead: { taskId: string; object: S3ObjectRef }[] = [];
    for (const task of intake.tasks) {
      if (task.status === "read") toRead.push({ taskId: task.taskId, object: task.object });
      else if (task.status === "skip") results.set(task.taskId, { resultCode: "Succeeded", resultString: `skipped: ${task.reason}` });
      else results.set(task.taskId, { resultCode: "PermanentFailure", resultString: `invalid task: ${task.reason}` });
    }

    const outcomes = await scanObjects(
      toRead.map((t) => t.object),
      log,
    );
    const tasksByAlias = new Map<string, string[]>();
    const alerts: SnsAlert[] = [];
    outcomes.forEach((outcome, i) => {
      const { taskId } = toRead[i]!;
      if (!outcome.ok) {
        results.set(taskId, { resultCode: outcome.error.retryable ? "TemporaryFailure" : "PermanentFailure", resultString: outcome.error.message });
      } else {
        const { result } = outcome;
        results.set(taskId, {
          resultCode: "Succeeded",
          resultString: `${result.records} records, ${result.findings.length} findings, ${outcome.alerts.length} alerts, ${result.recordErrors.length} record errors`,
        });
      }
      for (const alert of outcome.alerts) {
        alerts.push(alert);
        tasksByAlias.set(alert.alias, [...(tasksByAlias.get(alert.alias) ?? []), taskId]);
      }
    });

    let published: PublishResult = { published: 0, duplicates: 0, calls: 0 };
    try {
      published = await publish(alerts, log);
    } catch (err) {
      if (!(err instanceof PublishError)) throw err;
      // Only the tasks whose alerts did not get out are retried by Batch Operations.
      for (const failure of err.failed) {
        for (const taskId of tasksByAlias.get(failure.alias) ?? []) {
          results.set(taskId, { resultCode: "TemporaryFailure", resultString: `alert ${failure.alias} not published: ${failure.code}` });
        }
      }
    }

    const response: S3BatchResponse = {
      invocationSchemaVersion: intake.invocationSchemaVersion,
      treatMissingKeysAs: "PermanentFailure",
      invocationId: intake.invocationId,
      results: intake.tasks.map(({ taskId }) => {
        const r = results.get(taskId) ?? { resultCode: "PermanentFailure" as const, resultString: "not processed" };
        return { taskId, resultCode: r.resultCode, resultString: r.resultString.slice(0, RESULT_STRING_MAX) };
      }),
    };
    const counts = { Succeeded: 0, TemporaryFailure: 0, PermanentFailure: 0 };
    for (const r of response.results) counts[r.resultCode] += 1;
    log.info("invocation done", {
      ...summarize("batch", outcomes, 0, alerts.length, published),
      jobId: intake.jobId,
      invocationSchemaVersion: intake.invocationSchemaVersion,
      tasks: intake.tasks.length,
      ...counts,
    });
    return response;
  }

  return async function handler(event, context) {
    const log = deps.log.child(context?.awsRequestId ? { requestId: context.awsRequestId } : {});
    let intake: Intake;
    try {
      intake = parseIntake(event);
    } catch (err) {
      // The event is gone if we return: failing sends it to the function's retry and dead-letter path.
      if (err instanceof IntakeError) log.error("event not recognized", { error: err.message });
      throw err;
    }
    const scoped = log.child({ trigger: intake.kind });
    switch (intake.kind) {
      case "ignored":
        scoped.info("event ignored", { reason: intake.reason });
        return { trigger: "ignored", objects: 0, skipped: 1, failed: 0, records: 0, findings: 0, alerts: 0, published: 0 };
      case "record":
        return handleRecord(intake, scoped);
      case "objects":
        return handleObjects(intake, scoped);
      case "batch":
        return handleBatch(intake, scoped);
    }
  };
}

function summarize(trigger: Intake["kind"], outcomes: readonly ObjectOutcome[], skipped: number, alerts: number, published: PublishResult): InvocationSummary {
  let records = 0;
  let findings = 0;
  let failed = 0;
  for (const o of outcomes) {
    if (!o.ok) failed += 1;
    const result = o.ok ? o.result : o.partial;
    if (result === undefined) continue;
    records += result.records;
    findings += result.findings.length;
  }
  return { trigger, objects: outcomes.length, skipped, failed, records, findings, alerts, published: published.published };
}

function logRecordErrors(log: Logger, file: string, errors: readonly RecordError[]): void {
  for (const e of errors.slice(0, RECORD_ERRORS_LOGGED)) log.warn("record skipped", { file, pointer: e.pointer, error: e.message });
  if (errors.length > RECORD_ERRORS_LOGGED) log.warn("more records skipped", { file, count: errors.length - RECORD_ERRORS_LOGGED });
}
