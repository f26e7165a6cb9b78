import { readFileSync } from "node:fs";
import type { RuleSet } from "../engine/ruleset";
import type { Finding, Subject, SubjectSuppression, Suppressed } from "../engine/model";
import { loadTemplateSubjects, type ConditionValues, type ParameterValues, type TemplateError } from "../sources/template";
import { looksLikeTemplate, NOT_A_TEMPLATE } from "../sources/template/detect";
import type { InputError, Report } from "../report/types";
import { excludeTest, findFiles, type ExcludePatterns, type FileSearch, type FoundFile } from "./files";
import { buildReport } from "./report";
import { applyBaseline, type Baseline } from "./baseline";

export const TEMPLATE_EXTENSIONS = [".yaml", ".yml", ".json", ".template"];

/** Subject types the lint pipeline itself creates, so problems with files and metadata are findings too. */
export const TEMPLATE_PROBLEM = "Parapet::Template::Problem";
export const TEMPLATE_SUPPRESSION = "Parapet::Template::Suppression";

export interface LintOptions {
  ruleSet: RuleSet;
  parameterValues?: ParameterValues;
  conditionValues?: ConditionValues;
  baseline?: Baseline;
  /** Exclude patterns: `--exclude`, and the configuration's `lint.exclude`. */
  exclude?: readonly ExcludePatterns[];
  /** Exclude patterns apply to named paths (and stdin's name) too; see `FileSearchOptions`. */
  forceExclude?: boolean;
  /** Leave out what .gitignore ignores when searching directories and globs (default true). */
  gitignore?: boolean;
  /** What `-` among the inputs stands for: the text read from stdin, and the name reports give it. */
  stdin?: { text: string; name: string };
  /** Told how many files were found, before any is read (a progress bar). */
  onStart?: (files: number) => void;
  /** Told about every file once it is linted, skipped or found unreadable. */
  onFile?: (outcome: LintFileOutcome) => void;
}

export interface LintFileOutcome {
  file: string;
  template: boolean;
  findings: number;
}

export interface LintResult {
  report: Report;
  /**
   * What the user should hear that is neither a finding nor an input error, one line each (the CLI
   * writes them to stderr): named files skipped as not templates, inputs left out by exclude patterns.
   */
  notes: string[];
  /**
   * Every name the linted templates declare under `Conditions`, to check a condition-values file
   * against; undefined when a template did not parse or none was linted (the names are not known).
   */
  declaredConditions?: ReadonlySet<string>;
}

/** The input that stands for stdin. */
export const STDIN_INPUT = "-";
/** The name stdin's template is reported under without `--stdin-filename`. */
export const STDIN_NAME = "<stdin>";

/** A file to lint; `text` is set for the one read from stdin. */
export interface LintFile extends FoundFile {
  text?: string;
}

export interface LintFiles extends FileSearch {
  files: LintFile[];
}

/** The files a run lints (see `findFiles`), with stdin's template among them when `-` is an input. */
export function findLintFiles(inputs: readonly string[], options: Pick<LintOptions, "exclude" | "forceExclude" | "gitignore" | "stdin">): LintFiles {
  const search: LintFiles = findFiles(
    inputs.filter((input) => input !== STDIN_INPUT),
    { extensions: TEMPLATE_EXTENSIONS, exclude: options.exclude, forceExclude: options.forceExclude, gitignore: options.gitignore },
  );
  if (!inputs.includes(STDIN_INPUT)) return search;
  if (!options.stdin) throw new Error(`lint: "${STDIN_INPUT}" given without the text read from stdin`);
  const { text, name } = options.stdin;
  // An editor passing the buffer of an excluded file gets what linting the file itself would give.
  const origin = options.forceExclude ? excludeTest(options.exclude ?? [])(name) : undefined;
  if (origin) search.excluded.push({ input: name, origin });
  else search.files.unshift({ path: name, named: true, text });
  return search;
}

/**
 * Lints template files, directories (recursively) and globs and returns the report every formatter
 * renders. Files that are not templates are skipped (counted, and noted when named); an input that
 * names nothing is an input error and the rest is still linted.
 */
export function lintPaths(inputs: readonly string[], options: LintOptions): LintResult {
  return lintFiles(findLintFiles(inputs, options), options);
}

export function lintFiles(search: LintFiles, options: LintOptions): LintResult {
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const errors: InputError[] = [...search.missing];
  const notes = search.excluded.map(({ input, origin }) => `${input}: excluded by ${origin}, not linted`);
  let templates = 0;
  let skipped = 0;
  const declaredConditions = new Set<string>();
  let conditionsKnown = true;
  options.onStart?.(search.files.length);
  for (const { path: file, named, text: given } of search.files) {
    let text = given;
    if (text === undefined) {
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        errors.push({ file, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        options.onFile?.({ file, template: false, findings: 0 });
        continue;
      }
    }
    if (!looksLikeTemplate(text)) {
      skipped += 1;
      if (named) notes.push(`${file}: ${NOT_A_TEMPLATE}, skipped`);
      options.onFile?.({ file, template: false, findings: 0 });
      continue;
    }
    templates += 1;
    const result = lintTemplateText(file, text, options);
    if (result.conditions) result.conditions.forEach((name) => declaredConditions.add(name));
    else conditionsKnown = false;
    findings.push(...result.findings);
    suppressed.push(...result.suppressed);
    options.onFile?.({ file, template: true, findings: result.findings.length });
  }
  let kept = findings;
  if (options.baseline) {
    const applied = applyBaseline(findings, options.baseline);
    kept = applied.findings;
    suppressed.push(...applied.suppressed);
  }
  const report = buildReport(options.ruleSet, { findings: kept, suppressed, errors, filesScanned: templates, inputs: { kind: "template", skipped } });
  return { report, notes, declaredConditions: conditionsKnown && templates > 0 ? declaredConditions : undefined };
}

/**
 * One template: adapter → subjects → engine. Evaluated per file, because references (a bucket
 * and its policy) only join within one template.
 */
export function lintTemplateText(file: string, text: string, options: LintOptions): { findings: Finding[]; suppressed: Suppressed[]; conditions?: string[] } {
  const { subjects, errors, conditions } = loadTemplateSubjects(file, text, {
    parameterValues: options.parameterValues,
    conditionValues: options.conditionValues,
  });
  const all: Subject[] = [...subjects, ...errors.map(problemSubject), ...suppressionSubjects(subjects, options.ruleSet)];
  return { ...options.ruleSet.evaluate(all), conditions };
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
