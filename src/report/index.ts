import { UserError } from "../util/errors";
import { formatGithub } from "./github";
import { formatJson } from "./json";
import { formatJunit } from "./junit";
import { formatSarif } from "./sarif";
import { formatText } from "./text";
import type { FormatOptions, Formatter, Report } from "./types";

export type { FormatOptions, Formatter, InputError, Report, RuleMeta, ToolInfo } from "./types";
export { exitCodeFor, type FailOn } from "./exitCode";

export const REPORT_FORMATS = ["text", "json", "sarif", "junit", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FORMATTERS: Record<ReportFormat, Formatter> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  junit: formatJunit,
  github: formatGithub,
};

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/** The formatter registered under `name`; an unknown name is a usage error (exit 2), not a crash. */
export function getFormatter(name: string): Formatter {
  if (!isReportFormat(name)) {
    throw new UserError(`unknown report format "${name}" (expected one of: ${REPORT_FORMATS.join(", ")})`);
  }
  return FORMATTERS[name];
}

export function formatReport(name: string, report: Report, options?: FormatOptions): string {
  return getFormatter(name)(report, options);
}
