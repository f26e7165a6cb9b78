/**
 * Names in a configuration that must exist: rule ids (`rules.disabled`, `rules.severity`,
 * `exceptions[].rules`) and CloudFormation resource types (`tagging.resourceTypes`,
 * `tagging.byType`). A misspelled name would otherwise do nothing, silently: the rule still runs,
 * the exception never applies, the type is never checked. Each mistake is reported against the file
 * (or PARAPET_CONFIG_JSON part) it was written in, with the closest known name.
 */
import type { RuleSet } from "./ruleset";
import { cloudFormationTypes, isCloudFormationType } from "./subjectFields";
import { isObject } from "../util/objects";
import { UserError } from "../util/errors";
import { didYouMean } from "../util/suggest";

/** A rule id written in a configuration, and where. */
export interface RuleIdReference {
  /** The file or PARAPET_CONFIG_JSON part it was written in. */
  source: string;
  /** `rules.disabled`, `rules.severity`, `exceptions[2].rules`. */
  key: string;
  id: string;
  /** `rules.severity` keys name the rule itself: a cfn_nag id there would be ignored. */
  parapetIdOnly: boolean;
}

/** The rule ids a user's (partial, not yet validated) configuration names; wrong shapes are left to the schema. */
export function ruleIdReferences(user: Record<string, unknown>, source: string): RuleIdReference[] {
  const out: RuleIdReference[] = [];
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
  if (isObject(user.rules)) {
    for (const id of strings(user.rules.disabled)) out.push({ source, key: "rules.disabled", id, parapetIdOnly: false });
    if (isObject(user.rules.severity)) for (const id of Object.keys(user.rules.severity)) out.push({ source, key: "rules.severity", id, parapetIdOnly: true });
  }
  if (Array.isArray(user.exceptions)) {
    user.exceptions.forEach((entry, i) => {
      if (isObject(entry)) for (const id of strings(entry.rules)) out.push({ source, key: `exceptions[${i}].rules`, id, parapetIdOnly: false });
    });
  }
  return out;
}

/** Every referenced rule id names a loaded rule (built-in or custom); one line per mistake. */
export function checkRuleIdReferences(references: readonly RuleIdReference[], ruleSet: RuleSet): void {
  if (references.length === 0) return;
  const ids = ruleSet.rules.map((r) => r.id);
  const names = [...new Set(ruleSet.rules.flatMap((r) => r.aliases))];
  const problems: string[] = [];
  for (const ref of references) {
    const rules = ruleSet.rulesNamed(ref.id);
    if (rules.length === 0) {
      problems.push(`${ref.source}: ${ref.key}: unknown rule id "${ref.id}"${didYouMean(ref.id, ref.parapetIdOnly ? ids : names)}`);
    } else if (ref.parapetIdOnly && !rules.some((r) => r.id === ref.id)) {
      problems.push(`${ref.source}: ${ref.key}: "${ref.id}" is a cfn_nag id; name the parapet rule instead (${rules.map((r) => r.id).join(", ")})`);
    }
  }
  if (problems.length) throw new UserError(problems.join("\n"));
}

/** `tagging.resourceTypes` and `tagging.byType` name CloudFormation resource types that exist. */
export function checkConfigResourceTypes(user: Record<string, unknown>, source: string): void {
  const tagging = user.tagging;
  if (!isObject(tagging)) return;
  const named: Array<[key: string, type: string]> = [
    ...(Array.isArray(tagging.resourceTypes) ? tagging.resourceTypes : []).filter((t): t is string => typeof t === "string").map((t) => ["tagging.resourceTypes", t] as [string, string]),
    ...(isObject(tagging.byType) ? Object.keys(tagging.byType) : []).map((t) => ["tagging.byType", t] as [string, string]),
  ];
  for (const [key, type] of named) {
    if (!isCloudFormationType(type)) {
      throw new UserError(`${source}: ${key}: unknown CloudFormation resource type "${type}"${didYouMean(type, cloudFormationTypes())}`);
    }
  }
}
