import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, RuleReferences, Severity, Suppressed } from "../engine/model";
import { sortErrors, sortFindings, sortSuppressed } from "./order";
import { findingFingerprint, isLocalPath, rootRelativePath, type SourceRoot } from "./sourceRoot";
import { summaryLine } from "./summary";
import type { FormatOptions, InputError, Report, RuleMeta } from "./types";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** The base id of paths relative to the repository root, as GitHub's own SARIF examples name it. */
export const SOURCE_ROOT_BASE_ID = "%SRCROOT%";

/** Bumped whenever what the fingerprint covers changes, so consumers never compare unlike values. */
const FINGERPRINT_KEY = "parapetFinding/v2";

type SarifLevel = "error" | "warning" | "note";

export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === "critical" || severity === "high") return "error";
  return severity === "medium" ? "warning" : "note";
}

/**
 * GitHub code scanning ranks security alerts by `security-severity` (a CVSS-like 0.0–10.0 string):
 * ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, otherwise low. Info findings get none.
 */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: undefined,
};

/**
 * SARIF wants URIs. Relative paths stay relative (GitHub resolves them against the repository root);
 * absolute paths become `file://` URIs; `s3://...` and other URIs keep their scheme. Every segment
 * is percent-encoded so spaces and labels such as `<stdin>` stay valid.
 */
export function toArtifactUri(file: string): string {
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(file);
  if (schemeMatch) return `${schemeMatch[1]}://${encodeSegments(schemeMatch[2] ?? "")}`;
  const path = file.replace(/\\/g, "/");
  if (/^[a-zA-Z]:\//.test(path)) return `file:///${path.slice(0, 2)}${encodeSegments(path.slice(2))}`;
  if (path.startsWith("/")) return `file://${encodeSegments(path)}`;
  return encodeSegments(path.replace(/^(\.\/)+/, ""));
}

function encodeSegments(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** `Security group open to the world` → `SecurityGroupOpenToTheWorld` (SARIF `name` is an identifier). */
function ruleName(rule: RuleMeta): string {
  const name = rule.title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
  return name || rule.id;
}

function referenceLines(references: RuleReferences): { label: string; ids: string[] }[] {
  const groups: { label: string; ids: string[] | undefined }[] = [
    { label: "cfn_nag", ids: references.cfnNag },
    { label: "AWS Config", ids: references.awsConfig },
    { label: "Sigma", ids: references.sigma },
    { label: "CIS", ids: references.cis },
  ];
  return groups.filter((g): g is { label: string; ids: string[] } => (g.ids?.length ?? 0) > 0);
}

function helpText(rule: RuleMeta): string {
  const parts = [rule.description, `Remediation: ${rule.remediation}`];
  for (const { label, ids } of referenceLines(rule.references)) parts.push(`${label}: ${ids.join(", ")}`);
  for (const url of rule.references.urls ?? []) parts.push(url);
  return parts.join("\n\n");
}

function helpMarkdown(rule: RuleMeta): string {
  const parts = [`**${rule.title}**`, rule.description, `**Remediation:** ${rule.remediation}`];
  const refs = referenceLines(rule.references).map(({ label, ids }) => `- ${label}: ${ids.map((id) => `\`${id}\``).join(", ")}`);
  for (const url of rule.references.urls ?? []) refs.push(`- <${url}>`);
  if (refs.length > 0) parts.push(`**References**\n\n${refs.join("\n")}`);
  return parts.join("\n\n");
}

function sarifRule(rule: RuleMeta) {
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  const tags = [...new Set(["security", ...(rule.tags ?? []), ...(rule.references.cfnNag ?? []).map((id) => `cfn_nag/${id}`)])];
  return {
    id: rule.id,
    name: ruleName(rule),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description || rule.title },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: {
      tags,
      severity: rule.severity,
      ...(securitySeverity ? { "security-severity": securitySeverity } : {}),
    },
  };
}

/** A rule a finding names but the report did not describe still needs an entry for `ruleIndex`. */
function ruleFromFinding(finding: Finding): RuleMeta {
  return {
    id: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    description: finding.title,
    remediation: "See the rule documentation.",
    references: finding.references,
  };
}

/**
 * A file inside the source root is named relative to it, against `%SRCROOT%` (GitHub resolves such
 * paths against the repository root). A local file outside the root gets an absolute `file://` URI
 * (a base id only qualifies relative references); `s3://...` and labels keep their own form.
 */
function artifactLocation(file: string, root: SourceRoot | undefined): { uri: string; uriBaseId?: string } {
  if (!root || !isLocalPath(file)) return { uri: toArtifactUri(file) };
  const relative = rootRelativePath(file, root)!;
  if (relative === "" || relative === ".." || relative.startsWith("../") || path.isAbsolute(relative)) {
    return { uri: toArtifactUri(path.resolve(root.cwd, file)) };
  }
  return { uri: toArtifactUri(relative), uriBaseId: SOURCE_ROOT_BASE_ID };
}

function physicalLocation(file: string, line: number | undefined, column: number | undefined, root: SourceRoot | undefined) {
  const region =
    line !== undefined && line >= 1
      ? { region: { startLine: line, ...(column !== undefined && column >= 1 ? { startColumn: column } : {}) } }
      : {};
  return { physicalLocation: { artifactLocation: artifactLocation(file, root), ...region } };
}

function sarifResult(finding: Finding, ruleIndex: Map<string, number>, root: SourceRoot | undefined, suppression?: Suppressed) {
  return {
    ruleId: finding.ruleId,
    ruleIndex: ruleIndex.get(finding.ruleId) ?? 0,
    level: sarifLevel(finding.severity),
    message: { text: finding.message || finding.title },
    locations: [
      {
        ...physicalLocation(finding.location.file, finding.location.line, finding.location.column, root),
        logicalLocations: [{ name: finding.subject.id, fullyQualifiedName: `${finding.subject.type}/${finding.subject.id}`, kind: "resource" }],
      },
    ],
    // The baseline's fingerprint (src/report/sourceRoot.ts): the same whichever directory parapet ran in.
    partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(finding, root) },
    ...(suppression
      ? {
          suppressions: [
            {
              // Metadata in the template itself is an in-source suppression; config and baselines are external.
              kind: suppression.origin === "template" ? "inSource" : "external",
              status: "accepted",
              justification: suppression.reason || `suppressed by ${suppression.by}`,
            },
          ],
        }
      : {}),
    properties: {
      severity: finding.severity,
      resourceType: finding.subject.type,
      resourceId: finding.subject.id,
      source: finding.subject.source,
      pointer: finding.location.pointer,
    },
  };
}

function notification(error: InputError, root: SourceRoot | undefined) {
  return {
    level: "error",
    message: { text: error.message },
    locations: [physicalLocation(error.file, error.line, error.column, root)],
  };
}

/**
 * The rules `tool.driver.rules` describes: those with a result (suppressed ones included), or with
 * `allRules` every rule that ran. A finding whose rule the report does not describe still gets one.
 */
function describedRules(report: Report, allRules: boolean): RuleMeta[] {
  const reported = [...report.findings, ...report.suppressed.map((s) => s.finding)];
  const fired = new Set(reported.map((f) => f.ruleId));
  const rulesById = new Map<string, RuleMeta>();
  for (const rule of report.rules) if (allRules || fired.has(rule.id)) rulesById.set(rule.id, rule);
  for (const entry of reported) {
    if (!rulesById.has(entry.ruleId)) rulesById.set(entry.ruleId, ruleFromFinding(entry));
  }
  return [...rulesById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Where `%SRCROOT%` is on this machine (SARIF wants the base of relative references declared; a directory URI ends in `/`). */
function originalUriBaseIds(root: SourceRoot) {
  const href = pathToFileURL(root.dir).href;
  return { [SOURCE_ROOT_BASE_ID]: { uri: href.endsWith("/") ? href : `${href}/`, description: { text: "The repository root." } } };
}

/**
 * SARIF 2.1.0 log with one run: rule metadata as GitHub code scanning displays it, then results.
 * With `options.sourceRoot`, files are named relative to it (see `artifactLocation`).
 */
export function formatSarif(report: Report, options: FormatOptions = {}): string {
  const root = options.sourceRoot;
  const rules = describedRules(report, options.allRules === true);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));

  const results = [
    ...sortFindings(report.findings).map((finding) => sarifResult(finding, ruleIndex, root)),
    ...sortSuppressed(report.suppressed).map((entry) => sarifResult(entry.finding, ruleIndex, root, entry)),
  ];
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(/^\d+\.\d+\.\d+/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            ...(report.tool.informationUri ? { informationUri: report.tool.informationUri } : {}),
            rules: rules.map(sarifRule),
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: sortErrors(report.errors).map((error) => notification(error, root)),
            properties: { summary: summaryLine(report), filesScanned: report.filesScanned, filesSkipped: report.inputs?.skipped ?? 0 },
          },
        ],
        ...(root ? { originalUriBaseIds: originalUriBaseIds(root) } : {}),
        results,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
