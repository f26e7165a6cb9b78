import { severityRank, type Finding, type Suppressed } from "../engine/model";
import type { InputError } from "./types";

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Unknown positions sort after known ones within a file. */
function compareOptionalNumber(a: number | undefined, b: number | undefined): number {
  return (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);
}

/** Total order: file, line, column, severity, rule, resource, pointer, message — reports never depend on engine order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.location.file, b.location.file) ||
    compareOptionalNumber(a.location.line, b.location.line) ||
    compareOptionalNumber(a.location.column, b.location.column) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.subject.id, b.subject.id) ||
    compareText(a.location.pointer, b.location.pointer) ||
    compareText(a.message, b.message)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function sortSuppressed(suppressed: readonly Suppressed[]): Suppressed[] {
  return [...suppressed].sort((a, b) => compareFindings(a.finding, b.finding) || compareText(a.by, b.by));
}

export function sortErrors(errors: readonly InputError[]): InputError[] {
  return [...errors].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      compareOptionalNumber(a.line, b.line) ||
      compareOptionalNumber(a.column, b.column) ||
      compareText(a.message, b.message),
  );
}
