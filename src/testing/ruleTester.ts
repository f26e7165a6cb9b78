import type { Config } from "../engine/config";
import { checkConfig } from "../engine/config";
import type { LoadedRuleFile } from "../engine/loader";
import type { Subject, SourceKind } from "../engine/model";
import type { CaseSubject, RuleDefinition, RuleTestCase } from "../engine/rule";
import { compileRule, RuleSet } from "../engine/ruleset";
import { deepMerge } from "../util/objects";
import { caseInputAdapters, type CaseInputAdapters } from "./caseInputs";

export interface CaseResult {
  ruleId: string;
  file: string;
  expect: "pass" | "fail";
  index: number;
  name: string;
  ok: boolean;
  /** Why the case failed, in one line. */
  problem?: string;
}

/** Fills a test-case subject from the rule: first type, first source, a stable id and location. */
export function caseSubject(rule: RuleDefinition, input: CaseSubject, fallbackId: string): Subject {
  const types = Array.isArray(rule.types) ? rule.types : [];
  const source: SourceKind = input.source ?? rule.sources?.[0] ?? "template";
  return {
    type: input.type ?? (types[0] && types[0] !== "*" ? types[0] : "AWS::Test::Subject"),
    id: input.id ?? fallbackId,
    properties: input.properties ?? {},
    source,
    context: (input.context ?? {}) as never,
    location: { file: `<case ${fallbackId}>`, pointer: "" },
  } as Subject;
}

function caseName(expect: "pass" | "fail", index: number, c: RuleTestCase): string {
  return c.name ?? `${expect} #${index + 1}`;
}

/**
 * Runs a rule's inline cases: every pass case must produce no finding of this rule, every fail case
 * at least one — on the named resource and with the named message text when the case says so.
 * The rule runs alone with a neutral configuration, so exceptions and thresholds cannot hide it.
 */
export function runRuleCases(loaded: LoadedRuleFile, baseConfig: Config, adapters: CaseInputAdapters = caseInputAdapters): CaseResult[] {
  const { definition, file } = loaded;
  const neutral: Config = { ...baseConfig, minSeverity: "info", exceptions: [], rules: { disabled: [], severity: {} } };
  const results: CaseResult[] = [];
  const cases: Array<["pass" | "fail", RuleTestCase[]]> = [
    ["pass", definition.tests.pass],
    ["fail", definition.tests.fail],
  ];
  for (const [expect, list] of cases) {
    list.forEach((c, index) => {
      const name = caseName(expect, index, c);
      const base = { ruleId: definition.id, file, expect, index, name };
      try {
        const config = c.config ? checkConfig(deepMerge(neutral, c.config), `${definition.id} case "${name}" config`) : neutral;
        const ruleSet = new RuleSet([compileRule(definition, file, { config })], config);
        const subjects = subjectsForCase(definition, c, `${expect}-${index + 1}`, adapters);
        const { findings } = ruleSet.evaluate(subjects);
        const problem = expect === "pass" ? passProblem(findings) : failProblem(c, findings);
        results.push(problem ? { ...base, ok: false, problem } : { ...base, ok: true });
      } catch (err) {
        results.push({ ...base, ok: false, problem: (err as Error).message.split("\n")[0] });
      }
    });
  }
  return results;
}

function subjectsForCase(rule: RuleDefinition, c: RuleTestCase, id: string, adapters: CaseInputAdapters): Subject[] {
  const related = (c.related ?? []).map((r, i) => caseSubject(rule, r, `${id}-related-${i + 1}`));
  if (c.subject) return [caseSubject(rule, c.subject, id), ...related];
  if (c.template !== undefined) return [...adapters.template(c.template, `${rule.id}.${id}.template`), ...related];
  if (c.record !== undefined) return [...adapters.record(c.record, `${rule.id}.${id}.record`), ...related];
  throw new Error("case has no input");
}

function passProblem(findings: { subject: { id: string }; message: string }[]): string | undefined {
  if (findings.length === 0) return undefined;
  const f = findings[0]!;
  return `expected no finding, got one on ${f.subject.id}: ${f.message}`;
}

function failProblem(c: RuleTestCase, findings: { subject: { id: string }; message: string }[]): string | undefined {
  if (findings.length === 0) return "expected a finding, got none";
  const onResource = c.resource === undefined ? findings : findings.filter((f) => f.subject.id === c.resource);
  if (onResource.length === 0) {
    return `expected a finding on ${c.resource}, got findings on ${[...new Set(findings.map((f) => f.subject.id))].join(", ")}`;
  }
  if (c.message !== undefined && !onResource.some((f) => f.message.includes(c.message!))) {
    return `expected a message containing "${c.message}", got "${onResource[0]!.message}"`;
  }
  return undefined;
}
