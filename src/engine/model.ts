/**
 * The shared vocabulary of parapet. Every source adapter produces `Subject`s; the engine turns
 * subjects into `Finding`s; reports and alerts consume findings. Nothing here knows about a
 * particular source's raw format.
 */

export const SOURCE_KINDS = ["template", "cloudtrail", "flowlog"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One scale for every output: cfn_nag FAIL/WARN, SARIF levels and OpsGenie P1–P5 all derive from it. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANKS: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Lower rank = more severe. */
export function severityRank(severity: Severity): number {
  return RANKS[severity];
}

/** True when `severity` is at least as severe as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

/**
 * Where a subject came from. `pointer` is an RFC 6901 JSON pointer into the original document
 * (template, CloudTrail file, flow-log file); line/column are 1-based and filled in by the adapter
 * that still holds the parsed document (see `src/parse/positions.ts`).
 */
export interface Location {
  /** File path, `s3://bucket/key`, or a label such as `<stdin>` or `kinesis:<shard>`. */
  file: string;
  pointer: string;
  line?: number;
  column?: number;
}

/** Facts about the CloudTrail event a subject was derived from. */
export interface EventContext {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  awsRegion: string;
  accountId: string;
  /** ARN (or best identity string) of the caller. */
  actor: string;
  actorType: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  mfaAuthenticated?: boolean;
  /** Small, redacted excerpt of requestParameters for alert descriptions. */
  requestExcerpt?: string;
}

/** Facts about the template a subject was derived from. */
export interface TemplateContext {
  /** Logical id of the resource this subject came from (may differ from subject id for derived subjects). */
  logicalId: string;
  resourceType: string;
  /** Declared parameters (NoEcho / Default) — password rules need them. */
  parameters?: Record<string, { NoEcho?: unknown; Default?: unknown; Type?: unknown }>;
  metadata?: unknown;
}

/** Facts about the flow (window, interface) a subject was observed in. */
export interface FlowContext {
  interfaceId?: string;
  accountId?: string;
  region?: string;
  start?: number;
  end?: number;
  action?: string;
  logStatus?: string;
  /**
   * What was observed, without its time, when the subject id does not say it alone (observed ingress:
   * group, protocol, port and source; a flow: its conversation). Alert identity uses it instead of the id.
   */
  observation?: string;
}

export interface SubjectContextMap {
  template: { template?: TemplateContext };
  cloudtrail: { event?: EventContext };
  flowlog: { flow?: FlowContext };
}

/** A suppression attached to a subject by its source (e.g. cfn_nag resource metadata). */
export interface SubjectSuppression {
  /** parapet rule id or any id in the rule's references (e.g. cfn_nag `W2`). */
  rule: string;
  reason?: string;
  /** Where the suppression was declared (`file:line:column`), for reporting unknown ids / missing reasons. */
  origin?: string;
  location?: Location;
}

interface SubjectBase<S extends SourceKind> {
  /** CloudFormation resource type, or a `Parapet::...` type for things no CloudFormation schema has. */
  type: string;
  /** Logical id, physical resource id or ARN. */
  id: string;
  /** CloudFormation-shaped properties. */
  properties: Record<string, unknown>;
  source: S;
  context: SubjectContextMap[S];
  location: Location;
  suppressions?: SubjectSuppression[];
}

/** A subject: the unit rules evaluate. Discriminated by `source`, so context is always the right kind. */
export type Subject = { [S in SourceKind]: SubjectBase<S> }[SourceKind];
export type SubjectOf<S extends SourceKind> = SubjectBase<S>;

export interface Evidence {
  /** Selector that was evaluated. */
  path: string;
  /** Operator that decided. */
  op: string;
  /** Values the selector returned (bounded, see engine/evidence.ts). */
  actual: unknown;
  expected?: unknown;
}

export interface RuleReferences {
  cfnNag?: string[];
  awsConfig?: string[];
  sigma?: string[];
  cis?: string[];
  urls?: string[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  subject: { type: string; id: string; source: SourceKind };
  location: Location;
  evidence: Evidence[];
  references: RuleReferences;
  /** Copied from the subject so reports and alerts need not keep subjects around. */
  event?: EventContext;
  flow?: FlowContext;
}

export interface Suppressed {
  finding: Finding;
  reason: string;
  /**
   * Where the suppression was declared: in the template itself (resource metadata: SARIF's "inSource"),
   * or outside it (a configuration exception, a baseline).
   */
  origin: "template" | "configuration" | "baseline";
  /** Which declaration, for people: `file:line:col` of the metadata, `config exception #n`, `baseline FILE`. */
  by: string;
}
