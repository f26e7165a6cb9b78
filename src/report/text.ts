import { SEVERITIES, type Finding, type Severity } from "../engine/model";
import { formatWhere } from "../util/errors";
import { sortErrors, sortFindings } from "./order";
import { oneLine } from "./sanitize";
import { countBySeverity, plural } from "./summary";
import type { FormatOptions, Report } from "./types";

const RESET = "\u001b[0m";
const SEVERITY_STYLE: Record<Severity, string> = {
  critical: "\u001b[1;31m",
  high: "\u001b[31m",
  medium: "\u001b[33m",
  low: "\u001b[36m",
  info: "\u001b[2m",
};
const ERROR_STYLE = "\u001b[1;35m";
const DIM = "\u001b[2m";

/** Widest severity label, so the rule id column lines up. */
const SEVERITY_WIDTH = Math.max(...SEVERITIES.map((s) => s.length));

function paint(text: string, style: string, color: boolean): string {
  return color ? `${style}${text}${RESET}` : text;
}

function findingLine(finding: Finding, color: boolean): string {
  const { file, line, column, pointer } = finding.location;
  // Without a line (a CloudTrail record, a flow), the pointer says where: `trail.json.gz#/Records/12`.
  const where = line === undefined && pointer ? `${oneLine(file)}#${oneLine(pointer)}` : formatWhere(oneLine(file), line, column);
  const severity = paint(finding.severity.padEnd(SEVERITY_WIDTH), SEVERITY_STYLE[finding.severity], color);
  return `${where}  ${severity}  ${finding.ruleId}  ${oneLine(finding.message)}`;
}

/**
 * `file:line:col  severity  rule-id  message`, one finding per line (grep- and editor-friendly), sorted
 * by file then position, then input errors, then a summary line.
 */
export function formatText(report: Report, options: FormatOptions = {}): string {
  const color = options.color === true;
  const lines = sortFindings(report.findings).map((finding) => findingLine(finding, color));
  for (const error of sortErrors(report.errors)) {
    const where = formatWhere(oneLine(error.file), error.line, error.column);
    lines.push(`${where}  ${paint("error".padEnd(SEVERITY_WIDTH), ERROR_STYLE, color)}  ${oneLine(error.message)}`);
  }
  if (lines.length > 0) lines.push("");
  lines.push(paint(summaryLine(report), DIM, color && report.findings.length === 0 && report.errors.length === 0));
  return `${lines.join("\n")}\n`;
}

/** `N findings (x critical, y high, ...) in M files, K suppressed[, E errors]`. */
export function summaryLine(report: Report): string {
  const counts = countBySeverity(report.findings);
  const bySeverity = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(", ");
  let line = `${plural(report.findings.length, "finding")} (${bySeverity}) in ${plural(report.filesScanned, "file")}, ${report.suppressed.length} suppressed`;
  if (report.errors.length > 0) line += `, ${plural(report.errors.length, "error")}`;
  return line;
}
