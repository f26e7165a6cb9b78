/**
 * S3 Batch Operations invocations, schema 1.0 (tasks name the bucket by ARN) and 2.0 (by name, plus
 * the job's `userArguments`), and the response that answers each task with its own result code:
 * Batch Operations retries `TemporaryFailure` tasks itself and lists `PermanentFailure` ones in the
 * job's completion report.
 */
import type { S3BatchEvent, S3BatchEventTask, S3BatchResult, S3BatchResultResultCode } from "aws-lambda";
import type { S3Object } from "../../sources/s3";
import { isRecord, unrecognized, type KeyFilter } from "./objects";
import { decodeS3EventKey } from "./s3Event";

/** Schema 2.0 names the bucket, not its ARN, and carries the job's user arguments. */
interface S3BatchEventTaskV2 extends Omit<S3BatchEventTask, "s3BucketArn"> {
  s3Bucket: string;
}

export type BatchTask =
  | { taskId: string; status: "read"; object: S3Object }
  /** Not a file this function reads: answered `Succeeded` with the reason — there is nothing to do. */
  | { taskId: string; status: "skip"; bucket: string; key: string; reason: string }
  /** The task itself is malformed: answered `PermanentFailure`. */
  | { taskId: string; status: "invalid"; reason: string };

export interface BatchInvocation {
  invocationSchemaVersion: "1.0" | "2.0";
  invocationId: string;
  jobId: string;
  userArguments?: Record<string, unknown>;
  tasks: BatchTask[];
}

/** How one task went, in Batch Operations' terms. */
export interface TaskAnswer {
  resultCode: S3BatchResultResultCode;
  resultString: string;
}

/** The response Batch Operations expects: the request's schema version and invocation id, a result per task. */
export interface S3BatchResponse extends S3BatchResult {
  invocationSchemaVersion: "1.0" | "2.0";
}

/** Longest resultString kept in a completion report line. */
const RESULT_STRING_MAX = 1_000;

export function isS3BatchEvent(value: unknown): value is Pick<S3BatchEvent, "invocationSchemaVersion" | "tasks"> {
  return isRecord(value) && typeof value.invocationSchemaVersion === "string" && Array.isArray(value.tasks);
}

export function parseS3Batch(event: Pick<S3BatchEvent, "invocationSchemaVersion" | "tasks"> & { invocationId?: unknown; job?: unknown }, accept: KeyFilter): BatchInvocation {
  const version = event.invocationSchemaVersion;
  if (version !== "1.0" && version !== "2.0") throw unrecognized(`S3 Batch Operations invocationSchemaVersion ${JSON.stringify(version)} is not 1.0 or 2.0`);
  if (typeof event.invocationId !== "string") throw unrecognized("S3 Batch Operations invocation has no invocationId");
  const job = isRecord(event.job) ? event.job : {};
  const invocation: BatchInvocation = {
    invocationSchemaVersion: version,
    invocationId: event.invocationId,
    jobId: typeof job.id === "string" ? job.id : "",
    tasks: (event.tasks as unknown[]).map((task, index) => parseTask(task, index, version, accept)),
  };
  if (isRecord(job.userArguments)) invocation.userArguments = job.userArguments;
  return invocation;
}

function parseTask(task: unknown, index: number, version: "1.0" | "2.0", accept: KeyFilter): BatchTask {
  const t = (isRecord(task) ? task : {}) as Partial<S3BatchEventTask & S3BatchEventTaskV2>;
  if (typeof t.taskId !== "string") return { taskId: `#${index}`, status: "invalid", reason: "task has no taskId" };
  const bucket = version === "2.0" && typeof t.s3Bucket === "string" ? t.s3Bucket : typeof t.s3BucketArn === "string" ? t.s3BucketArn.slice(t.s3BucketArn.lastIndexOf(":") + 1) : t.s3Bucket;
  if (typeof bucket !== "string" || bucket === "" || typeof t.s3Key !== "string") return { taskId: t.taskId, status: "invalid", reason: "task names no bucket or key" };
  // Batch Operations passes keys URL-encoded, as its manifests hold them.
  const key = decodeS3EventKey(t.s3Key);
  const verdict = accept(key);
  if (!verdict.ok) return { taskId: t.taskId, status: "skip", bucket, key, reason: verdict.reason };
  const versionId = t.s3VersionId;
  return { taskId: t.taskId, status: "read", object: typeof versionId === "string" && versionId !== "" ? { bucket, key, versionId } : { bucket, key } };
}

/** The result code for a read task's outcome: a skipped (permanently bad) object is never retried, a failed one is. */
export function resultCodeFor(status: "evaluated" | "skipped" | "failed"): S3BatchResultResultCode {
  return status === "evaluated" ? "Succeeded" : status === "skipped" ? "PermanentFailure" : "TemporaryFailure";
}

/** The response for `invocation`: the read tasks' answers, the others' from how they were parsed. */
export function batchResponse(invocation: BatchInvocation, answers: ReadonlyMap<string, TaskAnswer>): S3BatchResponse {
  return {
    invocationSchemaVersion: invocation.invocationSchemaVersion,
    treatMissingKeysAs: "PermanentFailure",
    invocationId: invocation.invocationId,
    results: invocation.tasks.map((task) => {
      const answer: TaskAnswer =
        task.status === "skip"
          ? { resultCode: "Succeeded", resultString: `skipped: ${task.reason}` }
          : task.status === "invalid"
            ? { resultCode: "PermanentFailure", resultString: `invalid task: ${task.reason}` }
            : (answers.get(task.taskId) ?? { resultCode: "PermanentFailure", resultString: "not processed" });
      return { taskId: task.taskId, resultCode: answer.resultCode, resultString: answer.resultString.slice(0, RESULT_STRING_MAX) };
    }),
  };
}
