import type { RuleReferences, Severity, SourceKind } from "./model";

/** A value taken from configuration at compile time: `{ $config: "network.allowedPublicPorts" }`. */
export interface ConfigRef {
  $config: string;
}

export type Quantifier = "any" | "all" | "none";

/** selector + operator + value. */
export interface Check {
  path: string;
  op: string;
  value?: unknown;
  /** How the operator's results over the selected values combine (value operators only). Default `any`. */
  match?: Quantifier;
}

/**
 * A join: does a related subject exist? `on` is a selector in the related subject that references
 * this subject (a BucketPolicy's `properties.Bucket`); `from` is a selector in this subject that
 * references the related one (a Function's `properties.Role`). With both, the two subjects are
 * related when their values name the same thing (a Deployment's `properties.StageName` and a
 * UsagePlan's `properties.ApiStages[*].Stage`: the same literal, or a `Ref` to the same parameter).
 */
export interface RelatedCheck {
  related: { type: string; on?: string; from?: string; where?: Condition };
  /** true (default): at least one related subject satisfies `where`; false: none does. */
  exists?: boolean;
}

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | RelatedCheck | Check;

/** A subject written in a rule test case; missing fields are filled from the rule. */
export interface CaseSubject {
  type?: string;
  id?: string;
  source?: SourceKind;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export interface RuleTestCase {
  name?: string;
  /** Exactly one input: a subject, a CloudFormation template, or a CloudTrail record. */
  subject?: CaseSubject;
  template?: unknown;
  record?: unknown;
  /** Other subjects present in the same evaluation (for related checks). */
  related?: CaseSubject[];
  /** Configuration overrides for this case. */
  config?: Record<string, unknown>;
  /** Fail cases: the id of the subject the finding must be about (template cases: the logical id). */
  resource?: string;
  /** Fail cases: a substring the finding's message must contain. */
  message?: string;
}

export interface RuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  references?: RuleReferences;
  tags?: string[];
  /** Subject types the rule applies to (`*` for all), or a configuration list of them. */
  types: string[] | ConfigRef;
  sources?: SourceKind[];
  /** Scope: the rule applies only to subjects for which this holds. */
  when?: Condition;
  /** Exactly one of `match` (a finding when it holds) and `assert` (a finding when it does not). */
  match?: Condition;
  assert?: Condition;
  /** Message template; `{{path}}` quotes a subject field, `{{explain}}` what the operators found. */
  message: string;
  /** Why this rule knowingly differs from the tool it mirrors (e.g. a cfn_nag false positive). */
  deviation?: string;
  tests: { pass: RuleTestCase[]; fail: RuleTestCase[] };
}
