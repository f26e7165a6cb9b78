import { Command } from "commander";
import path from "node:path";
import { loadConfig, loadRules } from "../../engine";
import { readConditionValuesFile, readParameterValuesFile } from "../../sources/template";
import { exitCodeFor, formatReport } from "../../report";
import { lintPaths } from "../../pipeline/lint";
import { readRuleIdFile } from "../../pipeline/ruleSelection";
import { readBaseline, writeBaseline } from "../../pipeline/baseline";
import { emit, useColor } from "../output";
import { addReportOptions, type ReportOptions } from "../reportOptions";

interface LintCommandOptions extends ReportOptions {
  parameters?: string;
  conditions?: string;
  profile?: string;
  denyList?: string;
  baseline?: string;
  writeBaseline?: string;
}

export function lintCommand(): Command {
  return addReportOptions(
    new Command("lint")
      .description("lint CloudFormation templates (files, directories, globs)")
      .argument("<paths...>", "templates, directories (searched recursively for .yaml .yml .json .template) or globs"),
  )
    .option("--parameters <file>", "parameter values (cfn_nag {\"Parameters\":{...}} or AWS CLI [{ParameterKey, ParameterValue}])")
    .option("--conditions <file>", "condition values ({\"Name\": true|false})")
    .option("--profile <file>", "run only the rules listed (one id per line)")
    .option("--deny-list <file>", "never run the rules listed (ids, or cfn_nag RulesToSuppress YAML)")
    .option("--baseline <file>", "report only findings that are not in this baseline")
    .option("--write-baseline <file>", "record the current findings as the baseline and exit 0")
    .action((paths: string[], opts: LintCommandOptions) => {
      const config = loadConfig(opts.config);
      const loaded = loadRules({ config, ruleDirs: opts.rules, includeBuiltin: true, lazy: true }).ruleSet;
      const allowed = opts.profile ? readRuleIdFile(opts.profile, loaded, "profile") : undefined;
      const denied = opts.denyList ? readRuleIdFile(opts.denyList, loaded, "deny list") : undefined;
      const ruleSet = allowed || denied ? loaded.restrictedTo((rule) => (!allowed || allowed.has(rule.id)) && !denied?.has(rule.id)) : loaded;
      const baseline = opts.baseline ? { ...readBaseline(opts.baseline), file: opts.baseline } : undefined;
      const { report } = lintPaths(paths, {
        ruleSet,
        parameterValues: opts.parameters ? readParameterValuesFile(opts.parameters) : undefined,
        conditionValues: opts.conditions ? readConditionValuesFile(opts.conditions) : undefined,
        baseline,
      });
      if (opts.writeBaseline) {
        writeBaseline(opts.writeBaseline, report.findings);
        process.stderr.write(`parapet: wrote ${report.findings.length} findings to ${path.normalize(opts.writeBaseline)}\n`);
        return;
      }
      emit(formatReport(opts.format, report, { color: !opts.output && useColor() }), opts.output);
      process.exitCode = exitCodeFor(report.findings, opts.failOn);
    });
}
