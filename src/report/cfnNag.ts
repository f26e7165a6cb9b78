import { severityRank, type Finding, type Severity, type Suppressed } from "../engine/model";
import { sortFindings } from "./order";
import type { InputError, Report, RuleMeta } from "./types";

/**
 * parapet's results in cfn_nag's terms, for `parapet cfn-nag-scan`: the output cfn_nag 0.8's
 * `cfn_nag_scan` prints (`--output-format json|txt|colortxt`), so scripts and people that read it
 * keep working. Everything here is a pure function of the report.
 */

/** The rule whose findings cfn_nag reports as `FATAL`: a template that cannot be analysed. */
export const TEMPLATE_INVALID_RULE = "template-invalid";
export const FATAL = "FATAL";

/** cfn_nag has two levels; parapet's five map onto them as docs/writing-rules.md describes. */
export type CfnNagType = "FAIL" | "WARN";

export function cfnNagType(severity: Severity): CfnNagType {
  // `info` has no cfn_nag counterpart; only a parapet-only rule (shown on request) can be info.
  return severity === "critical" || severity === "high" ? "FAIL" : "WARN";
}

/** One violation: one rule in one template, with every resource it found (cfn_nag's JSON keys). */
export interface CfnNagViolation {
  id: string;
  type: CfnNagType;
  message: string;
  logical_resource_ids: string[];
  /** The line of each resource's `Type` key, in the order of `logical_resource_ids` (null when unknown). */
  line_numbers: (number | null)[];
}

export interface CfnNagFileResults {
  filename: string;
  file_results: {
    /** FAIL violations, counted once per resource (once for a violation without resources), as cfn_nag counts them. */
    failure_count: number;
    violations: CfnNagViolation[];
  };
}

/** What the cfn_nag formats render: the templates scanned, and the report relabelled by `toCfnNagView`. */
export interface CfnNagView {
  /** Every template scanned, in order: each has an entry in the output, with violations or without. */
  templates: readonly string[];
  /**
   * The findings cfn_nag's output shows, with their cfn_nag id as `ruleId` (rules likewise), so the
   * SARIF formatter renders the same view. Locations are what the scan gave (see pipeline/cfnNagScan.ts).
   */
  report: Report;
}

export interface CfnNagViewOptions {
  /** Whether a rule without a cfn_nag id is shown, under its parapet id (custom rules, `--include-parapet-rules`). */
  showsUnmapped: (ruleId: string) => boolean;
  /** `--ignore-fatal`: leave out templates that cannot be analysed or read. */
  ignoreFatal: boolean;
}

/** The ids a rule's findings are shown under: its cfn_nag ids, FATAL, its own id, or none (left out). */
export function cfnNagIdsOf(rule: Pick<RuleMeta, "id" | "references">, options: CfnNagViewOptions): string[] {
  if (rule.id === TEMPLATE_INVALID_RULE) return options.ignoreFatal ? [] : [FATAL];
  const ids = rule.references.cfnNag ?? [];
  if (ids.length > 0) return [...ids];
  return options.showsUnmapped(rule.id) ? [rule.id] : [];
}

/**
 * The report as cfn_nag would show it: findings of rules with a cfn_nag id under that id (a rule with
 * two ids shows under both), `template-invalid` as FATAL, other rules left out unless `showsUnmapped`.
 */
export function toCfnNagView(report: Report, templates: readonly string[], options: CfnNagViewOptions): CfnNagView {
  const relabel = (finding: Finding): Finding[] =>
    cfnNagIdsOf({ id: finding.ruleId, references: finding.references }, options).map((id) => ({ ...finding, ruleId: id }));
  const rules = new Map<string, RuleMeta>();
  for (const rule of report.rules) {
    for (const id of cfnNagIdsOf(rule, options)) if (!rules.has(id)) rules.set(id, { ...rule, id });
  }
  return {
    templates,
    report: {
      ...report,
      findings: report.findings.flatMap(relabel),
      suppressed: report.suppressed.flatMap((s): Suppressed[] => relabel(s.finding).map((finding) => ({ ...s, finding }))),
      errors: options.ignoreFatal ? [] : report.errors,
      rules: [...rules.values()],
      filesScanned: templates.length,
    },
  };
}

/** cfn_nag's per-template results: one violation per (template, id), FATAL ones per problem. */
export function cfnNagResults(view: CfnNagView): CfnNagFileResults[] {
  const byFile = new Map<string, { findings: Finding[]; errors: InputError[] }>();
  const entry = (file: string) => {
    let e = byFile.get(file);
    if (!e) byFile.set(file, (e = { findings: [], errors: [] }));
    return e;
  };
  for (const file of view.templates) entry(file);
  for (const finding of view.report.findings) entry(finding.location.file).findings.push(finding);
  for (const error of view.report.errors) entry(error.file).errors.push(error);
  return [...byFile].map(([filename, { findings, errors }]) => {
    const violations = [...errors.map(fatalFromError), ...violationsOf(findings)].sort(compareViolations);
    return { filename, file_results: { failure_count: countResources(violations, "FAIL"), violations } };
  });
}

function fatalFromError(error: InputError): CfnNagViolation {
  return { id: FATAL, type: "FAIL", message: error.message, logical_resource_ids: [], line_numbers: [] };
}

function violationsOf(findings: readonly Finding[]): CfnNagViolation[] {
  const out: CfnNagViolation[] = [];
  const byId = new Map<string, { severity: Severity; resources: Map<string, { line: number | null; messages: string[] }> }>();
  for (const finding of sortFindings(findings)) {
    if (finding.ruleId === FATAL) {
      // A template-invalid problem is not about a resource: each is its own FATAL, saying where it is.
      const { line, column } = finding.location;
      const where = line === undefined ? "" : ` at line ${line}${column === undefined ? "" : ` column ${column}`}`;
      out.push({ id: FATAL, type: "FAIL", message: `${finding.message}${where}`, logical_resource_ids: [], line_numbers: [] });
      continue;
    }
    let group = byId.get(finding.ruleId);
    if (!group) byId.set(finding.ruleId, (group = { severity: finding.severity, resources: new Map() }));
    // Two rules sharing an id (a custom rule naming a cfn_nag id) make one violation, at the graver type.
    if (severityRank(finding.severity) < severityRank(group.severity)) group.severity = finding.severity;
    // Several findings on one resource (two open ingress rules of a group) are one entry, as in cfn_nag.
    let resource = group.resources.get(finding.subject.id);
    if (!resource) group.resources.set(finding.subject.id, (resource = { line: finding.location.line ?? null, messages: [] }));
    resource.messages.push(finding.message || finding.title);
  }
  for (const [id, { severity, resources }] of byId) {
    const ordered = [...resources].sort(([a, ra], [b, rb]) => (ra.line ?? Infinity) - (rb.line ?? Infinity) || compareText(a, b));
    out.push({
      id,
      type: cfnNagType(severity),
      // cfn_nag's message is one text per rule; parapet's findings say what is wrong with each resource,
      // so the violation carries those, one line each.
      message: [...new Set(ordered.flatMap(([, r]) => r.messages))].join("\n"),
      logical_resource_ids: ordered.map(([resource]) => resource),
      line_numbers: ordered.map(([, r]) => r.line),
    });
  }
  return out;
}

/** cfn_nag's count: each resource of a violation of this type, or 1 for a violation without resources. */
export function countResources(violations: readonly CfnNagViolation[], type: CfnNagType): number {
  return violations.filter((v) => v.type === type).reduce((n, v) => n + Math.max(1, v.logical_resource_ids.length), 0);
}

/** FATAL first, then ids in cfn_nag's order (F before W, by number), then parapet ids. */
function compareViolations(a: CfnNagViolation, b: CfnNagViolation): number {
  if ((a.id === FATAL) !== (b.id === FATAL)) return a.id === FATAL ? -1 : 1;
  const ka = CFN_NAG_ID.exec(a.id);
  const kb = CFN_NAG_ID.exec(b.id);
  if (ka && kb) return compareText(ka[1]!, kb[1]!) || Number(ka[2]) - Number(kb[2]) || compareText(a.message, b.message);
  if (ka || kb) return ka ? -1 : 1;
  return compareText(a.id, b.id) || compareText(a.message, b.message);
}

const CFN_NAG_ID = /^([A-Z]+)(\d+)$/;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the scan fails: any FAIL violation, or with `--fail-on-warnings` any violation at all. */
export function cfnNagFails(view: CfnNagView, failOnWarnings: boolean): boolean {
  return cfnNagResults(view).some(({ file_results: r }) => r.violations.some((v) => failOnWarnings || v.type === "FAIL"));
}

/** `--output-format json`: cfn_nag's array of `{filename, file_results}`. */
export function formatCfnNagJson(view: CfnNagView): string {
  return `${JSON.stringify(cfnNagResults(view), null, 2)}\n`;
}

const RULE = "-".repeat(60);
const RED = "\u001b[0;31;49m";
const YELLOW = "\u001b[0;33;49m";
const RESET = "\u001b[0m";

/**
 * `--output-format txt` (and `colortxt` with `color`): cfn_nag's layout, line for line. Per template a
 * rule of 60 dashes, the file name, another rule (which runs on into the first violation's), then per
 * violation its type and id, resources and line numbers as Ruby prints arrays, and the message (one
 * line per resource's finding, where cfn_nag has one fixed text per rule); then
 * the failure and warning counts.
 */
export function formatCfnNagText(view: CfnNagView, options: { color?: boolean } = {}): string {
  const out: string[] = [];
  for (const { filename, file_results } of cfnNagResults(view)) {
    out.push(`${RULE}\n${filename}\n${RULE}`);
    for (const v of file_results.violations) {
      const paint = (line: string) => (options.color ? `${v.type === "FAIL" ? RED : YELLOW}${line}${RESET}` : line);
      const lines = [`| ${v.type} ${v.id}`, "|"];
      if (v.logical_resource_ids.length > 0) lines.push(`| Resources: ${rubyArray(v.logical_resource_ids)}`);
      if (v.line_numbers.length > 0) lines.push(`| Line Numbers: ${rubyArray(v.line_numbers)}`);
      if (v.logical_resource_ids.length > 0 || v.line_numbers.length > 0) lines.push("|");
      // A message of several lines (one per resource) keeps the `| ` margin on each.
      lines.push(...v.message.split("\n").map((line) => `| ${line}`));
      out.push(`${RULE}\n${lines.map(paint).join("\n")}\n`);
    }
    out.push(`\nFailures count: ${file_results.failure_count}\nWarnings count: ${countResources(file_results.violations, "WARN")}\n`);
  }
  return out.join("");
}

/** `["A", "B"]`, `[4, 14]`, `nil` for a missing line: how Ruby's `puts "#{array}"` shows them. */
function rubyArray(values: readonly (string | number | null)[]): string {
  return `[${values.map((v) => (v === null ? "nil" : typeof v === "number" ? String(v) : JSON.stringify(v))).join(", ")}]`;
}
