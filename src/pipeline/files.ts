import { statSync } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import { globSync, isDynamicPattern } from "tinyglobby";
import type { InputError } from "../report/types";
import { UserError } from "../util/errors";
import { gitWorkTreeFiles } from "./gitFiles";
import { isFile, isDirectory } from "../util/fs";

/**
 * Expands the paths a user gave: files as they are, directories recursively (keeping only files
 * with `extensions`), globs through tinyglobby. A path that matches nothing is a usage error —
 * silently linting zero files would let a typo pass CI. (`flows` reads its inputs this way; `lint`
 * searches repositories with `findFiles` below.)
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

/** Directories never searched into (unless named): dependencies, git's own data, CDK's synthesis output. */
export const DEFAULT_EXCLUDES = ["node_modules/", ".git/", "cdk.out/"] as const;

/** The same as globs, so that tinyglobby does not walk into them when git does not list the files. */
const DEFAULT_EXCLUDE_GLOBS = DEFAULT_EXCLUDES.map((dir) => `**/${dir}**`);

/** Exclude patterns in .gitignore syntax and the directory they are relative to. */
export interface ExcludePatterns {
  patterns: readonly string[];
  /** The configuration file's directory, or the current one for `--exclude`. */
  base: string;
  /** Where the patterns come from, for notes about what they exclude: `--exclude`, `.parapet.yaml`. */
  origin: string;
}

export interface FileSearchOptions {
  /** What a directory or glob search keeps (a file named on the command line is kept whatever its name). */
  extensions: readonly string[];
  exclude?: readonly ExcludePatterns[];
  /**
   * Apply exclude patterns to the paths named on the command line too — what a pre-commit hook or an
   * editor wants, since it names every file — instead of only to what a search finds.
   */
  forceExclude?: boolean;
  /** Search as git sees the work tree, leaving out what .gitignore ignores (default true). */
  gitignore?: boolean;
}

export interface FoundFile {
  path: string;
  /** Named on the command line, not found by searching a directory or a glob. */
  named: boolean;
}

export interface FileSearch {
  files: FoundFile[];
  /** Inputs that name nothing — a path that does not exist, a glob that matches no file — and why. */
  missing: InputError[];
  /** Inputs that exclude patterns removed whole (a named file, or every file a search found), and whose patterns. */
  excluded: { input: string; origin: string }[];
}

/**
 * What `lint` reads. A path named on the command line is read; exclude patterns and .gitignore shape
 * what searching finds. Directories and globs are searched without hidden files, without
 * node_modules/, .git/ and cdk.out/ below where the search starts, without what .gitignore ignores
 * (inside a git work tree) and without what exclude patterns name. A named directory that a pattern
 * or .gitignore covers is searched anyway (that pattern is not applied inside it): naming it is
 * asking for it. An input that names nothing is reported and the others are still searched.
 */
export function findFiles(inputs: readonly string[], options: FileSearchOptions): FileSearch {
  const excluders = (options.exclude ?? []).map(excluder);
  const found = new Map<string, boolean>();
  const search: FileSearch = { files: [], missing: [], excluded: [] };
  const addSearch = (input: string, base: string, pattern: string | undefined) => {
    // Patterns that cover the named directory itself step aside, unless told to apply to named paths.
    const applicable = options.forceExclude ? excluders : excluders.filter((e) => !e.excludes(base, true));
    const outcome = searchUnder(base, pattern, options, applicable);
    if (outcome.matched === 0 && pattern !== undefined) search.missing.push({ file: input, message: "no files match" });
    else if (outcome.matched > 0 && outcome.files.length === 0) search.excluded.push({ input, origin: outcome.origins.join(", ") });
    for (const file of outcome.files) if (!found.has(file)) found.set(file, false);
  };

  for (const input of inputs) {
    if (isDynamicPattern(input)) {
      const { base, pattern } = splitGlob(input);
      addSearch(input, base, pattern);
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      search.missing.push({ file: input, message: code === "ENOENT" || code === "ENOTDIR" ? "no such file or directory" : `cannot read: ${code ?? (err as Error).message}` });
      continue;
    }
    if (stat.isDirectory()) {
      addSearch(input, input, undefined);
      continue;
    }
    const file = path.normalize(input);
    const origin = options.forceExclude ? excludedBy(excluders, file) : undefined;
    if (origin) search.excluded.push({ input, origin });
    else found.set(file, true);
  }
  search.files = [...found].map(([file, named]) => ({ path: file, named }));
  return search;
}

/** Which exclude patterns name a path (their origin), if any. */
export function excludeTest(exclude: readonly ExcludePatterns[]): (file: string) => string | undefined {
  const excluders = exclude.map(excluder);
  return (file) => excludedBy(excluders, file);
}

/**
 * The files under `base` that match `pattern` (every file when undefined) and the wanted extensions,
 * minus hidden files, default excludes (relative to `base`), git-ignored files and `excluders`.
 * `matched` counts them before `excluders`, to tell a search they emptied from one that found nothing.
 */
function searchUnder(base: string, pattern: string | undefined, options: FileSearchOptions, excluders: readonly Excluder[]): { files: string[]; matched: number; origins: string[] } {
  const wanted = (file: string) => options.extensions.some((ext) => file.toLowerCase().endsWith(ext));
  const workTree = options.gitignore === false || !isDirectory(base) ? undefined : gitWorkTreeFiles(base);
  let relative: string[];
  if (workTree && pattern === undefined) {
    // isFile: a file deleted from the work tree can still be in git's index.
    relative = workTree.filter((file) => wanted(file) && !isHidden(file) && isFile(path.join(base, file)));
  } else {
    const walked = globSync(pattern ?? "**/*", { cwd: base, onlyFiles: true, dot: false, ignore: DEFAULT_EXCLUDE_GLOBS });
    const listed = workTree ? new Set(workTree) : undefined;
    relative = walked.filter((file) => wanted(file) && (!listed || listed.has(file)));
  }
  relative = relative.filter((file) => !defaultExcludes.ignores(file)).sort();
  const files: string[] = [];
  const origins = new Set<string>();
  for (const rel of relative) {
    const file = path.join(base, rel);
    const origin = excludedBy(excluders, file);
    if (origin) origins.add(origin);
    else files.push(file);
  }
  return { files, matched: relative.length, origins: [...origins] };
}

const defaultExcludes = ignore().add([...DEFAULT_EXCLUDES]);

interface Excluder {
  origin: string;
  excludes(file: string, isDirectory?: boolean): boolean;
}

function excluder(rules: ExcludePatterns): Excluder {
  const matcher = ignore().add([...rules.patterns]);
  const base = path.resolve(rules.base);
  return {
    origin: rules.origin,
    excludes(file, isDirectory = false) {
      const rel = path.relative(base, path.resolve(file));
      // Patterns say nothing about their own directory or what lies outside it.
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return false;
      return matcher.ignores(rel.split(path.sep).join("/") + (isDirectory ? "/" : ""));
    },
  };
}

function excludedBy(excluders: readonly Excluder[], file: string): string | undefined {
  return excluders.find((e) => e.excludes(file))?.origin;
}

/** `stacks/**\/*.yaml` → base `stacks`, pattern `**\/*.yaml`: the search starts where the wildcards do. */
export function splitGlob(glob: string): { base: string; pattern: string } {
  const segments = glob.split("/");
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  const baseSegments = segments.slice(0, firstDynamic);
  const base = baseSegments.length === 0 ? "." : baseSegments.join("/") || "/";
  return { base, pattern: segments.slice(firstDynamic).join("/") };
}

function isHidden(relative: string): boolean {
  return relative.split("/").some((segment) => segment.startsWith("."));
}


