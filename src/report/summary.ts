import { SEVERITIES, type Finding, type Severity } from "../engine/model";
import { plural } from "../util/plural";
import type { Report } from "./types";

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export { plural } from "../util/plural";

/**
 * `N findings (x critical, y high, ...) in M files, K suppressed[, S non-template files skipped][, E errors]`;
 * lint counts templates instead of files. Every format that has a summary uses this one line.
 */
export function summaryLine(report: Report): string {
  const counts = countBySeverity(report.findings);
  const bySeverity = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(", ");
  const { inputs } = report;
  let line = `${plural(report.findings.length, "finding")} (${bySeverity}) in ${plural(report.filesScanned, inputs?.kind ?? "file")}, ${report.suppressed.length} suppressed`;
  if (inputs && inputs.skipped > 0) line += `, ${plural(inputs.skipped, `non-${inputs.kind} file`)} skipped`;
  if (report.errors.length > 0) line += `, ${plural(report.errors.length, "error")}`;
  return line;
}
