import type { Config } from "./config";
import { configValue } from "./config";
import type { Evidence, Subject } from "./model";
import { OPERATORS } from "./operators/registry";
import { OperatorValueError, type Operator } from "./operators/types";
import { referenceTargets, RelationIndex, subjectKeys } from "./relations";
import type { Check, Condition, ConfigRef, RelatedCheck } from "./rule";
import { compileSelector, validateSelector } from "./selectors";
import { boundValue, evidenceValue, selectsSecret } from "./evidence";
import { isObject } from "../util/objects";
import { childPointer } from "../parse/pointer";

/** A leaf's outcome, recorded only when a finding is being explained. */
export interface TraceEntry extends Evidence {
  result: boolean;
  /** True when this leaf's outcome points toward the violation (accounts for `not` and `assert`). */
  supports: boolean;
  explain?: string;
}

export interface EvalContext {
  relations: RelationIndex;
}

/**
 * A compiled condition. `flip` is true under an odd number of negations (and for `assert` rules),
 * so a leaf can tell whether its outcome argues for the finding when a trace is requested.
 */
export type CompiledCondition = (subject: Subject, ctx: EvalContext, trace?: TraceEntry[], flip?: boolean) => boolean;

/** A compile error carries a JSON pointer into the rule document so the loader can give file:line:column. */
export class RuleCompileError extends Error {
  override name = "RuleCompileError";
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
  }
}

export interface CompileOptions {
  config: Config;
  fastPath: boolean;
  operators?: ReadonlyMap<string, Operator>;
}

export function isConfigRef(value: unknown): value is ConfigRef {
  return isObject(value) && typeof value.$config === "string" && Object.keys(value).length === 1;
}

/** Replaces a `$config` reference by the configured value; a missing key is a rule/config error. */
export function resolveConfigRef(value: unknown, config: Config, pointer: string): unknown {
  if (!isConfigRef(value)) return value;
  const resolved = configValue(config, value.$config);
  if (resolved === undefined) throw new RuleCompileError(`configuration has no "${value.$config}"`, pointer);
  return resolved;
}

export function compileCondition(condition: Condition, pointer: string, options: CompileOptions): CompiledCondition {
  if ("all" in condition) {
    const parts = condition.all.map((c, i) => compileCondition(c, childPointer(pointer, "all", i), options));
    return (s, ctx, trace, flip = false) => {
      for (const part of parts) if (!part(s, ctx, trace, flip)) return false;
      return true;
    };
  }
  if ("any" in condition) {
    const parts = condition.any.map((c, i) => compileCondition(c, childPointer(pointer, "any", i), options));
    return (s, ctx, trace, flip = false) => {
      for (const part of parts) if (part(s, ctx, trace, flip)) return true;
      return false;
    };
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not, childPointer(pointer, "not"), options);
    return (s, ctx, trace, flip = false) => !inner(s, ctx, trace, !flip);
  }
  if ("related" in condition) return compileRelated(condition, pointer, options);
  return compileCheck(condition, pointer, options);
}

function compileCheck(check: Check, pointer: string, options: CompileOptions): CompiledCondition {
  const operators = options.operators ?? OPERATORS;
  const op = operators.get(check.op);
  if (!op) throw new RuleCompileError(`unknown operator "${check.op}"`, childPointer(pointer, "op"));
  const raw = resolveConfigRef(check.value, options.config, childPointer(pointer, "value"));
  let value: unknown = raw;
  if (op.prepare) {
    try {
      value = op.prepare(raw);
    } catch (err) {
      if (err instanceof OperatorValueError) {
        throw new RuleCompileError(`${check.op}: ${err.message}`, childPointer(pointer, "value"));
      }
      throw err;
    }
  }
  const selectorProblem = validateSelector(check.path);
  if (selectorProblem) throw new RuleCompileError(`not a valid selector: ${selectorProblem}`, childPointer(pointer, "path"));
  const select = compileSelector(check.path, { fastPath: options.fastPath });
  const quantifier = check.match ?? "any";
  const expected = isConfigRef(check.value) ? check.value : boundValue(raw);
  const secret = selectsSecret(check.path);

  let decide: (values: unknown[], s: Subject) => boolean;
  if (op.kind === "set") {
    decide = (values, s) => op.test(values, value, { subject: s });
  } else if (quantifier === "all") {
    decide = (values, s) => values.length > 0 && values.every((v) => op.test(v, value, { subject: s }));
  } else if (quantifier === "none") {
    decide = (values, s) => !values.some((v) => op.test(v, value, { subject: s }));
  } else {
    decide = (values, s) => {
      for (const v of values) if (op.test(v, value, { subject: s })) return true;
      return false;
    };
  }

  return (s, _ctx, trace, flip = false) => {
    const values = select(s);
    const result = decide(values, s);
    if (trace) {
      const explain =
        op.kind === "value" && op.explain && result !== flip
          ? values
              .filter((v) => op.test(v, value, { subject: s }))
              .map((v) => op.explain!(v, value, { subject: s }))
              .join("; ")
          : undefined;
      trace.push({
        path: check.path,
        op: check.op,
        actual: evidenceValue(secret, values),
        expected,
        result,
        supports: result !== flip,
        explain,
      });
    }
    return result;
  };
}

function compileRelated(check: RelatedCheck, pointer: string, options: CompileOptions): CompiledCondition {
  const { type, on, from, where } = check.related;
  const wanted = check.exists ?? true;
  const whereFn = where ? compileCondition(where, childPointer(pointer, "related", "where"), options) : undefined;
  const label = on && from ? `related ${type} where ${on} names what ${from} names` : on ? `related ${type} via ${on}` : `related ${type} from ${from}`;
  let find: (s: Subject, ctx: EvalContext) => Subject[];
  if (on && from) {
    const selectOn = compileSelector(on, { fastPath: options.fastPath });
    const selectFrom = compileSelector(from, { fastPath: options.fastPath });
    find = (s, ctx) => {
      const targets: string[] = [];
      for (const v of selectFrom(s)) referenceTargets(v, targets);
      return ctx.relations.referencingTo(type, on, selectOn, targets);
    };
  } else if (on) {
    const select = compileSelector(on, { fastPath: options.fastPath });
    find = (s, ctx) => ctx.relations.referencingTo(type, on, select, subjectKeys(s));
  } else {
    const select = compileSelector(from!, { fastPath: options.fastPath });
    find = (s, ctx) => {
      const targets: string[] = [];
      for (const v of select(s)) referenceTargets(v, targets);
      return ctx.relations.withKeys(type, targets);
    };
  }
  return (s, ctx, trace, flip = false) => {
    const candidates = find(s, ctx);
    const found = whereFn ? candidates.some((c) => whereFn(c, ctx)) : candidates.length > 0;
    const result = found === wanted;
    if (trace) {
      trace.push({
        path: label,
        op: wanted ? "exists" : "absent",
        actual: candidates.map((c) => c.id).slice(0, 10),
        result,
        supports: result !== flip,
      });
    }
    return result;
  };
}
