import { SEVERITIES, type Finding, type Severity } from "../engine/model";
import { formatWhere } from "../util/errors";
import { sortErrors, sortFindings } from "./order";
import { cfnNagIds } from "./ruleLabel";
import { oneLine } from "./sanitize";
import { summaryLine } from "./summary";
import type { FormatOptions, Report } from "./types";

export { summaryLine } from "./summary";

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
  // The cfn_nag id beside parapet's (`rule-id (F14)`), dimmed so the parapet id stands out.
  const ids = cfnNagIds(finding);
  const rule = ids ? `${finding.ruleId} ${paint(`(${ids})`, DIM, color)}` : finding.ruleId;
  return `${where}  ${severity}  ${rule}  ${oneLine(finding.message)}`;
}

/**
 * `file:line:col  severity  rule-id (cfn_nag id)  message`, one finding per line (grep- and editor-friendly), sorted
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
