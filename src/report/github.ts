import type { Severity } from "../engine/model";
import { sortErrors, sortFindings } from "./order";
import { ruleLabel } from "./ruleLabel";
import { rootRelativePath, type SourceRoot } from "./sourceRoot";
import { summaryLine } from "./summary";
import type { FormatOptions, Report } from "./types";

type Command = "error" | "warning" | "notice";

function commandFor(severity: Severity): Command {
  if (severity === "critical" || severity === "high") return "error";
  return severity === "medium" ? "warning" : "notice";
}

/** Workflow-command message escaping (as in @actions/core): `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values additionally escape `:` and `,`, which delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(kind: Command, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${kind}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/**
 * GitHub places an annotation by its path from the repository root, which is not the current
 * directory when parapet runs in a subdirectory; a file outside the root keeps the path it was given.
 */
function annotationFile(file: string, root: SourceRoot | undefined): string {
  const relative = root ? rootRelativePath(file, root) : undefined;
  return relative && relative !== ".." && !relative.startsWith("../") ? relative : file;
}

/**
 * GitHub Actions annotations: one workflow command per finding (critical/high → error, medium →
 * warning, low/info → notice) and per unprocessable input, shown inline on the pull request diff;
 * then the summary line for the job log.
 */
export function formatGithub(report: Report, options: FormatOptions = {}): string {
  const root = options.sourceRoot;
  const lines = sortFindings(report.findings).map((finding) =>
    command(
      commandFor(finding.severity),
      {
        file: annotationFile(finding.location.file, root),
        line: finding.location.line,
        col: finding.location.column,
        title: `${ruleLabel(finding)} ${finding.title}`,
      },
      `${finding.message} [${finding.severity}, ${finding.subject.type} ${finding.subject.id}]`,
    ),
  );
  for (const error of sortErrors(report.errors)) {
    lines.push(command("error", { file: annotationFile(error.file, root), line: error.line, col: error.column, title: "parapet could not process this input" }, error.message));
  }
  // A plain line is not a workflow command: the job log shows it, no annotation is made.
  lines.push(summaryLine(report));
  return `${lines.join("\n")}\n`;
}
