import type { Config } from "./config";
import { compileCondition, RuleCompileError, type CompiledCondition, type EvalContext, type TraceEntry } from "./compiler";
import { isConfigRef, resolveConfigRef } from "./compiler";
import { UserError } from "../util/errors";
import { ExceptionMatcher } from "./exceptions";
import { compileMessage, type MessageRenderer } from "./message";
import { atLeast, type Finding, type Severity, type SourceKind, type Subject, type Suppressed } from "./model";
import { RelationIndex } from "./relations";
import type { RuleDefinition } from "./rule";
import type { Operator } from "./operators/types";

export interface CompiledRule {
  readonly definition: RuleDefinition;
  readonly id: string;
  /** The rule's id plus the ids it corresponds to (cfn_nag `W2`, ...): what suppressions may name. */
  readonly aliases: readonly string[];
  readonly severity: Severity;
  readonly types: readonly string[];
  readonly sources: ReadonlySet<SourceKind> | undefined;
  /** Where the rule was loaded from. */
  readonly file: string;
  readonly applies: (subject: Subject, ctx: EvalContext) => boolean;
  /** True when the subject violates the rule. */
  readonly violates: (subject: Subject, ctx: EvalContext, trace?: TraceEntry[]) => boolean;
  readonly message: MessageRenderer;
}

export interface EvaluationResult {
  findings: Finding[];
  suppressed: Suppressed[];
}

export interface RuleSetOptions {
  config: Config;
  fastPath?: boolean;
  operators?: ReadonlyMap<string, Operator>;
  /**
   * Build a rule's closures when a subject of its types first reaches it, not at load: a Lambda
   * function or a lint run meets a few of the 200 rules' types, so the rest never cost anything at
   * start-up. `$config` references are still checked at load. Off (eager) by default.
   */
  lazy?: boolean;
}

/** A rule mistake found while building closures late, reported like one found at load. */
export class LateRuleError extends UserError {
  constructor(file: string, err: RuleCompileError) {
    super(`${file}: ${err.pointer.slice(1).replace(/\//g, ".")}: ${err.message}`);
    this.name = "LateRuleError";
  }
}

interface RuleBody {
  applies: CompiledRule["applies"];
  violates: CompiledRule["violates"];
  message: MessageRenderer;
}

/** Compiles one validated rule definition; errors carry a pointer into the rule document. */
export function compileRule(definition: RuleDefinition, file: string, options: RuleSetOptions): CompiledRule {
  const compileOptions = { config: options.config, fastPath: options.fastPath ?? true, operators: options.operators };
  const types = resolveConfigRef(definition.types, options.config, "/types");
  if (!Array.isArray(types) || !types.every((t) => typeof t === "string")) {
    throw new RuleCompileError("types must resolve to a list of resource types", "/types");
  }
  const sources = definition.sources ? new Set(definition.sources) : undefined;
  const severity = options.config.rules.severity[definition.id] ?? definition.severity;

  const build = (): RuleBody => {
    const when = definition.when ? compileCondition(definition.when, "/when", compileOptions) : undefined;
    const isAssert = definition.assert !== undefined;
    const body: CompiledCondition = isAssert
      ? compileCondition(definition.assert!, "/assert", compileOptions)
      : compileCondition(definition.match!, "/match", compileOptions);
    return {
      applies: (s, ctx) => (!sources || sources.has(s.source)) && (!when || when(s, ctx)),
      violates: isAssert ? (s, ctx, trace) => !body(s, ctx, trace, true) : (s, ctx, trace) => body(s, ctx, trace, false),
      message: compileMessage(definition.message),
    };
  };

  let built: RuleBody | undefined;
  if (options.lazy) checkConfigRefs(definition, options.config);
  else built = build();
  const ensure = (): RuleBody => {
    if (!built) {
      try {
        built = build();
      } catch (err) {
        throw err instanceof RuleCompileError ? new LateRuleError(file, err) : err;
      }
    }
    return built;
  };
  return {
    definition,
    id: definition.id,
    aliases: [definition.id, ...(definition.references?.cfnNag ?? [])],
    severity,
    types,
    sources,
    file,
    applies: (s, ctx) => ensure().applies(s, ctx),
    violates: (s, ctx, trace) => ensure().violates(s, ctx, trace),
    message: (s, explanations) => ensure().message(s, explanations),
  };
}

/** Every `$config` reference of a rule names a configured value (checked at load, also when lazy). */
function checkConfigRefs(definition: RuleDefinition, config: Config): void {
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, `${pointer}/${i}`));
    else if (node !== null && typeof node === "object") {
      if (isConfigRef(node)) resolveConfigRef(node, config, pointer);
      else for (const [key, child] of Object.entries(node)) visit(child, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    }
  };
  for (const key of ["when", "match", "assert"] as const) if (definition[key]) visit(definition[key], `/${key}`);
}

/**
 * A compiled rule set: rules indexed by subject type, evaluated as a pure function of subjects.
 * Exceptions, subject suppressions and the severity threshold are applied here, never in rules.
 */
export class RuleSet {
  private readonly byType = new Map<string, CompiledRule[]>();
  private readonly anyType: CompiledRule[] = [];
  private readonly exceptions: ExceptionMatcher;
  private readonly byAlias = new Map<string, CompiledRule[]>();

  constructor(
    readonly rules: readonly CompiledRule[],
    readonly config: Config,
    /** Which rules run; the others stay known by name (suppressions naming them are valid). */
    private readonly runs: (rule: CompiledRule) => boolean = () => true,
  ) {
    const disabled = new Set(config.rules.disabled);
    for (const rule of rules) {
      for (const alias of rule.aliases) {
        const list = this.byAlias.get(alias) ?? [];
        list.push(rule);
        this.byAlias.set(alias, list);
      }
      if (rule.aliases.some((a) => disabled.has(a)) || !runs(rule)) continue;
      for (const type of rule.types) {
        if (type === "*") {
          this.anyType.push(rule);
          continue;
        }
        const list = this.byType.get(type) ?? [];
        list.push(rule);
        this.byType.set(type, list);
      }
    }
    this.exceptions = new ExceptionMatcher(config.exceptions);
  }

  /** The same rule set running only the rules `keep` accepts (a profile, a deny list). */
  restrictedTo(keep: (rule: CompiledRule) => boolean): RuleSet {
    return new RuleSet(this.rules, this.config, (rule) => this.runs(rule) && keep(rule));
  }

  /** Rules known by an id or alias (cfn_nag id), for suppression validation. */
  rulesNamed(idOrAlias: string): readonly CompiledRule[] {
    return this.byAlias.get(idOrAlias) ?? [];
  }

  /** The rules that may apply to a subject type. */
  rulesFor(type: string): readonly CompiledRule[] {
    const typed = this.byType.get(type);
    if (!typed) return this.anyType;
    return this.anyType.length ? [...typed, ...this.anyType] : typed;
  }


  evaluate(subjects: readonly Subject[]): EvaluationResult {
    const ctx: EvalContext = { relations: new RelationIndex(subjects) };
    const findings: Finding[] = [];
    const suppressed: Suppressed[] = [];
    const threshold = this.config.minSeverity;
    for (const subject of subjects) {
      const rules = this.rulesFor(subject.type);
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]!;
        if (!atLeast(rule.severity, threshold)) continue;
        if (!rule.applies(subject, ctx) || !rule.violates(subject, ctx)) continue;
        const finding = this.explain(rule, subject, ctx);
        const bySubject = subject.suppressions?.find((sup) => rule.aliases.includes(sup.rule));
        if (bySubject) {
          suppressed.push({ finding, reason: bySubject.reason ?? "(no reason given)", origin: "template", by: bySubject.origin ?? "resource metadata" });
          continue;
        }
        const byConfig = this.exceptions.match(finding, subject, rule.aliases);
        if (byConfig) {
          suppressed.push({ finding, ...byConfig });
          continue;
        }
        findings.push(finding);
      }
    }
    return { findings, suppressed };
  }

  /** Re-runs the rule with a trace to collect evidence: only for the (rare) subjects that violate. */
  private explain(rule: CompiledRule, subject: Subject, ctx: EvalContext): Finding {
    const trace: TraceEntry[] = [];
    rule.violates(subject, ctx, trace);
    const deciding = trace.filter((t) => t.supports);
    const finding: Finding = {
      ruleId: rule.id,
      severity: rule.severity,
      title: rule.definition.title,
      message: rule.message(
        subject,
        deciding.map((t) => t.explain ?? ""),
      ),
      subject: { type: subject.type, id: subject.id, source: subject.source },
      location: subject.location,
      evidence: deciding.map(({ path, op, actual, expected }) => (expected === undefined ? { path, op, actual } : { path, op, actual, expected })),
      references: rule.definition.references ?? {},
    };
    if (subject.source === "cloudtrail" && subject.context.event) finding.event = subject.context.event;
    if (subject.source === "flowlog" && subject.context.flow) finding.flow = subject.context.flow;
    return finding;
  }
}
