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
