import { statSync } from "node:fs";
import path from "node:path";
import { globSync, isDynamicPattern } from "tinyglobby";
import { UserError } from "../util/errors";

/**
 * Expands the paths a user gave: files as they are, directories recursively (keeping only files
 * with `extensions`), globs through tinyglobby. A path that matches nothing is a usage error —
 * silently linting zero files would let a typo pass CI.
 */
export function expandInputPaths(inputs: readonly string[], extensions: readonly string[]): string[] {
  const out = new Set<string>();
  const wanted = (file: string) => extensions.some((ext) => file.toLowerCase().endsWith(ext));
  for (const input of inputs) {
    if (isDynamicPattern(input)) {
      const matches = globSync(input, { onlyFiles: true, dot: false }).filter(wanted).sort();
      if (matches.length === 0) throw new UserError(`no files match ${input}`);
      matches.forEach((m) => out.add(path.normalize(m)));
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new UserError(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const pattern = `**/*.{${extensions.map((e) => e.replace(/^\./, "")).join(",")}}`;
      const matches = globSync(pattern, { cwd: input, onlyFiles: true, caseSensitiveMatch: false }).sort();
      matches.forEach((m) => out.add(path.join(input, m)));
    } else {
      out.add(path.normalize(input));
    }
  }
  return [...out];
}
