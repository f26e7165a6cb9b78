import { Command, Option } from "commander";
import { findRuleFiles, loadRules, type Finding, type RuleSet } from "../../engine";
import { readConditionValuesFile, readParameterValuesFile } from "../../sources/template";
import { readRuleIdFile } from "../../pipeline/ruleSelection";
import { CFN_NAG_TEMPLATE_PATTERN, cfnNagScan, discoverTemplates } from "../../pipeline/cfnNagScan";
import { findSourceRoot } from "../../pipeline/sourceRoot";
import {
  cfnNagFails,
  cfnNagIdsOf,
  formatCfnNagJson,
  formatCfnNagText,
  TEMPLATE_INVALID_RULE,
  toCfnNagView,
  type CfnNagView,
  type CfnNagViewOptions,
} from "../../report/cfnNag";
import { sortFindings } from "../../report/order";
import { formatSarif } from "../../report/sarif";
import { formatWhere, UserError } from "../../util/errors";
import { plural } from "../../util/plural";
import { loadCommandConfig } from "../config";
import { emit, useColor } from "../output";

const OUTPUT_FORMATS = ["colortxt", "txt", "json", "sarif"] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface CfnNagScanOptions {
  inputPath: string;
  outputFormat: OutputFormat;
  templatePattern: string;
  failOnWarnings?: boolean;
  denyListPath?: string;
  blacklistPath?: string;
  profilePath?: string;
  parameterValuesPath?: string;
  conditionValuesPath?: string;
  ruleDirectory?: string;
  ignoreFatal?: boolean;
  printSuppression?: boolean;
  allowSuppression: boolean;
  debug?: boolean;
  includeParapetRules?: boolean;
}

const HELP_AFTER = `
cfn_nag_scan's flags and output formats, checked by parapet's rules: violations carry cfn_nag's ids
(F1000, W2, ...) and types (FAIL for parapet's critical and high, WARN for medium and low). Rules that
have no cfn_nag id are left out unless they come from --rule-directory or --include-parapet-rules is given.

Exit codes are parapet's, not cfn_nag's failure count (a count can wrap to 0 at 256):
  0   no FAIL violation (with --fail-on-warnings: no violation at all)
  1   a FAIL violation (with --fail-on-warnings: any violation)
  2   a usage error: an unknown flag, --input-path that does not exist, an unreadable or malformed
      profile, deny list, parameter or condition values file, or a broken rule in --rule-directory
  70  an internal error: a bug in parapet; please report it

See docs/cfn-nag-migration.md for what differs from cfn_nag.
`;

export function cfnNagScanCommand(): Command {
  return new Command("cfn-nag-scan")
    .description("scan templates the way cfn_nag_scan does: its flags, its json/txt output, parapet's rules and exit codes")
    .requiredOption("-i, --input-path <path>", "a template, or a directory searched recursively for files matching --template-pattern")
    .addOption(new Option("-o, --output-format <format>", "colortxt (txt with colour on a terminal), txt, json or sarif").choices([...OUTPUT_FORMATS]).default("colortxt"))
    .option("-t, --template-pattern <regex>", "within a directory --input-path, scan the files whose path matches this regular expression", CFN_NAG_TEMPLATE_PATTERN)
    .option("--fail-on-warnings", "exit 1 on WARN violations too")
    .option("--deny-list-path <file>", "never report these rules (cfn_nag's RulesToSuppress YAML, or ids one a line)")
    .addOption(new Option("--blacklist-path <file>", "the former name of --deny-list-path").hideHelp())
    .option("--profile-path <file>", "report only these rules (ids one a line)")
    .option("--parameter-values-path <file>", "parameter values: {\"Parameters\": {...}} (or the AWS CLI's [{ParameterKey, ParameterValue}])")
    .option("--condition-values-path <file>", "condition values: {\"Name\": true|false}")
    .option("--rule-directory <dir>", "parapet rules (YAML, docs/writing-rules.md) added to the built-in ones; reported under their cfn_nag id or their own")
    .option("--ignore-fatal", "leave out templates that cannot be parsed or read (no FATAL violation)")
    .option("--print-suppression", "write each violation suppressed by resource Metadata to stderr")
    .option("--allow-suppression", "honour Metadata suppressions (the default)", true)
    .option("--no-allow-suppression", "ignore Metadata suppressions")
    .option("--debug", "on stderr: the templates scanned and each violation's parapet rule, resource, position and message")
    .option("--include-parapet-rules", "also report parapet rules that have no cfn_nag id, under their parapet ids")
    .addHelpText("after", HELP_AFTER)
    .action((opts: CfnNagScanOptions) => {
      const debug = opts.debug ? (line: string) => process.stderr.write(`parapet: debug: ${line}\n`) : undefined;
      const pattern = templatePattern(opts.templatePattern);
      const { config } = loadCommandConfig(undefined);
      const { ruleSet, customRules } = selectRules(opts, config);
      debug?.(`${plural(ruleSet.rules.length, "rule")} loaded${customRules.size ? `, ${customRules.size} from ${opts.ruleDirectory}` : ""}`);
      const templates = discoverTemplates(opts.inputPath, pattern);
      debug?.(`${plural(templates.length, "template")} to scan under ${opts.inputPath} (pattern ${pattern.source})`);
      const viewOptions: CfnNagViewOptions = {
        showsUnmapped: (ruleId) => opts.includeParapetRules === true || customRules.has(ruleId),
        ignoreFatal: opts.ignoreFatal === true,
      };
      let leftOut = 0;
      const report = cfnNagScan(templates, {
        ruleSet,
        parameterValues: opts.parameterValuesPath ? readParameterValuesFile(opts.parameterValuesPath) : undefined,
        conditionValues: opts.conditionValuesPath ? readConditionValuesFile(opts.conditionValuesPath) : undefined,
        allowSuppression: opts.allowSuppression,
        onTemplate: debug && ((template, { findings, millis }) => (leftOut += describeFindings(template, findings, millis, viewOptions, debug))),
      });
      if (leftOut > 0) debug?.(`${plural(leftOut, "finding")} left out: rules without a cfn_nag id (--include-parapet-rules shows them), or FATAL with --ignore-fatal`);
      const view = toCfnNagView(report, templates, viewOptions);
      if (opts.printSuppression) {
        // cfn_nag's line, once per rule and resource (its rules remove suppressed resources one by one).
        const lines = new Set(view.report.suppressed.map((s) => `Suppressing ${s.finding.ruleId} on ${s.finding.subject.id} for reason: ${s.reason}\n`));
        for (const line of lines) process.stderr.write(line);
      }
      emit(render(view, opts.outputFormat, opts.inputPath));
      process.exitCode = cfnNagFails(view, opts.failOnWarnings === true) ? 1 : 0;
    });
}

function templatePattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UserError(`--template-pattern ${source}: not a valid regular expression (${(err as Error).message})`);
  }
}

/**
 * The built-in rules plus --rule-directory, narrowed by the profile and then the deny list (which
 * wins, as in cfn_nag). A template that cannot be analysed is reported whatever they list: cfn_nag's
 * FATAL is no rule either can name.
 */
function selectRules(opts: CfnNagScanOptions, config: ReturnType<typeof loadCommandConfig>["config"]): { ruleSet: RuleSet; customRules: Set<string> } {
  const ruleDirs = opts.ruleDirectory ? [opts.ruleDirectory] : undefined;
  const loaded = loadRules({ config, ruleDirs, includeBuiltin: true, lazy: true }).ruleSet;
  // The loader names each rule by the path findRuleFiles gave it (built-in ones `rules/<path>`, and a
  // custom file with a built-in's name would repeat its id, which the loader refuses).
  const customFiles = new Set((ruleDirs ?? []).flatMap(findRuleFiles));
  const customRules = new Set(loaded.rules.filter((rule) => customFiles.has(rule.file)).map((rule) => rule.id));
  const denyList = opts.denyListPath ?? opts.blacklistPath;
  const allowed = opts.profilePath ? readRuleIdFile(opts.profilePath, loaded, "profile") : undefined;
  const denied = denyList ? readRuleIdFile(denyList, loaded, "deny list") : undefined;
  const ruleSet =
    allowed || denied
      ? loaded.restrictedTo((rule) => rule.id === TEMPLATE_INVALID_RULE || ((!allowed || allowed.has(rule.id)) && !denied?.has(rule.id)))
      : loaded;
  return { ruleSet, customRules };
}

/**
 * --debug: per template, each parapet finding behind a violation, with its rule and exact position
 * (cfn_nag's output has only the resource's line); returns how many findings the output leaves out.
 */
function describeFindings(template: string, findings: readonly Finding[], millis: number, options: CfnNagViewOptions, debug: (line: string) => void): number {
  debug(`${template}: ${plural(findings.length, "finding")} in ${millis} ms`);
  let leftOut = 0;
  for (const f of sortFindings(findings)) {
    const ids = cfnNagIdsOf({ id: f.ruleId, references: f.references }, options);
    if (ids.length === 0) leftOut += 1;
    const shownAs = ids.length === 0 ? `${f.ruleId} (left out)` : ids.includes(f.ruleId) ? f.ruleId : `${ids.join(",")} (${f.ruleId})`;
    debug(`  ${formatWhere(f.location.file, f.location.line, f.location.column)} ${shownAs} ${f.subject.id}: ${f.message}`);
  }
  return leftOut;
}

function render(view: CfnNagView, format: OutputFormat, inputPath: string): string {
  switch (format) {
    case "json":
      return formatCfnNagJson(view);
    case "txt":
      return formatCfnNagText(view);
    case "colortxt":
      return formatCfnNagText(view, { color: useColor() });
    case "sarif":
      return formatSarif(view.report, { sourceRoot: findSourceRoot([inputPath]) });
  }
}
