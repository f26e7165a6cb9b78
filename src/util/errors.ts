/**
 * parapet's one error taxonomy. Every failure is one of three kinds, and the kind alone decides what
 * happens next:
 *
 * - `user`: a person must fix what they gave us (arguments, configuration, rule files, a Lambda
 *   trigger wired to the wrong source). The CLI prints one line and exits 2; a Lambda invocation fails.
 * - `permanent`: the data itself is malformed and will stay so (not gzip, not JSON, no `Records`, the
 *   object no longer exists). The input is skipped with an ERROR log line and a metric; the others go on.
 * - `retryable`: a retry, or a person fixing access, can succeed (AccessDenied, KMS denied, an expired
 *   token, any timeout, throttling, 5xx, the network, a failed publish, an unexpected error). The
 *   invocation fails so Lambda retries it, and after the retries the failure destination keeps the event.
 *
 * Classify with `failureKind`, never with `instanceof UserError`: an `InputFailure` is a `UserError`
 * too (so the CLI prints it as one line), whatever its kind.
 */

export type FailureKind = "user" | "permanent" | "retryable";

/**
 * A mistake in what the user gave us (arguments, configuration, rule files, input files).
 * The CLI prints `message` as one line, no stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 = 2,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** An input that could not be processed (a file, an S3 object, a payload, an event), naming it and saying why. */
export class InputFailure extends UserError {
  constructor(
    /** `s3://bucket/key`, a local path, `kinesis:<sequence number>`, ... */
    readonly input: string,
    /** Why, without the input's name. */
    readonly reason: string,
    readonly kind: Exclude<FailureKind, "user"> = "permanent",
  ) {
    super(`${input}: ${reason}`);
    this.name = "InputFailure";
  }
}

/** What must happen about anything thrown. Unknown errors (bugs, outages) are retryable: failing keeps the event. */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof InputFailure) return error.kind;
  if (error instanceof UserError) return "user";
  return "retryable";
}

/** The parts of an AWS SDK v3 error the classification reads (duck-typed: no SDK import needed). */
interface AwsErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** S3 errors that mean the object (or its bucket, or that version) does not exist: no retry brings it back. */
const S3_GONE = new Set(["NoSuchKey", "NoSuchBucket", "NoSuchVersion", "NotFound"]);

/**
 * How an S3 read failed. Only a missing object is permanent. Everything else is retryable: throttling
 * (SlowDown, 503), 5xx, timeouts (RequestTimeout is a 400, the SDK's TimeoutError has no status) and
 * the network obviously; and AccessDenied, KMS denials, ExpiredToken and archived objects too, because a
 * person can fix those (a bucket or key policy, a restore) and the event must still be there when they do.
 */
export function s3FailureKind(error: unknown): Exclude<FailureKind, "user"> {
  const e = error as AwsErrorLike | undefined;
  return S3_GONE.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 404 ? "permanent" : "retryable";
}

/** A failed S3 read of `input`, classified. */
export function s3ReadFailure(input: string, error: unknown): InputFailure {
  const e = error as AwsErrorLike | undefined;
  return new InputFailure(input, `could not read from S3 (${e?.name ?? "Error"}: ${e?.message ?? String(error)})`, s3FailureKind(error));
}

/** `file:line:column` (line/column omitted when unknown) for messages that point into a document. */
export function formatWhere(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

/** What went wrong, from anything thrown: an error's message (also one from another realm), else its text. */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}
