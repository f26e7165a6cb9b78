import { atLeast, type Finding, type Severity } from "../engine/model";

export type FailOn = Severity | "none";

/**
 * 0 when no finding is at or above `failOn`, 1 otherwise. Never a count: a count can wrap to 0 as a
 * process exit status (256 findings would "pass"). Exit code 2 (usage error) belongs to the CLI.
 */
export function exitCodeFor(findings: readonly Finding[], failOn: FailOn): 0 | 1 {
  if (failOn === "none") return 0;
  return findings.some((finding) => atLeast(finding.severity, failOn)) ? 1 : 0;
}
