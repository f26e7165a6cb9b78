/**
 * What reading and evaluating one input came to, as a value rather than an exception, so a caller
 * handling many inputs sees every one's fate (and what a broken one still found) in one place.
 */
import { failureKind, InputFailure, messageOf } from "../util/errors";

export type Outcome<R> =
  | { status: "evaluated"; result: R }
  /** A permanent data error: skip the input (ERROR log, metric); `partial` holds what was evaluated before the break. */
  | { status: "skipped"; reason: string; partial?: R }
  /** Retrying, or a person fixing access, may succeed: fail so it is retried. */
  | { status: "failed"; reason: string; partial?: R };

/** A thrown error as the outcome its failure kind calls for (user errors fail too: a person must act). */
export function failedOutcome<R>(error: unknown, partial?: R): Exclude<Outcome<R>, { status: "evaluated" }> {
  const reason = error instanceof InputFailure ? error.reason : messageOf(error);
  const status = failureKind(error) === "permanent" ? "skipped" : "failed";
  return partial === undefined ? { status, reason } : { status, reason, partial };
}

/** Runs `evaluate`, turning what it throws into a skipped or failed outcome. */
export async function attempt<R>(evaluate: () => Promise<R>): Promise<Outcome<R>> {
  try {
    return { status: "evaluated", result: await evaluate() };
  } catch (error) {
    return failedOutcome(error);
  }
}

/** The result, or what a broken input still produced. */
export function resultOf<R>(outcome: Outcome<R>): R | undefined {
  return outcome.status === "evaluated" ? outcome.result : outcome.partial;
}
