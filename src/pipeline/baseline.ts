import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Finding, Suppressed } from "../engine/model";
import { UserError } from "../util/errors";

/**
 * A baseline records the findings a repository already has, so a team can adopt parapet and fail
 * only on new ones. Fingerprints leave out line numbers (an edit above a resource must not make its
 * old finding "new") but keep the message (SSH opened where HTTPS was is new), and use paths
 * relative to the baseline file (CI checkouts differ).
 */
export interface Baseline {
  version: 1;
  findings: Array<{ fingerprint: string; ruleId: string; file: string; resource: string }>;
}

export function fingerprint(finding: Finding, root: string): string {
  const file = relativeFile(finding.location.file, root);
  return createHash("sha256")
    .update([finding.ruleId, file, finding.subject.type, finding.subject.id, finding.location.pointer, finding.message].join("\0"))
    .digest("hex")
    .slice(0, 32);
}

function relativeFile(file: string, root: string): string {
  return path.isAbsolute(file) || file.startsWith(".") ? path.relative(root, path.resolve(file)).split(path.sep).join("/") : file.split(path.sep).join("/");
}

export function writeBaseline(file: string, findings: readonly Finding[]): void {
  const root = path.dirname(path.resolve(file));
  const entries = findings
    .map((f) => ({ fingerprint: fingerprint(f, root), ruleId: f.ruleId, file: relativeFile(f.location.file, root), resource: f.subject.id }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource));
  const baseline: Baseline = { version: 1, findings: entries };
  try {
    writeFileSync(file, JSON.stringify(baseline, null, 2) + "\n");
  } catch (err) {
    throw new UserError(`cannot write baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function readBaseline(file: string): { root: string; fingerprints: Set<string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read baseline ${file}: ${code ?? (err as Error).message}`);
  }
  const b = parsed as Partial<Baseline>;
  if (b?.version !== 1 || !Array.isArray(b.findings) || !b.findings.every((f) => typeof f?.fingerprint === "string")) {
    throw new UserError(`${file}: not a parapet baseline (write one with --write-baseline)`);
  }
  return { root: path.dirname(path.resolve(file)), fingerprints: new Set(b.findings.map((f) => f.fingerprint)) };
}

/** Moves findings present in the baseline to `suppressed`. */
export function applyBaseline(findings: Finding[], baseline: { root: string; fingerprints: Set<string> }, file: string): { findings: Finding[]; suppressed: Suppressed[] } {
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const f of findings) {
    if (baseline.fingerprints.has(fingerprint(f, baseline.root))) suppressed.push({ finding: f, reason: "present in baseline", by: `baseline ${file}` });
    else kept.push(f);
  }
  return { findings: kept, suppressed };
}
