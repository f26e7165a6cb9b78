import path from "node:path";
import type { RuleSet } from "../engine/ruleset";
import type { Finding, Suppressed } from "../engine/model";
import type { InputError, Report, RuleMeta } from "../report/types";
import { README_URL, ruleDocumentationUrl } from "../report/links";
import { BUILTIN_RULES_DIR } from "../paths";
import { version } from "../version";

export const TOOL = { name: "parapet", version, informationUri: README_URL };

/** Built-in rules are documented in docs/rules.md; custom rules have no page to link to. */
function isBuiltinRuleFile(file: string): boolean {
  return path.resolve(file).startsWith(BUILTIN_RULES_DIR + path.sep);
}

/** Report metadata for the rules that ran, as formatters (SARIF rule metadata, JSON) need it. */
export function ruleMetadata(ruleSet: RuleSet): RuleMeta[] {
  return ruleSet.rules.map((r) => ({
    id: r.id,
    title: r.definition.title,
    severity: r.severity,
    description: r.definition.description.trim(),
    remediation: r.definition.remediation.trim(),
    references: r.definition.references ?? {},
    tags: r.definition.tags,
    ...(isBuiltinRuleFile(r.file) ? { helpUri: ruleDocumentationUrl(r.id) } : {}),
  }));
}

/** The one way every command (lint, scan, flows) assembles what formatters render. */
export function buildReport(ruleSet: RuleSet, parts: { findings: Finding[]; suppressed: Suppressed[]; errors: InputError[]; filesScanned: number; inputs?: Report["inputs"] }): Report {
  return { tool: TOOL, rules: ruleMetadata(ruleSet), ...parts };
}
