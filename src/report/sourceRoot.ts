import { createHash } from "node:crypto";
import path from "node:path";
import type { Finding } from "../engine/model";

/**
 * What a run's file paths are reported relative to. Findings carry paths as the user named them
 * (relative to the current directory, or absolute); SARIF, GitHub annotations and fingerprints need
 * them relative to the repository root instead, so that running from another directory (or another
 * checkout) names the same file the same way.
 */
export interface SourceRoot {
  /** Absolute: the repository root (the git top level of the inputs) or `--base-path`. */
  dir: string;
  /** Absolute: the directory relative paths in the report start from (the run's current directory). */
  cwd: string;
}

/** `s3://bucket/key`, `cloudwatch:<group>/<stream>`, `<stdin>`: places that are not files on this machine. */
export function isLocalPath(file: string): boolean {
  if (/^[a-zA-Z]:[\\/]/.test(file)) return true; // a Windows drive, not a URI scheme
  return file !== "" && !file.startsWith("<") && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(file);
}

/**
 * A local file's path relative to the source root, `/`-separated (`../x.yaml` when it lies outside
 * the root); undefined for what is not a local file. Without a root, the path as given.
 */
export function rootRelativePath(file: string, root: SourceRoot | undefined): string | undefined {
  if (!isLocalPath(file)) return undefined;
  const relative = root ? path.relative(root.dir, path.resolve(root.cwd, file)) : path.normalize(file);
  return relative.split(path.sep).join("/");
}

/**
 * The identity of a finding across runs, shared by baselines and SARIF `partialFingerprints`. It
 * leaves out line numbers (an edit above a resource must not make its old finding new) but keeps the
 * message (SSH opened where HTTPS was is new), and names the file relative to the source root, so the
 * current directory and the checkout's location do not change it.
 */
export function findingFingerprint(finding: Finding, root: SourceRoot | undefined): string {
  const file = rootRelativePath(finding.location.file, root) ?? finding.location.file;
  return createHash("sha256")
    .update([finding.ruleId, file, finding.subject.type, finding.subject.id, finding.location.pointer, finding.message].join("\0"))
    .digest("hex")
    .slice(0, 32);
}
