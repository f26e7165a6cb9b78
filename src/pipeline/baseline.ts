import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Finding, Suppressed } from "../engine/model";
import { findingFingerprint, rootRelativePath, type SourceRoot } from "../report/sourceRoot";
import { UserError } from "../util/errors";

/**
 * A baseline records the findings a repository already has, so a team can adopt parapet and fail
 * only on new ones. Each finding is kept as its fingerprint (src/report/sourceRoot.ts: no line
 * numbers, paths relative to the repository root), the same one SARIF reports.
 *
 * The file records that root relative to itself (`"root": ".."` for `.parapet/baseline.json`), so
 * the baseline still matches from another directory or another checkout of the repository.
 */
export interface BaselineFile {
  version: 2;
  /** The source root, relative to the directory of the baseline file, `/`-separated. */
  root: string;
  findings: Array<{ fingerprint: string; ruleId: string; file: string; resource: string }>;
}

/** A baseline read from its file, ready to match findings of this run against. */
export interface Baseline {
  file: string;
  /** True when the finding was recorded in the baseline. */
  has(finding: Finding): boolean;
  /** Why the file should be written again (an older format that still works, with limits). */
  outdated?: string;
}

export function writeBaseline(file: string, findings: readonly Finding[], root: SourceRoot): void {
  const target = path.resolve(root.cwd, file);
  const baselineDir = path.dirname(target);
  const entries = findings
    .map((f) => ({
      fingerprint: findingFingerprint(f, root),
      ruleId: f.ruleId,
      file: rootRelativePath(f.location.file, root) ?? f.location.file,
      resource: f.subject.id,
    }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource));
  const baseline: BaselineFile = { version: 2, root: path.relative(baselineDir, root.dir).split(path.sep).join("/") || ".", findings: entries };
  try {
    writeFileSync(target, JSON.stringify(baseline, null, 2) + "\n");
  } catch (err) {
    throw new UserError(`cannot write baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads a baseline; `cwd` is the directory the run's relative paths start from. */
export function readBaseline(file: string, cwd: string = process.cwd()): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.resolve(cwd, file), "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read baseline ${file}: ${code ?? (err as Error).message}`);
  }
  const b = parsed as { version?: unknown; root?: unknown; findings?: unknown };
  const fingerprintList = Array.isArray(b?.findings) && b.findings.every((f) => typeof f?.fingerprint === "string") ? (b.findings as { fingerprint: string }[]) : undefined;
  const fingerprints = new Set(fingerprintList?.map((f) => f.fingerprint));
  const baselineDir = path.dirname(path.resolve(cwd, file));
  if (b?.version === 2 && typeof b.root === "string" && fingerprintList) {
    const root: SourceRoot = { dir: path.resolve(baselineDir, b.root), cwd };
    return { file, has: (finding) => fingerprints.has(findingFingerprint(finding, root)) };
  }
  if (b?.version === 1 && fingerprintList) {
    return {
      file,
      has: (finding) => fingerprints.has(versionOneFingerprint(finding, baselineDir, cwd)),
      outdated: `${file} is a version 1 baseline, whose paths depend on the directory parapet runs in: write it again with --write-baseline`,
    };
  }
  throw new UserError(`${file}: not a parapet baseline (write one with --write-baseline)`);
}

/**
 * Version 1 (parapet 0.1) named a file relative to the baseline's directory when it was given as
 * `./x` or absolute, and as given otherwise (relative to wherever parapet ran): kept so that those
 * baselines still match when run the way they were written.
 */
function versionOneFingerprint(finding: Finding, baselineDir: string, cwd: string): string {
  const given = finding.location.file;
  const file =
    path.isAbsolute(given) || given.startsWith(".") ? path.relative(baselineDir, path.resolve(cwd, given)).split(path.sep).join("/") : given.split(path.sep).join("/");
  return createHash("sha256")
    .update([finding.ruleId, file, finding.subject.type, finding.subject.id, finding.location.pointer, finding.message].join("\0"))
    .digest("hex")
    .slice(0, 32);
}

/** Moves findings present in the baseline to `suppressed`. */
export function applyBaseline(findings: Finding[], baseline: Baseline): { findings: Finding[]; suppressed: Suppressed[] } {
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const f of findings) {
    if (baseline.has(f)) suppressed.push({ finding: f, reason: "present in baseline", origin: "baseline", by: `baseline ${baseline.file}` });
    else kept.push(f);
  }
  return { findings: kept, suppressed };
}
