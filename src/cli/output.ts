import { writeFileSync } from "node:fs";
import { UserError } from "../util/errors";

/** Writes a command's report to a file or stdout. */
export function emit(text: string, outputFile?: string): void {
  if (outputFile) {
    try {
      writeFileSync(outputFile, text.endsWith("\n") ? text : text + "\n");
    } catch (err) {
      throw new UserError(`cannot write ${outputFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return;
  }
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/** Colour only on a terminal and when NO_COLOR is not set. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export const paint = {
  red: (s: string, on: boolean) => (on ? `\x1b[31m${s}\x1b[0m` : s),
  green: (s: string, on: boolean) => (on ? `\x1b[32m${s}\x1b[0m` : s),
  yellow: (s: string, on: boolean) => (on ? `\x1b[33m${s}\x1b[0m` : s),
  dim: (s: string, on: boolean) => (on ? `\x1b[2m${s}\x1b[0m` : s),
};
