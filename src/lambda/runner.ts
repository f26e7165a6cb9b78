/**
 * The one path every Lambda trigger takes once its envelope has named the work: inputs → findings
 * (the pipeline the CLI uses, called by the handler) → alerts → publish → what to tell Lambda.
 *
 * Each input settles on its own: its alerts are published as soon as it is settled (a broken file's
 * records before the break included), and it ends `evaluated`, `skipped` (a permanent data error:
 * ERROR line and the `InputsSkipped` metric; never retried) or `failed` (retryable, or its alerts did
 * not get out: ERROR line and `InputsFailed`). What a failure means to Lambda depends on the trigger:
 * the whole event is retried (SNS, S3, EventBridge, CloudWatch Logs: `finish` throws once everything
 * else is published), the task is answered `TemporaryFailure` (Batch Operations), or the record is
 * reported in `batchItemFailures` (Kinesis). A retry re-publishes the same deterministic aliases,
 * which OpsGenie merges: nothing is lost and nothing is alerted twice.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { findingsToAlerts, PublishError, type AlertOptions, type AlertSink } from "../alerts";
import type { Finding, Suppressed } from "../engine/model";
import { resultOf, type Outcome } from "../pipeline/outcome";
import type { InputError } from "../report/types";
import { s3ObjectUri, type S3Object, type SkippedInput } from "../sources/s3";
import { failureKind, InputFailure, messageOf } from "../util/errors";
import { plural } from "../util/plural";
import { batchResponse, resultCodeFor, type ObjectDelivery, type TaskAnswer } from "./envelopes";

/** What every pipeline result carries (a CloudTrail file, a flow-log input). */
export interface Evaluation {
  file: string;
  records: number;
  findings: readonly Finding[];
  suppressed: readonly Suppressed[];
}

/** Where a function's work goes: alerts, logs, metrics. Built once per container. */
export interface Outputs {
  /** `SnsAlertSink` to the configured topic, or `DryRunAlertSink` printing alerts. */
  sink: AlertSink;
  log: Logger;
  metrics: Metrics;
  alertOptions?: AlertOptions;
}

export interface RunnerDeps<R extends Evaluation> extends Outputs {
  /** The parts of an input that were not evaluated though the rest was (bad records, malformed lines): logged as WARN. */
  problems: (result: R) => readonly InputError[];
}

interface Counts {
  records: number;
  findings: number;
  problems: number;
  alerts: number;
  published: number;
}

/** One input, settled: evaluated, or skipped/failed with why. */
export type Settled = Counts & { input: string } & ({ status: "evaluated" } | { status: "skipped" | "failed"; reason: string });

/** What an invocation did; logged as "invocation done" and returned where Lambda ignores the result (tests read it). */
export interface InvocationSummary extends Omit<Counts, "problems"> {
  trigger: string;
  /** Inputs read or attempted. */
  inputs: number;
  evaluated: number;
  /** Named by the event but not for this function (other files, deletions, test and control messages). */
  ignored: number;
  skipped: number;
  failed: number;
}

/** Problems logged one by one per input; the rest are counted in one line. */
const PROBLEMS_LOGGED = 5;

export class Invocation<R extends Evaluation> {
  private readonly settled: Settled[] = [];
  private ignored = 0;

  constructor(
    private readonly deps: RunnerDeps<R>,
    readonly trigger: string,
  ) {}

  /** Inputs the event named that this function does not read. */
  ignore(inputs: readonly SkippedInput[]): void {
    for (const input of inputs) this.deps.log.info("input ignored", { ...input });
    this.ignored += inputs.length;
  }

  /** Publishes the alerts of `outcome` (a partial result's too) and records how `input` ended. */
  async settle(input: string, outcome: Outcome<R>): Promise<Settled> {
    const { log } = this.deps;
    const result = resultOf(outcome);
    const problems = result === undefined ? [] : this.deps.problems(result);
    for (const p of problems.slice(0, PROBLEMS_LOGGED)) log.warn("input problem", { input, file: p.file, ...(p.line === undefined ? {} : { line: p.line }), error: p.message });
    if (problems.length > PROBLEMS_LOGGED) log.warn("more input problems", { input, count: problems.length - PROBLEMS_LOGGED });

    const alerts = result === undefined ? [] : findingsToAlerts(result.findings, this.deps.alertOptions);
    const counts: Counts = { records: result?.records ?? 0, findings: result?.findings.length ?? 0, problems: problems.length, alerts: alerts.length, published: 0 };
    let settled: Settled = outcome.status === "evaluated" ? { input, status: "evaluated", ...counts } : { input, status: outcome.status, reason: outcome.reason, ...counts };
    if (alerts.length > 0) {
      try {
        const published = await this.deps.sink.publish(alerts);
        settled.published = published.published;
        log.info("alerts published", { input, alerts: alerts.length, published: published.published, duplicates: published.duplicates, calls: published.calls });
      } catch (err) {
        log.error("alerts not published", { input, error: messageOf(err), ...(err instanceof PublishError ? { failedAliases: err.failed.map((f) => f.alias) } : {}) });
        settled = { ...settled, status: "failed", reason: `alerts not published: ${messageOf(err)}` };
      }
    }
    this.record(settled, result);
    return settled;
  }

  /** Objects (or Batch Operations tasks) → `scan` (the source's pipeline, outcomes in input order) → settled; a Batch invocation gets its response. */
  async objects(delivery: ObjectDelivery, scan: (objects: readonly S3Object[]) => Promise<readonly Outcome<R>[]>) {
    if (delivery.kind === "ignored") return this.ignoreEvent(delivery.reason);
    if (delivery.kind === "objects") {
      this.ignore(delivery.skipped);
      const outcomes = await scan(delivery.objects);
      for (const [i, object] of delivery.objects.entries()) await this.settle(s3ObjectUri(object), outcomes[i]!);
      return this.finish();
    }
    const reads = delivery.invocation.tasks.flatMap((task) => (task.status === "read" ? [task] : []));
    const outcomes = await scan(reads.map((task) => task.object));
    const answers = new Map<string, TaskAnswer>();
    for (const [i, task] of reads.entries()) answers.set(task.taskId, answerFor(await this.settle(s3ObjectUri(task.object), outcomes[i]!)));
    this.ignored += delivery.invocation.tasks.length - reads.length;
    return batchResponse(delivery.invocation, answers);
  }

  /** An event with nothing to evaluate (an Insights event, a control message). */
  ignoreEvent(reason: string): InvocationSummary {
    this.deps.log.info("event ignored", { reason });
    this.ignored += 1;
    return this.summary();
  }

  /** For triggers that retry the whole event: throws when any input failed, after every other input was published. */
  finish(): InvocationSummary {
    const failed = this.settled.flatMap((s) => (s.status === "failed" ? [`${s.input}: ${s.reason}`] : []));
    if (failed.length > 0) throw new InputFailure("event", `${plural(failed.length, "input")} failed and will be retried: ${failed.join("; ")}`, "retryable");
    return this.summary();
  }

  summary(): InvocationSummary {
    const out: InvocationSummary = { trigger: this.trigger, inputs: this.settled.length, evaluated: 0, ignored: this.ignored, skipped: 0, failed: 0, records: 0, findings: 0, alerts: 0, published: 0 };
    for (const s of this.settled) {
      out[s.status] += 1;
      out.records += s.records;
      out.findings += s.findings;
      out.alerts += s.alerts;
      out.published += s.published;
    }
    return out;
  }

  private record(settled: Settled, result: R | undefined): void {
    const { log, metrics } = this.deps;
    const { input, status, ...counts } = settled;
    const suppressed = result?.suppressed.length ?? 0;
    if (settled.status === "evaluated") {
      log.info("input evaluated", { input, file: result?.file, ...counts, suppressed });
    } else if (settled.status === "skipped") {
      log.error("input skipped: it cannot be processed", { input, error: settled.reason, failure: "permanent", ...counts });
      metrics.addMetric("InputsSkipped", MetricUnit.Count, 1);
    } else {
      log.error("input failed; it will be retried", { input, error: settled.reason, failure: "retryable", ...counts });
      metrics.addMetric("InputsFailed", MetricUnit.Count, 1);
    }
    this.settled.push(settled);
  }
}

/** A Batch Operations task's answer: a skipped object is never retried, a failed one is. */
function answerFor(settled: Settled): TaskAnswer {
  if (settled.status !== "evaluated") return { resultCode: resultCodeFor(settled.status), resultString: settled.reason };
  return { resultCode: "Succeeded", resultString: [plural(settled.records, "record"), plural(settled.findings, "finding"), plural(settled.alerts, "alert"), plural(settled.problems, "problem")].join(", ") };
}

export interface Runner<R extends Evaluation> {
  /**
   * Runs one invocation: the logger carries the Lambda context (request id, cold start) and the
   * trigger; "invocation done" is logged and the metrics flushed however it ends; an error escaping
   * `body` is logged with its failure kind and rethrown, so Lambda retries and then keeps the event.
   */
  invoke<T>(trigger: string, context: Partial<Context> | undefined, body: (invocation: Invocation<R>) => Promise<T>): Promise<T>;
}

export function createRunner<R extends Evaluation>(deps: RunnerDeps<R>): Runner<R> {
  const { log, metrics } = deps;
  return {
    async invoke(trigger, context, body) {
      if (context !== undefined) log.addContext(context as Context);
      log.appendKeys({ trigger });
      const invocation = new Invocation(deps, trigger);
      const started = Date.now();
      try {
        return await body(invocation);
      } catch (err) {
        log.error("invocation failed", { failure: failureKind(err), error: messageOf(err) });
        throw err;
      } finally {
        log.info("invocation done", { ...invocation.summary(), durationMs: Date.now() - started });
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
        log.resetKeys();
      }
    },
  };
}
