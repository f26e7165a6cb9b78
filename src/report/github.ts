import type { Severity } from "../engine/model";
import { sortErrors, sortFindings } from "./order";
import type { Report } from "./types";

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
 * GitHub Actions annotations: one workflow command per finding (critical/high → error, medium →
 * warning, low/info → notice) and per unprocessable input, shown inline on the pull request diff.
 */
export function formatGithub(report: Report): string {
  const lines = sortFindings(report.findings).map((finding) =>
    command(
      commandFor(finding.severity),
      {
        file: finding.location.file,
        line: finding.location.line,
        col: finding.location.column,
        title: `${finding.ruleId} ${finding.title}`,
      },
      `${finding.message} [${finding.severity}, ${finding.subject.type} ${finding.subject.id}]`,
    ),
  );
  for (const error of sortErrors(report.errors)) {
    lines.push(command("error", { file: error.file, line: error.line, col: error.column, title: "parapet could not process this input" }, error.message));
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
