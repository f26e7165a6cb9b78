import { Option, type Command } from "commander";
import { SEVERITIES, type Severity } from "../engine/model";
import { REPORT_FORMATS, type FormatOptions } from "../report";
import { findSourceRoot } from "../pipeline/sourceRoot";
import type { SourceRoot } from "../report/sourceRoot";
import { useColor } from "./output";

/** The options every command that produces a report shares: lint, scan cloudtrail, flows scan. */
export interface ReportOptions {
  format: string;
  output?: string;
  failOn: Severity | "none";
  rules?: string[];
  config?: string;
  basePath?: string;
  sarifAllRules?: boolean;
}

export function addReportOptions(command: Command): Command {
  return command
    .addOption(new Option("-f, --format <format>", "report format").choices([...REPORT_FORMATS]).default("text"))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at least this severe").choices([...SEVERITIES, "none"]).default("high"))
    .option("--rules <dir...>", "custom rule directories, added to the built-in rules")
    .option("-c, --config <file>", "configuration file")
    .option("--base-path <dir>", "name files relative to this directory in sarif and github reports and baselines (default: the git top level of the inputs)")
    .option("--sarif-all-rules", "describe every rule that ran in a sarif report, not only those with results");
}

/**
 * How the report is rendered: colour on a terminal only, and files named relative to the repository
 * root that holds `inputs` (or `--base-path`) wherever parapet runs from.
 */
export function formatOptionsFor(opts: ReportOptions, inputs: readonly string[]): FormatOptions & { sourceRoot: SourceRoot } {
  return {
    color: !opts.output && useColor(),
    sourceRoot: findSourceRoot(inputs, { basePath: opts.basePath }),
    allRules: opts.sarifAllRules === true,
  };
}
