import type { Finding, Suppressed } from "../engine/model";
import { canonical } from "./canonical";
import { sortErrors, sortFindings, sortSuppressed } from "./order";
import { countBySeverity } from "./summary";
import type { Report } from "./types";

/** Bump when a field is renamed or removed; adding fields keeps the version. */
export const JSON_REPORT_VERSION = 1;

/** One finding, keys in a fixed order. `null` (not absence) marks an unknown line/column. */
function findingJson(finding: Finding) {
  return {
    ruleId: finding.ruleId,
    cfnNag: finding.references.cfnNag ?? [],
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    // cfn_nag reports template findings by logical resource id; other sources have physical ids.
    logicalResourceId: finding.subject.source === "template" ? finding.subject.id : null,
    resource: { type: finding.subject.type, id: finding.subject.id, source: finding.subject.source },
    file: finding.location.file,
    line: finding.location.line ?? null,
    column: finding.location.column ?? null,
    pointer: finding.location.pointer,
    evidence: finding.evidence.map((e) => ({
      path: e.path,
      op: e.op,
      actual: canonical(e.actual),
      ...(e.expected === undefined ? {} : { expected: canonical(e.expected) }),
    })),
    references: canonical(finding.references),
    ...(finding.event ? { event: canonical(finding.event) } : {}),
    ...(finding.flow ? { flow: canonical(finding.flow) } : {}),
  };
}

function suppressedJson(entry: Suppressed) {
  return { ...findingJson(entry.finding), suppression: { origin: entry.origin, by: entry.by, reason: entry.reason } };
}

/** Machine-readable report: stable key order and sorted arrays, so two runs diff cleanly. */
export function formatJson(report: Report): string {
  const document = {
    version: JSON_REPORT_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    summary: {
      findings: report.findings.length,
      bySeverity: countBySeverity(report.findings),
      suppressed: report.suppressed.length,
      errors: report.errors.length,
      filesScanned: report.filesScanned,
      // Files found but not inputs of this kind (lint: YAML/JSON that is not a template).
      filesSkipped: report.inputs?.skipped ?? 0,
    },
    findings: sortFindings(report.findings).map(findingJson),
    suppressed: sortSuppressed(report.suppressed).map(suppressedJson),
    errors: sortErrors(report.errors).map((e) => ({
      file: e.file,
      line: e.line ?? null,
      column: e.column ?? null,
      message: e.message,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
