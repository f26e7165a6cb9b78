import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from "@aws-sdk/client-sns";
import { SNS_BATCH_MAX_BYTES, SNS_BATCH_MAX_ENTRIES } from "./limits";
import { snsMessageBytes, type SnsAlert } from "./opsgenie";

export interface PublishOptions {
  /** Attempts per alert, including the first. Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles per round, with full jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Backoff cap. Default 5 s. */
  maxDelayMs?: number;
  /** Injected in tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called for failures that are given up on (permanent or out of attempts). */
  log?: (line: string) => void;
}

export interface PublishResult {
  /** Alerts SNS accepted. */
  published: number;
  /** Alerts dropped because an earlier alert in the same call had the same alias. */
  duplicates: number;
  /** PublishBatch calls made. */
  calls: number;
}

export interface FailedAlert {
  alias: string;
  code: string;
  message?: string;
  /** True when SNS blamed the request (malformed, too big): retrying cannot help. */
  senderFault: boolean;
}

/** Thrown when some alerts could not be published, so a Lambda invocation fails and is retried. */
export class PublishError extends Error {
  constructor(
    readonly failed: FailedAlert[],
    readonly total: number,
    readonly published: number,
  ) {
    const first = failed[0];
    super(
      `SNS publish failed for ${failed.length} of ${total} alert${total === 1 ? "" : "s"}` +
        (first ? ` (first: ${first.code}${first.message ? `: ${first.message}` : ""})` : ""),
    );
    this.name = "PublishError";
  }
}

/** Keeps the first alert per alias: two findings that OpsGenie would merge need only one message. */
export function dedupeByAlias(alerts: readonly SnsAlert[]): { unique: SnsAlert[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: SnsAlert[] = [];
  for (const alert of alerts) {
    if (seen.has(alert.alias)) continue;
    seen.add(alert.alias);
    unique.push(alert);
  }
  return { unique, duplicates: alerts.length - unique.length };
}

/** Batches of at most 10 entries and 256 KB in total, in input order. */
export function packBatches(alerts: readonly SnsAlert[]): SnsAlert[][] {
  const batches: SnsAlert[][] = [];
  let current: SnsAlert[] = [];
  let bytes = 0;
  for (const alert of alerts) {
    const size = snsMessageBytes(alert);
    if (current.length > 0 && (current.length === SNS_BATCH_MAX_ENTRIES || bytes + size > SNS_BATCH_MAX_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(alert);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function isFifoTopic(topicArn: string): boolean {
  return topicArn.endsWith(".fifo");
}

function entryFor(alert: SnsAlert, id: string, fifo: boolean): PublishBatchRequestEntry {
  return {
    Id: id,
    Subject: alert.subject,
    Message: alert.message,
    MessageAttributes: alert.messageAttributes,
    ...(fifo ? { MessageGroupId: "parapet", MessageDeduplicationId: alert.deduplicationId } : {}),
  };
}

/** Whole-call errors worth another round: throttling, server faults, and what the SDK itself marks retryable. */
function isRetryableCallError(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (e.$retryable) return true;
  if (e.$fault === "server") return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return /Throttl|TooManyRequests|Timeout|ECONNRESET|ECONNREFUSED|EPIPE|NetworkingError/i.test(`${e.name ?? ""} ${String(error)}`);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes alerts with PublishBatch. An HTTP 200 can still carry failed entries, so each entry's
 * outcome is checked: entries SNS blames on the sender are given up at once, the others are retried
 * with exponential backoff for up to `maxAttempts` rounds. Throws `PublishError` naming how many
 * alerts finally failed; aliases repeated within one call are published once.
 */
export async function publishAlerts(
  sns: SNSClient,
  topicArn: string,
  alerts: readonly SnsAlert[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  const fifo = isFifoTopic(topicArn);

  const { unique, duplicates } = dedupeByAlias(alerts);
  const failed: FailedAlert[] = [];
  let pending = unique;
  let published = 0;
  let calls = 0;

  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: { alert: SnsAlert; failure: FailedAlert }[] = [];
    for (const batch of packBatches(pending)) {
      // Ids only need to be unique within one request; the index keeps them short and valid.
      const byId = new Map(batch.map((alert, index) => [`m${index}`, alert]));
      calls += 1;
      try {
        const response = await sns.send(
          new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [...byId].map(([id, alert]) => entryFor(alert, id, fifo)) }),
        );
        const answered = new Set<string>();
        for (const ok of response.Successful ?? []) {
          if (ok.Id !== undefined && byId.has(ok.Id) && !answered.has(ok.Id)) {
            answered.add(ok.Id);
            published += 1;
          }
        }
        for (const bad of response.Failed ?? []) {
          const alert = bad.Id === undefined ? undefined : byId.get(bad.Id);
          if (!alert || answered.has(bad.Id!)) continue;
          answered.add(bad.Id!);
          const failure: FailedAlert = { alias: alert.alias, code: bad.Code ?? "Unknown", message: bad.Message, senderFault: bad.SenderFault === true };
          if (failure.senderFault) failed.push(failure);
          else retry.push({ alert, failure });
        }
        // An entry the response does not mention has an unknown fate: publishing again is safer than losing it.
        for (const [id, alert] of byId) {
          if (!answered.has(id)) retry.push({ alert, failure: { alias: alert.alias, code: "NoResult", message: "missing from PublishBatch response", senderFault: false } });
        }
      } catch (error) {
        const failure = (alert: SnsAlert): FailedAlert => ({
          alias: alert.alias,
          code: (error as { name?: string }).name ?? "Error",
          message: (error as { message?: string }).message,
          senderFault: !isRetryableCallError(error),
        });
        for (const alert of batch) {
          const f = failure(alert);
          if (f.senderFault) failed.push(f);
          else retry.push({ alert, failure: f });
        }
      }
    }
    if (retry.length === 0) break;
    if (attempt >= maxAttempts) {
      failed.push(...retry.map((r) => r.failure));
      break;
    }
    pending = retry.map((r) => r.alert);
    await sleep(Math.floor(Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1))));
  }

  if (failed.length > 0) {
    for (const f of failed) options.log?.(`alert ${f.alias} not published: ${f.code}${f.message ? `: ${f.message}` : ""}`);
    throw new PublishError(failed, unique.length, published);
  }
  return { published, duplicates, calls };
}
