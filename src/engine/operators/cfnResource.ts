import ipaddr from "ipaddr.js";
import { isObject, ownGet } from "../../util/objects";
import { OperatorValueError, setOperator, valueOperator, type Operator } from "./types";

/**
 * Operators for reading CloudFormation resource properties the way cfn_nag does (reference
 * `cfn_nag-rules.md` §A3, §A7): its "must be present and not false" booleans, its "set" flags,
 * type-sensitive field comparisons, NetAddr's IPv6 prefixes and Ruby's `to_i`.
 */

/** Text form as Ruby's `to_s` gives it for the scalars templates contain; undefined for objects and lists. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function isFalseLike(value: unknown): boolean {
  return scalarText(value)?.toLowerCase() === "false";
}

/** `{Ref: AWS::NoValue}` exactly: what an `Fn::If` branch leaves behind when it means "no value". */
export function isNoValue(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 1 && value["Ref"] === "AWS::NoValue";
}

/** cfn_nag's BooleanBase (§A3): absent/null, false-like or `{Ref: AWS::NoValue}` means "not enabled". */
export function isUnsetOrFalse(values: readonly unknown[]): boolean {
  const present = values.filter((v) => v !== null && v !== undefined);
  return present.length === 0 || present.some((v) => isFalseLike(v) || isNoValue(v));
}

/** cfn_nag's "set" flags: anything but null or the boolean `false` (the string "false" counts as set). */
export function isSetNotFalse(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}

/** Structural equality of resolved property values; a missing value equals only a missing value. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isObject(a) && isObject(b) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/** Ruby `to_s`-like text for comparisons: absent → "", scalars as written, anything else as JSON. */
function rubyText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return scalarText(value) ?? JSON.stringify(value);
}

/** Ruby's `to_i`: the leading integer of the text (`"-1"` → -1, `"all"` → 0); undefined for objects. */
export function rubyToInt(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^\s*([+-]?\d+(?:_\d+)*)/.exec(value);
  return m ? Number.parseInt(m[1]!.replaceAll("_", ""), 10) : 0;
}

/**
 * Prefix length of IPv6 text as cfn_nag's NetAddr reads it: `addr/n` → n; a bare address → 64,
 * except the all-zero address, which is a /128. Undefined for anything that is not IPv6 text.
 */
export function ipv6PrefixLength(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  try {
    if (text.includes("/")) {
      const [addr, prefix] = ipaddr.parseCIDR(text);
      return addr.kind() === "ipv6" ? prefix : undefined;
    }
    const addr = ipaddr.parse(text);
    if (addr.kind() !== "ipv6") return undefined;
    return addr.toByteArray().every((b) => b === 0) ? 128 : 64;
  } catch {
    return undefined;
  }
}

function fieldPair(value: unknown): [string, string] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === "string")) {
    throw new OperatorValueError("expected two property names, e.g. [FromPort, ToPort]");
  }
  return [value[0] as string, value[1] as string];
}

const fieldPairSchema = { type: "array", items: { type: "string" }, minItems: 2, maxItems: 2 };

export const cfnResourceOperators: Operator[] = [
  setOperator<void>({
    name: "unset-or-false",
    description:
      "Nothing (or null) is selected, or a value is false-like or exactly {Ref: AWS::NoValue} — cfn_nag's \"must be present and not false\".",
    valueSchema: null,
    test: (values) => isUnsetOrFalse(values),
  }),
  valueOperator<void>({
    name: "set-not-false",
    description: 'Any value but null or the boolean false (cfn_nag\'s "set": the string "false" counts as set).',
    valueSchema: null,
    test: (actual) => isSetNotFalse(actual),
  }),
  valueOperator<[string, string]>({
    name: "fields-differ",
    description:
      "An object whose two named fields differ, compared with their types (80 and \"80\" differ; both missing are equal).",
    valueSchema: fieldPairSchema,
    prepare: fieldPair,
    test: (actual, [a, b]) => isObject(actual) && !sameValue(ownGet(actual, a), ownGet(actual, b)),
    explain: (actual, [a, b]) => `${a} ${rubyText(ownGet(actual, a)) || "(none)"} vs ${b} ${rubyText(ownGet(actual, b)) || "(none)"}`,
  }),
  valueOperator<[string, string]>({
    name: "fields-differ-as-text",
    description: "An object whose two named fields differ when both are read as text (80 and \"80\" are equal).",
    valueSchema: fieldPairSchema,
    prepare: fieldPair,
    test: (actual, [a, b]) => isObject(actual) && rubyText(ownGet(actual, a)) !== rubyText(ownGet(actual, b)),
    explain: (actual, [a, b]) => `${a} ${rubyText(ownGet(actual, a)) || "(none)"} vs ${b} ${rubyText(ownGet(actual, b)) || "(none)"}`,
  }),
  valueOperator<number>({
    name: "ipv6-prefix-ne",
    description:
      "IPv6 text whose prefix length is not `value`; a bare address counts as /64 (the all-zero address as /128), as cfn_nag reads it.",
    valueSchema: { type: "integer", minimum: 0, maximum: 128 },
    test: (actual, n) => {
      const prefix = ipv6PrefixLength(actual);
      return prefix !== undefined && prefix !== n;
    },
  }),
  valueOperator<number>({
    name: "int-eq",
    description: "A number, or text whose leading integer (Ruby to_i: \"-1\" → -1, \"all\" → 0), equals `value`.",
    valueSchema: { type: "integer" },
    test: (actual, n) => rubyToInt(actual) === n,
  }),
  valueOperator<string>({
    name: "eq-ignore-case",
    description: "A scalar whose text equals `value` ignoring case.",
    valueSchema: { type: "string" },
    prepare: (value) => String(value).toLowerCase(),
    test: (actual, lower) => scalarText(actual)?.toLowerCase() === lower,
  }),
  valueOperator<string>({
    name: "lacks-key",
    description: "Not an object, or an object without the key `value` (or with it null).",
    valueSchema: { type: "string", minLength: 1 },
    test: (actual, key) => {
      const v = isObject(actual) && !Array.isArray(actual) ? ownGet(actual, key) : undefined;
      return v === undefined || v === null;
    },
  }),
];
