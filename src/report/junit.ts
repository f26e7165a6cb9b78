import type { Finding } from "../engine/model";
import { formatWhere } from "../util/errors";
import { sortErrors, sortFindings, sortSuppressed } from "./order";
import { summaryLine } from "./summary";
import type { InputError, Report } from "./types";

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
 * replaced; the rest is entity-escaped. Valid for attribute values and text alike.
 */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;");
}

/** Parsers normalise raw newlines and tabs in attribute values to spaces; character references survive. */
export function escapeXmlAttribute(text: string): string {
  return escapeXml(text).replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join("");
}

interface Case {
  name: string;
  classname: string;
  file: string;
  line?: number;
  outcome: { kind: "failure" | "error" | "skipped"; type?: string; message: string; body?: string } | { kind: "passed" };
}

function caseName(finding: Finding): string {
  return `${finding.ruleId} ${finding.subject.id}`;
}

function findingBody(finding: Finding): string {
  const lines = [
    `${formatWhere(finding.location.file, finding.location.line, finding.location.column)}  ${finding.severity}  ${finding.ruleId}`,
    finding.message,
    `resource: ${finding.subject.type} ${finding.subject.id}`,
  ];
  if (finding.location.pointer) lines.push(`pointer: ${finding.location.pointer}`);
  if (finding.references.cfnNag?.length) lines.push(`cfn_nag: ${finding.references.cfnNag.join(", ")}`);
  for (const e of finding.evidence) lines.push(`evidence: ${e.path} ${e.op} ${safeJson(e.actual)}`);
  return lines.join("\n");
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function errorCase(error: InputError): Case {
  return {
    name: "input could not be processed",
    classname: error.file,
    file: error.file,
    line: error.line,
    outcome: { kind: "error", type: "InputError", message: error.message, body: formatWhere(error.file, error.line, error.column) },
  };
}

function renderCase(c: Case): string {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname, file: c.file, line: c.line, time: "0" })}`;
  if (c.outcome.kind === "passed") return `${head}/>`;
  const { kind, type, message, body } = c.outcome;
  const inner = `<${kind}${attrs({ message, type })}${body === undefined ? "/>" : `>${escapeXml(body)}</${kind}>`}`;
  return `${head}>\n      ${inner}\n    </testcase>`;
}

/**
 * JUnit XML with one `<testsuite>` per file. Jenkins, GitLab and Azure DevOps all group by suite /
 * classname, and a developer fixes findings file by file; a suite per rule would instead list every
 * rule of the pack, mostly empty. Findings are failures (`type` = severity), unprocessable inputs are
 * errors, suppressed findings are skipped. A clean run still has one passing test case: several CI
 * systems treat a report without tests as a broken report.
 */
export function formatJunit(report: Report): string {
  const byFile = new Map<string, Case[]>();
  const add = (c: Case) => {
    const list = byFile.get(c.file) ?? [];
    list.push(c);
    byFile.set(c.file, list);
  };
  for (const finding of sortFindings(report.findings)) {
    add({
      name: caseName(finding),
      classname: finding.location.file,
      file: finding.location.file,
      line: finding.location.line,
      outcome: { kind: "failure", type: finding.severity, message: `${finding.ruleId}: ${finding.message}`, body: findingBody(finding) },
    });
  }
  for (const error of sortErrors(report.errors)) add(errorCase(error));
  for (const { finding, by, reason } of sortSuppressed(report.suppressed)) {
    add({
      name: caseName(finding),
      classname: finding.location.file,
      file: finding.location.file,
      line: finding.location.line,
      outcome: { kind: "skipped", message: `suppressed by ${by}${reason ? `: ${reason}` : ""}` },
    });
  }
  if (byFile.size === 0) {
    byFile.set(report.tool.name, [
      { name: summaryLine(report), classname: report.tool.name, file: report.tool.name, outcome: { kind: "passed" } },
    ]);
  }

  const files = [...byFile.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const count = (cases: Case[], kind: string) => cases.filter((c) => c.outcome.kind === kind).length;
  const all = [...byFile.values()].flat();
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    // JUnit has no place for a run's summary (skipped files are not tests); a comment keeps it for people.
    `<!-- ${summaryLine(report).replace(/--/g, "- -")} -->`,
    `<testsuites${attrs({ name: report.tool.name, tests: all.length, failures: count(all, "failure"), errors: count(all, "error"), skipped: count(all, "skipped"), time: "0" })}>`,
  ];
  files.forEach((file, id) => {
    const cases = byFile.get(file) ?? [];
    out.push(
      `  <testsuite${attrs({ name: file, id, tests: cases.length, failures: count(cases, "failure"), errors: count(cases, "error"), skipped: count(cases, "skipped"), time: "0" })}>`,
    );
    for (const c of cases) out.push(renderCase(c));
    out.push(`  </testsuite>`);
  });
  out.push(`</testsuites>`);
  return `${out.join("\n")}\n`;
}
