import { createHash } from "node:crypto";
import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import type { Finding, Severity } from "../engine/model";
import { OPSGENIE, SNS_MAX_ATTRIBUTES, SNS_MAX_MESSAGE_BYTES, SNS_SUBJECT_MAX } from "./limits";
import { printableAscii, truncate, withoutControls } from "./text";

export type Priority = "P1" | "P2" | "P3" | "P4" | "P5";

export const PRIORITY_BY_SEVERITY: Readonly<Record<Severity, Priority>> = {
  critical: "P1",
  high: "P2",
  medium: "P3",
  low: "P4",
  info: "P5",
};

/** The JSON body of the SNS message: OpsGenie alert fields, readable by any other subscriber too. */
export interface OpsGenieAlert {
  message: string;
  alias: string;
  description: string;
  priority: Priority;
  tags: string[];
  entity: string;
  source: string;
  details: Record<string, string>;
}

/** One SNS message, ready for Publish / PublishBatch. */
export interface SnsAlert {
  /** OpsGenie dedup key; also the key the publisher deduplicates on. */
  alias: string;
  /** Printable ASCII, one line, < 100 characters. */
  subject: string;
  /** `JSON.stringify(OpsGenieAlert)`. */
  message: string;
  /** For subscription filter policies (severity, ruleId, source, ...). */
  messageAttributes: Record<string, MessageAttributeValue>;
  /** Hex digest of the finding identity (≤ 128 chars), usable as a FIFO `MessageDeduplicationId`. */
  deduplicationId: string;
}

export interface AlertOptions {
  /** OpsGenie `source` and the `source` message attribute. Default `parapet`. */
  source?: string;
  /** Extra tags (environment, team) added after the built-in ones. */
  tags?: string[];
  /** Upper bound for subject + message + attributes in bytes. Default 64 KiB, a quarter of SNS's limit so a batch holds several. */
  maxMessageBytes?: number;
}

const DEFAULT_MAX_MESSAGE_BYTES = 65_536;
/** Per-item caps inside the description, so one huge value cannot crowd out the rest. */
const EXCERPT_MAX = 2_000;
const EVIDENCE_VALUE_MAX = 1_000;
const DETAIL_VALUE_MAX = 500;

/**
 * What makes two findings "the same" for alerting. CloudTrail: the rule, the resource and the event
 * id (a redelivered file, or the same event via EventBridge, maps to the same alias; a new event is a
 * new alert). Flow logs: rule and what was observed in its account/region, without the time, so the
 * same thing seen again in later windows or files is one open alert whose count rises: an untagged
 * instance is its instance id; an observed-ingress subject's id is only its security group, so its
 * `observation` (group, protocol, port and source) keeps SSH and ICMP into one group apart; a flow's
 * observation is its conversation (interface, protocol, client, server, port, action — its id adds
 * the start). Templates:
 * rule, resource and file.
 */
export function findingIdentity(finding: Finding): string[] {
  const base = [finding.ruleId, finding.subject.type, finding.subject.id];
  if (finding.event) return [...base, "event", finding.event.accountId, finding.event.awsRegion, finding.event.eventId];
  if (finding.subject.source === "flowlog") {
    const observed = finding.flow?.observation;
    const what = observed === undefined ? base : [finding.ruleId, finding.subject.type, observed];
    return [...what, "flow", finding.flow?.accountId ?? "", finding.flow?.region ?? ""];
  }
  if (finding.subject.source === "template") return [...base, "template", finding.location.file];
  return [...base, "location", finding.location.file, finding.location.pointer];
}

export function identityHash(finding: Finding): string {
  return createHash("sha256").update(JSON.stringify(findingIdentity(finding))).digest("hex");
}

/** `parapet-<rule id>-<sha256 of the identity>`: readable in OpsGenie, deterministic, ≤ 512 characters. */
export function alertAlias(finding: Finding, hash = identityHash(finding)): string {
  const rule = truncate(finding.ruleId.replace(/[^A-Za-z0-9._-]/g, "_"), 100, "");
  return truncate(`parapet-${rule}-${hash}`, OPSGENIE.alias, "");
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * CloudTrail console event-history link for one event, in the event's own region and partition.
 * The region comes from an untrusted record: anything that is not region-shaped gets no link.
 */
export function cloudTrailEventUrl(region: string, eventId: string): string | undefined {
  if (!REGION.test(region) || eventId === "") return undefined;
  const host = region.startsWith("cn-")
    ? "console.amazonaws.cn"
    : region.startsWith("us-gov-")
      ? "console.amazonaws-us-gov.com"
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudtrail/home?region=${region}#/events/${encodeURIComponent(eventId)}`;
}

function jsonExcerpt(value: unknown, max: number): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return truncate(withoutControls(text), max);
}

function eventLines(finding: Finding): string[] {
  const e = finding.event;
  if (!e) return [];
  const lines = [
    "Event:",
    `  ${e.eventSource} ${e.eventName} at ${e.eventTime}`,
    `  Actor: ${e.actor} (${e.actorType})${e.mfaAuthenticated === undefined ? "" : e.mfaAuthenticated ? ", MFA" : ", no MFA"}`,
    `  Account: ${e.accountId}  Region: ${e.awsRegion}`,
    `  Event id: ${e.eventId}`,
  ];
  if (e.sourceIPAddress) lines.push(`  Source IP: ${e.sourceIPAddress}`);
  if (e.userAgent) lines.push(`  User agent: ${truncate(e.userAgent, 300)}`);
  if (e.errorCode) lines.push(`  Error: ${e.errorCode}${e.errorMessage ? `: ${truncate(e.errorMessage, 500)}` : ""}`);
  const url = cloudTrailEventUrl(e.awsRegion, e.eventId);
  if (url) lines.push(`  Console: ${url}`);
  if (e.requestExcerpt) lines.push(`  Request: ${truncate(e.requestExcerpt, EXCERPT_MAX)}`);
  return lines;
}

function flowLines(finding: Finding): string[] {
  const f = finding.flow;
  if (!f) return [];
  const time = (seconds: number | undefined) => (seconds === undefined ? "?" : new Date(seconds * 1000).toISOString());
  const lines = ["Flow:"];
  if (f.interfaceId) lines.push(`  Interface: ${f.interfaceId}`);
  if (f.accountId || f.region) lines.push(`  Account: ${f.accountId ?? "?"}  Region: ${f.region ?? "?"}`);
  if (f.start !== undefined || f.end !== undefined) lines.push(`  Window: ${time(f.start)} – ${time(f.end)}`);
  if (f.action) lines.push(`  Action: ${f.action}`);
  return lines;
}

function descriptionText(finding: Finding): string {
  const { location } = finding;
  const where = [location.file, location.line, location.column].filter((part) => part !== undefined).join(":");
  const lines = [
    finding.message,
    "",
    `Rule: ${finding.ruleId} — ${finding.title} (${finding.severity})`,
    `Resource: ${finding.subject.type} ${finding.subject.id}`,
    `Found in: ${finding.subject.source} ${where}${location.pointer ? ` (${location.pointer})` : ""}`,
  ];
  const sections = [eventLines(finding), flowLines(finding)];
  if (finding.evidence.length > 0) {
    sections.push([
      "Evidence:",
      ...finding.evidence.map(
        (e) =>
          `  ${e.path} ${e.op} ${jsonExcerpt(e.actual, EVIDENCE_VALUE_MAX)}${e.expected === undefined ? "" : ` (expected ${jsonExcerpt(e.expected, EVIDENCE_VALUE_MAX)})`}`,
      ),
    ]);
  }
  const refs = Object.entries(finding.references).filter(([, ids]) => Array.isArray(ids) && ids.length > 0);
  if (refs.length > 0) sections.push(["References:", ...refs.map(([kind, ids]) => `  ${kind}: ${(ids as string[]).join(", ")}`)]);
  for (const section of sections) if (section.length > 0) lines.push("", ...section);
  return withoutControls(lines.join("\n"));
}

function detailsMap(finding: Finding): Record<string, string> {
  const e = finding.event;
  const entries: [string, string | undefined][] = [
    ["ruleId", finding.ruleId],
    ["severity", finding.severity],
    ["resourceType", finding.subject.type],
    ["resourceId", finding.subject.id],
    ["subjectSource", finding.subject.source],
    ["eventId", e?.eventId],
    ["eventName", e?.eventName],
    ["eventSource", e?.eventSource],
    ["eventTime", e?.eventTime],
    ["actor", e?.actor],
    ["accountId", e?.accountId ?? finding.flow?.accountId],
    ["region", e?.awsRegion ?? finding.flow?.region],
    ["sourceIPAddress", e?.sourceIPAddress],
    ["errorCode", e?.errorCode],
    ["consoleUrl", e ? cloudTrailEventUrl(e.awsRegion, e.eventId) : undefined],
    ["interfaceId", finding.flow?.interfaceId],
    ["file", finding.location.file],
    ["line", finding.location.line?.toString()],
    ["pointer", finding.location.pointer],
    ["cfnNag", finding.references.cfnNag?.join(",")],
    ["sigma", finding.references.sigma?.join(",")],
    ["awsConfig", finding.references.awsConfig?.join(",")],
  ];
  const details: Record<string, string> = {};
  let used = 0;
  for (const [key, raw] of entries) {
    if (raw === undefined || raw === "") continue;
    const value = truncate(withoutControls(raw), DETAIL_VALUE_MAX);
    // Later entries are dropped rather than the map exceeding OpsGenie's total.
    if (used + key.length + value.length > OPSGENIE.details) break;
    details[key] = value;
    used += key.length + value.length;
  }
  return details;
}

/** OpsGenie tags: ≤ 20, each ≤ 50 characters, no separators that templating would split on. */
function tagList(finding: Finding, extra: readonly string[]): string[] {
  const candidates = [
    "parapet",
    `severity:${finding.severity}`,
    `rule:${finding.ruleId}`,
    `source:${finding.subject.source}`,
    finding.event ? `account:${finding.event.accountId}` : finding.flow?.accountId ? `account:${finding.flow.accountId}` : undefined,
    finding.event ? `region:${finding.event.awsRegion}` : finding.flow?.region ? `region:${finding.flow.region}` : undefined,
    ...(finding.references.cfnNag ?? []).map((id) => `cfn_nag:${id}`),
    ...extra,
  ];
  const tags: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const tag = truncate(printableAscii(candidate).replace(/[\s,]+/g, "_"), OPSGENIE.tag, "");
    if (tag && !tags.includes(tag)) tags.push(tag);
    if (tags.length === OPSGENIE.tags) break;
  }
  return tags;
}

function attribute(value: string | undefined): MessageAttributeValue | undefined {
  const text = value === undefined ? "" : truncate(printableAscii(value), 256, "");
  return text ? { DataType: "String", StringValue: text } : undefined;
}

function messageAttributes(finding: Finding, source: string): Record<string, MessageAttributeValue> {
  const candidates: [string, MessageAttributeValue | undefined][] = [
    ["severity", attribute(finding.severity)],
    ["priority", attribute(PRIORITY_BY_SEVERITY[finding.severity])],
    ["ruleId", attribute(finding.ruleId)],
    ["source", attribute(source)],
    ["subjectSource", attribute(finding.subject.source)],
    ["resourceType", attribute(finding.subject.type)],
    ["accountId", attribute(finding.event?.accountId ?? finding.flow?.accountId)],
    ["region", attribute(finding.event?.awsRegion ?? finding.flow?.region)],
  ];
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of candidates.slice(0, SNS_MAX_ATTRIBUTES)) if (value) out[name] = value;
  return out;
}

/** Bytes SNS counts for one message: body, subject and every attribute's name, type and value. */
export function snsMessageBytes(alert: Pick<SnsAlert, "subject" | "message" | "messageAttributes">): number {
  let bytes = Buffer.byteLength(alert.message) + Buffer.byteLength(alert.subject);
  for (const [name, value] of Object.entries(alert.messageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? "");
  }
  return bytes;
}

function subjectLine(finding: Finding): string {
  return truncate(printableAscii(`[${finding.severity.toUpperCase()}] ${finding.title}: ${finding.subject.id}`), SNS_SUBJECT_MAX, "...");
}

/**
 * A finding as an SNS message shaped for OpsGenie's SNS integration. Pure and deterministic: the same
 * finding always yields the same alias and the same bytes. Every OpsGenie field limit holds, and the
 * message is shrunk (description first, then details) until it fits `maxMessageBytes`.
 */
export function findingToAlert(finding: Finding, options: AlertOptions = {}): SnsAlert {
  return buildAlert(finding, prepare(options));
}

export function findingsToAlerts(findings: readonly Finding[], options: AlertOptions = {}): SnsAlert[] {
  const prepared = prepare(options);
  return findings.map((finding) => buildAlert(finding, prepared));
}

interface PreparedOptions {
  source: string;
  tags: readonly string[];
  maxBytes: number;
}

/** What is the same for every alert of a call, worked out once. */
function prepare(options: AlertOptions): PreparedOptions {
  return {
    source: truncate(printableAscii(options.source ?? "parapet"), OPSGENIE.source, "") || "parapet",
    tags: options.tags ?? [],
    maxBytes: Math.min(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, SNS_MAX_MESSAGE_BYTES),
  };
}

function buildAlert(finding: Finding, { source, tags, maxBytes }: PreparedOptions): SnsAlert {
  const hash = identityHash(finding);
  const alias = alertAlias(finding, hash);
  const body: OpsGenieAlert = {
    message: truncate(withoutControls(`${finding.title}: ${finding.subject.id}`).replace(/\s+/g, " ").trim(), OPSGENIE.message),
    alias,
    description: "",
    priority: PRIORITY_BY_SEVERITY[finding.severity],
    tags: tagList(finding, tags),
    entity: truncate(withoutControls(finding.subject.id), OPSGENIE.entity),
    source,
    details: detailsMap(finding),
  };
  const alert: SnsAlert = {
    alias,
    subject: subjectLine(finding),
    message: "",
    messageAttributes: messageAttributes(finding, source),
    deduplicationId: hash,
  };

  const fullDescription = descriptionText(finding);
  let budget: number = OPSGENIE.description;
  for (;;) {
    body.description = truncate(fullDescription, budget, "\n… (truncated)");
    alert.message = JSON.stringify(body);
    if (snsMessageBytes(alert) <= maxBytes) return alert;
    if (budget > 0) {
      budget = Math.floor(budget / 2);
    } else if (Object.keys(body.details).length > 0) {
      body.details = {};
    } else {
      // Only a tiny maxMessageBytes gets here: subject, tags and message alone exceed it.
      throw new RangeError(`alert for ${finding.ruleId} cannot fit in ${maxBytes} bytes`);
    }
  }
}

