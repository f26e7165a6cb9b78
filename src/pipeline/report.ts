import type { RuleSet } from "../engine/ruleset";
import type { Finding, Suppressed } from "../engine/model";
import type { InputError, Report, RuleMeta } from "../report/types";
import { version } from "../version";

export const TOOL = { name: "parapet", version, informationUri: "https://www.npmjs.com/package/parapet" };

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
  }));
}

/** The one way every command (lint, scan, flows) assembles what formatters render. */
export function buildReport(ruleSet: RuleSet, parts: { findings: Finding[]; suppressed: Suppressed[]; errors: InputError[]; filesScanned: number }): Report {
  return { tool: TOOL, rules: ruleMetadata(ruleSet), ...parts };
}
