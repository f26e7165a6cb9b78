import type { Subject } from "../model";

/** What an operator may look at besides the selected value. */
export interface OperatorContext {
  subject: Subject;
}

/** JSON Schema fragment describing an operator's `value` (used to generate the rule-file schema). */
export type ValueSchema = Record<string, unknown>;

interface OperatorBase<V> {
  name: string;
  description: string;
  /** Schema of `value` in rule files; `null` when the operator takes no value. */
  valueSchema: ValueSchema | null;
  /** Turns the rule-file value into the form `test` wants (parse CIDRs, compile regexes) — once, at compile time. */
  prepare?: (value: unknown) => V;
}

/** Tests each value the selector returned; the check's `match` (any / all / none) combines the results. */
export interface ValueOperator<V = unknown> extends OperatorBase<V> {
  kind: "value";
  test(actual: unknown, value: V, context: OperatorContext): boolean;
  /** Says, for evidence and messages, why `actual` matched (e.g. which tags are missing). */
  explain?(actual: unknown, value: V, context: OperatorContext): string;
}

/** Tests the whole list of selected values at once (existence, counts). */
export interface SetOperator<V = unknown> extends OperatorBase<V> {
  kind: "set";
  test(values: readonly unknown[], value: V, context: OperatorContext): boolean;
}

export type Operator = ValueOperator<any> | SetOperator<any>;

/** Defines a value operator with its prepared-value type checked against `prepare`. */
export function valueOperator<V>(op: Omit<ValueOperator<V>, "kind">): ValueOperator<V> {
  return { kind: "value", ...op };
}

export function setOperator<V>(op: Omit<SetOperator<V>, "kind">): SetOperator<V> {
  return { kind: "set", ...op };
}

export class OperatorValueError extends Error {
  override name = "OperatorValueError";
}
