import { Option, type Command } from "commander";
import { SEVERITIES, type Severity } from "../engine/model";
import { REPORT_FORMATS } from "../report";

/** The options every command that produces a report shares: lint, scan cloudtrail, flows scan. */
export interface ReportOptions {
  format: string;
  output?: string;
  failOn: Severity | "none";
  rules?: string[];
  config?: string;
}

export function addReportOptions(command: Command): Command {
  return command
    .addOption(new Option("-f, --format <format>", "report format").choices([...REPORT_FORMATS]).default("text"))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at least this severe").choices([...SEVERITIES, "none"]).default("high"))
    .option("--rules <dir...>", "custom rule directories, added to the built-in rules")
    .option("-c, --config <file>", "configuration file");
}
