import { Command, Option } from "commander";
import path from "node:path";
import { findRuleFiles, loadRules, buildRuleSchema, type LoadedRuleFile } from "../../engine";
import { loadCommandConfig } from "../config";
import { OPERATORS } from "../../engine/operators/registry";
import { runRuleCases, type CaseResult } from "../../testing/ruleTester";
import { emit, paint, useColor } from "../output";
import { plural } from "../../util/plural";

interface RulesOptions {
  rules?: string[];
  config?: string;
}

function load(options: RulesOptions) {
  const { config } = loadCommandConfig(options.config);
  return { config, ...loadRules({ config, ruleDirs: options.rules, includeBuiltin: true }) };
}

export function rulesCommand(): Command {
  const rules = new Command("rules").description("list, test and document rules");

  rules
    .command("list")
    .description("list the rules (built-in and custom)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).default("table"))
    .option("--rules <dir...>", "custom rule directories, added to the built-in rules")
    .option("-c, --config <file>", "configuration file")
    .action((opts: RulesOptions & { format: "table" | "json" | "markdown" }) => {
      const { files } = load(opts);
      emit(formatRuleList(files, opts.format));
    });

  rules
    .command("test")
    .description("run every rule's inline test cases (custom rules are checked as lint --rules checks them: a custom id may not repeat a built-in one)")
    .argument("[dirs...]", "rule directories or files (default: the built-in rules)")
    .option("-c, --config <file>", "configuration file")
    .option("-q, --quiet", "print only failures and the summary")
    .action((dirs: string[], opts: { config?: string; quiet?: boolean }) => {
      const { config } = loadCommandConfig(opts.config);
      // The built-in rules are loaded with the custom ones (as `lint --rules` does), so a custom rule
      // that reuses a built-in id, or a configuration naming a built-in rule, is judged the same way.
      const { files } = loadRules({ config, ruleDirs: dirs.length ? dirs : undefined, includeBuiltin: true });
      const tested = new Set(dirs.flatMap(findRuleFiles).map((f) => path.resolve(f)));
      const results = files.filter((f) => dirs.length === 0 || tested.has(path.resolve(f.file))).flatMap((f) => runRuleCases(f, config));
      emit(formatCaseResults(results, { quiet: Boolean(opts.quiet), color: useColor() }));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  rules
    .command("docs")
    .description("print reference documentation for every rule (markdown)")
    .option("--rules <dir...>", "custom rule directories, added to the built-in rules")
    .option("-c, --config <file>", "configuration file")
    .action((opts: RulesOptions) => {
      const { files } = load(opts);
      emit(formatRuleDocs(files));
    });

  rules
    .command("schema")
    .description("print the JSON Schema of rule files (for editors)")
    .action(() => emit(JSON.stringify(buildRuleSchema(), null, 2)));

  rules
    .command("operators")
    .description("list the operators rules can use")
    .action(() => {
      const lines = [...OPERATORS.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((op) => `${op.name.padEnd(24)} ${op.kind === "set" ? "(set)  " : "(value)"} ${op.description}`);
      emit(lines.join("\n"));
    });

  return rules;
}

function typesOf(f: LoadedRuleFile): string {
  const t = f.definition.types;
  return Array.isArray(t) ? t.join(", ") : `$config ${t.$config}`;
}

function refsOf(f: LoadedRuleFile): string {
  const r = f.definition.references ?? {};
  return [...(r.cfnNag ?? []), ...(r.awsConfig ?? []), ...(r.sigma ?? [])].join(", ");
}

export function formatRuleList(files: readonly LoadedRuleFile[], format: "table" | "json" | "markdown"): string {
  const sorted = [...files].sort((a, b) => a.definition.id.localeCompare(b.definition.id));
  if (format === "json") {
    return JSON.stringify(
      sorted.map(({ definition: d, file }) => ({
        id: d.id,
        title: d.title,
        severity: d.severity,
        types: d.types,
        sources: d.sources ?? ["template", "cloudtrail", "flowlog"],
        references: d.references ?? {},
        file,
      })),
      null,
      2,
    );
  }
  if (format === "markdown") {
    const rows = sorted.map((f) => `| \`${f.definition.id}\` | ${f.definition.severity} | ${f.definition.title} | ${typesOf(f)} | ${refsOf(f)} |`);
    return ["| id | severity | title | types | references |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
  }
  const idWidth = Math.max(2, ...sorted.map((f) => f.definition.id.length));
  const lines = sorted.map((f) => `${f.definition.id.padEnd(idWidth)}  ${f.definition.severity.padEnd(8)}  ${f.definition.title}`);
  return [`${"id".padEnd(idWidth)}  severity  title`, ...lines, "", plural(sorted.length, "rule")].join("\n");
}

export function formatCaseResults(results: readonly CaseResult[], options: { quiet: boolean; color: boolean }): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.ok && options.quiet) continue;
    const mark = r.ok ? paint.green("ok  ", options.color) : paint.red("FAIL", options.color);
    lines.push(`${mark} ${r.ruleId} ${r.expect}: ${r.name}${r.ok ? "" : `\n       ${r.problem}`}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const rules = new Set(results.map((r) => r.ruleId)).size;
  lines.push("", `${results.length - failed} passed, ${failed} failed (${plural(results.length, "case")} in ${plural(rules, "rule")})`);
  return lines.join("\n");
}

export function formatRuleDocs(files: readonly LoadedRuleFile[]): string {
  const header = [
    "# parapet rules",
    "",
    "Generated from the rule files by `npm run docs` (`parapet rules docs`); a test keeps it in step.",
    "",
  ].join("\n");
  return header + "\n" + [...files]
    .sort((a, b) => a.definition.id.localeCompare(b.definition.id))
    .map(({ definition: d }) => {
      const refs = refsOf({ definition: d } as LoadedRuleFile);
      return [
        `## ${d.id}`,
        "",
        `**${d.title}** — severity \`${d.severity}\`, applies to ${typesOf({ definition: d } as LoadedRuleFile)}` +
          (d.sources ? ` (sources: ${d.sources.join(", ")})` : ""),
        "",
        d.description.trim(),
        "",
        `**Remediation.** ${d.remediation.trim()}`,
        ...(refs ? ["", `**References.** ${refs}`] : []),
        ...(d.deviation ? ["", `**Deviation.** ${d.deviation.trim()}`] : []),
        "",
      ].join("\n");
    })
    .join("\n");
}
