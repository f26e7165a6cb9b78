import { existsSync } from "node:fs";
import path from "node:path";
import { isDynamicPattern } from "tinyglobby";
import { isLocalPath, type SourceRoot } from "../report/sourceRoot";
import { UserError } from "../util/errors";
import { isDirectory } from "../util/fs";
import { splitGlob } from "./files";

/**
 * The directory of a repository's work tree that holds `start`: the nearest ancestor with a `.git`
 * entry (a directory, or the file a worktree or submodule has). Looked up on disk rather than by
 * running git: it costs a few `stat`s, and works where git is not installed.
 */
export function gitTopLevel(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The root a run's paths are reported relative to: `--base-path` when given, else the git top level
 * of the first local input (of the current directory when no input is in a repository), else the
 * current directory.
 */
export function findSourceRoot(inputs: readonly string[], options: { basePath?: string; cwd?: string } = {}): SourceRoot {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (options.basePath !== undefined) {
    const dir = path.resolve(cwd, options.basePath);
    if (!isDirectory(dir)) throw new UserError(`--base-path ${options.basePath}: not a directory`);
    return { dir, cwd };
  }
  for (const input of inputs) {
    if (!isLocalPath(input) || input === "-") continue;
    // A glob's search starts where its wildcards do.
    const start = path.resolve(cwd, isDynamicPattern(input) ? splitGlob(input).base : input);
    const top = gitTopLevel(existsSync(start) && !isDirectory(start) ? path.dirname(start) : start);
    if (top) return { dir: top, cwd };
  }
  return { dir: gitTopLevel(cwd) ?? cwd, cwd };
}
