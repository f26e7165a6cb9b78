import { Command } from "commander";
import path from "node:path";
import { SingleBar } from "cli-progress";
import { loadRules } from "../../engine";
import type { Config } from "../../engine/config";
import { readConditionValuesFile, readParameterValuesFile } from "../../sources/template";
import { exitCodeFor, formatReport } from "../../report";
import { lintPaths, STDIN_INPUT, STDIN_NAME, type LintFileOutcome } from "../../pipeline/lint";
import type { ExcludePatterns } from "../../pipeline/files";
import { UserError } from "../../util/errors";
import { plural } from "../../util/plural";
import { loadCommandConfig } from "../config";
import { readRuleIdFile } from "../../pipeline/ruleSelection";
import { checkConditionNames } from "../../pipeline/conditionNames";
import { readBaseline, writeBaseline } from "../../pipeline/baseline";
import { emit } from "../output";
import { addReportOptions, formatOptionsFor, type ReportOptions } from "../reportOptions";

interface LintCommandOptions extends ReportOptions {
  parameters?: string;
  conditions?: string;
  profile?: string;
  denyList?: string;
  baseline?: string;
  writeBaseline?: string;
  exclude: string[];
  forceExclude?: boolean;
  stdinFilename?: string;
  progress: boolean;
}

/** Below this many files a progress bar is noise. */
const PROGRESS_MIN_FILES = 50;

const EXIT_CODES_HELP = `
Exit codes:
  0   no finding at or above --fail-on
  1   a finding at or above --fail-on
  2   a usage or configuration error, or a path that could not be read
      (the other paths are still linted and reported)
  70  an internal error: a bug in parapet; please report it with the
      command you ran and what it printed
`;

export function lintCommand(): Command {
  return addReportOptions(
    new Command("lint")
      .description(
        "lint CloudFormation templates: files, directories and globs (their .yaml .yml .json .template files\n" +
          "whose content is a template; other files are skipped), or - for one template on stdin",
      )
      .argument("<paths...>", "templates, directories, globs, or - (stdin)")
      .addHelpText("after", EXIT_CODES_HELP),
  )
    .option("--parameters <file>", "parameter values (cfn_nag {\"Parameters\":{...}} or AWS CLI [{ParameterKey, ParameterValue}])")
    .option("--conditions <file>", "condition values ({\"Name\": true|false}); a name that no linted template declares is an error")
    .option("--profile <file>", "run only the rules listed (one id per line)")
    .option("--deny-list <file>", "never run the rules listed (ids, or cfn_nag RulesToSuppress YAML)")
    .option("--baseline <file>", "report only findings that are not in this baseline")
    .option("--write-baseline <file>", "record the current findings as the baseline and exit 0")
    .option("--exclude <pattern>", "leave out of directory and glob searches (.gitignore syntax; repeatable; with the configuration's lint.exclude)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option("--force-exclude", "apply the excludes to files named on the command line too (pre-commit hooks, editors)")
    .option("--stdin-filename <name>", "the name reports give the template read from - (stdin)")
    .option("--no-progress", "never show the progress bar (shown on a terminal when there are many files)")
    .action(async (paths: string[], opts: LintCommandOptions) => {
      // First, so a wrong --base-path is reported before any work.
      const formatOptions = formatOptionsFor(opts, paths);
      const { config, file: configFile } = loadCommandConfig(opts.config);
      const stdin = await stdinTemplate(paths, opts.stdinFilename);
      const loaded = loadRules({ config, ruleDirs: opts.rules, includeBuiltin: true, lazy: true }).ruleSet;
      const allowed = opts.profile ? readRuleIdFile(opts.profile, loaded, "profile") : undefined;
      const denied = opts.denyList ? readRuleIdFile(opts.denyList, loaded, "deny list") : undefined;
      const ruleSet = allowed || denied ? loaded.restrictedTo((rule) => (!allowed || allowed.has(rule.id)) && !denied?.has(rule.id)) : loaded;
      const baseline = opts.baseline ? readBaseline(opts.baseline) : undefined;
      if (baseline?.outdated) process.stderr.write(`parapet: ${baseline.outdated}\n`);
      const conditionValues = opts.conditions ? readConditionValuesFile(opts.conditions) : undefined;
      const progress = opts.progress && process.stderr.isTTY ? startProgress() : undefined;
      let linted;
      try {
        linted = lintPaths(paths, {
          ruleSet,
          parameterValues: opts.parameters ? readParameterValuesFile(opts.parameters) : undefined,
          conditionValues,
          baseline,
          exclude: lintExcludes(config, configFile, opts.exclude),
          forceExclude: opts.forceExclude,
          stdin,
          onStart: progress?.start,
          onFile: progress?.update,
        });
      } finally {
        progress?.stop();
      }
      const { report, notes } = linted;
      if (conditionValues && opts.conditions) checkConditionNames(conditionValues, linted.declaredConditions, opts.conditions);
      for (const note of notes) process.stderr.write(`parapet: ${note}\n`);
      // Also on stderr: the report may be in a file, and this is why the exit code is 2.
      for (const error of report.errors) process.stderr.write(`parapet: ${error.file}: ${error.message}\n`);
      if (opts.writeBaseline) {
        writeBaseline(opts.writeBaseline, report.findings, formatOptions.sourceRoot);
        process.stderr.write(`parapet: wrote ${plural(report.findings.length, "finding")} to ${path.normalize(opts.writeBaseline)}\n`);
        process.exitCode = report.errors.length > 0 ? 2 : 0;
        return;
      }
      emit(formatReport(opts.format, report, formatOptions), opts.output);
      process.exitCode = report.errors.length > 0 ? 2 : exitCodeFor(report.findings, opts.failOn);
    });
}

/** `--exclude` patterns (relative to the current directory) and the configuration's (relative to its file). */
function lintExcludes(config: Config, configFile: string | undefined, cliPatterns: readonly string[]): ExcludePatterns[] {
  const out: ExcludePatterns[] = [];
  if (config.lint.exclude.length > 0) {
    out.push({ patterns: config.lint.exclude, base: configFile ? path.dirname(path.resolve(configFile)) : process.cwd(), origin: configFile ?? "configuration" });
  }
  if (cliPatterns.length > 0) out.push({ patterns: cliPatterns, base: process.cwd(), origin: "--exclude" });
  return out;
}

/** The template `-` stands for, read whole from stdin; `--stdin-filename` alone is a mistake. */
async function stdinTemplate(paths: readonly string[], name: string | undefined): Promise<{ text: string; name: string } | undefined> {
  if (!paths.includes(STDIN_INPUT)) {
    if (name !== undefined) throw new UserError("--stdin-filename names the template read from stdin: add - to the paths");
    return undefined;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString("utf8"), name: name ?? STDIN_NAME };
}

/** A bar on stderr (stdout stays clean for the report), for runs long enough to need one. */
function startProgress(): { start: (files: number) => void; update: (outcome: LintFileOutcome) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  let templates = 0;
  let findings = 0;
  return {
    start(files) {
      if (files < PROGRESS_MIN_FILES) return;
      bar = new SingleBar({
        stream: process.stderr,
        format: "linting {bar} {value}/{total} files | {templates} templates | {findings} findings | {eta_formatted}",
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 100,
      });
      bar.start(files, 0, { templates, findings });
    },
    update(outcome) {
      if (outcome.template) templates += 1;
      findings += outcome.findings;
      bar?.increment(1, { templates, findings });
    },
    stop: () => bar?.stop(),
  };
}
