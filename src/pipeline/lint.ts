import { readFileSync } from "node:fs";
import type { RuleSet } from "../engine/ruleset";
import type { Finding, Subject, SubjectSuppression, Suppressed } from "../engine/model";
import { loadTemplateSubjects, type ConditionValues, type ParameterValues, type TemplateError } from "../sources/template";
import type { InputError, Report } from "../report/types";
import { expandInputPaths } from "./files";
import { buildReport } from "./report";
import { applyBaseline } from "./baseline";

export const TEMPLATE_EXTENSIONS = [".yaml", ".yml", ".json", ".template"];

/** Subject types the lint pipeline itself creates, so problems with files and metadata are findings too. */
export const TEMPLATE_PROBLEM = "Parapet::Template::Problem";
export const TEMPLATE_SUPPRESSION = "Parapet::Template::Suppression";

export interface LintOptions {
  ruleSet: RuleSet;
  parameterValues?: ParameterValues;
  conditionValues?: ConditionValues;
  baseline?: { root: string; fingerprints: Set<string>; file: string };
}

export interface LintResult {
  report: Report;
}

/** Lints template files or directories (recursively) and returns the report every formatter renders. */
export function lintPaths(inputs: readonly string[], options: LintOptions): LintResult {
  const files = expandInputPaths(inputs, TEMPLATE_EXTENSIONS);
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const errors: InputError[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      errors.push({ file, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    const result = lintTemplateText(file, text, options);
    findings.push(...result.findings);
    suppressed.push(...result.suppressed);
  }
  let kept = findings;
  if (options.baseline) {
    const applied = applyBaseline(findings, options.baseline, options.baseline.file);
    kept = applied.findings;
    suppressed.push(...applied.suppressed);
  }
  return { report: buildReport(options.ruleSet, { findings: kept, suppressed, errors, filesScanned: files.length }) };
}

/**
 * One template: adapter → subjects → engine. Evaluated per file, because references (a bucket
 * and its policy) only join within one template.
 */
export function lintTemplateText(file: string, text: string, options: LintOptions): { findings: Finding[]; suppressed: Suppressed[] } {
  const { subjects, errors } = loadTemplateSubjects(file, text, {
    parameterValues: options.parameterValues,
    conditionValues: options.conditionValues,
  });
  const all: Subject[] = [...subjects, ...errors.map(problemSubject), ...suppressionSubjects(subjects, options.ruleSet)];
  return options.ruleSet.evaluate(all);
}

function problemSubject(error: TemplateError, index: number): Subject {
  return {
    type: TEMPLATE_PROBLEM,
    id: `${error.file}#${index + 1}`,
    source: "template",
    properties: { Message: error.message, Severity: error.severity ?? "error" },
    context: {},
    location: { file: error.file, pointer: "", line: error.line, column: error.column },
  };
}

/** One subject per declared suppression (deduplicated: derived subjects share their resource's). */
function suppressionSubjects(subjects: readonly Subject[], ruleSet: RuleSet): Subject[] {
  const seen = new Map<string, { suppression: SubjectSuppression; resource: string }>();
  for (const s of subjects) {
    for (const sup of s.suppressions ?? []) {
      const key = `${sup.origin ?? ""}\0${sup.rule}`;
      if (!seen.has(key)) seen.set(key, { suppression: sup, resource: s.source === "template" ? (s.context.template?.logicalId ?? s.id) : s.id });
    }
  }
  return [...seen.values()].map(({ suppression, resource }) => ({
    type: TEMPLATE_SUPPRESSION,
    id: resource,
    source: "template" as const,
    properties: {
      Rule: suppression.rule,
      Reason: suppression.reason,
      RuleKnown: ruleSet.rulesNamed(suppression.rule).length > 0,
    },
    context: {},
    location: suppression.location ?? { file: suppression.origin ?? "", pointer: "" },
  }));
}
