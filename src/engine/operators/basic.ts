import { isObject } from "../../util/objects";
import { OperatorValueError, setOperator, valueOperator, type Operator } from "./types";

/** Text form used for comparisons: numbers and booleans compare equal to their string spelling. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function looseEquals(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  const a = scalarText(actual);
  return a !== undefined && a === scalarText(expected);
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const scalar = { type: ["string", "number", "boolean", "null"] };
const scalarList = { type: "array", items: scalar };

function compileRegex(value: unknown): RegExp {
  if (typeof value !== "string") throw new OperatorValueError("expected a regular expression string");
  try {
    return new RegExp(value, "u");
  } catch (err) {
    throw new OperatorValueError(`invalid regular expression: ${(err as Error).message}`);
  }
}

function numeric(name: string, description: string, cmp: (a: number, b: number) => boolean): Operator {
  return valueOperator<number>({
    name,
    description,
    valueSchema: { type: "number" },
    test: (actual, value) => {
      const n = asNumber(actual);
      return n !== undefined && cmp(n, value);
    },
  });
}

/** cfn_nag's boolean reading: the text form compared case-insensitively (§A3 of the cfn_nag reference). */
function isTrueLike(value: unknown): boolean {
  return scalarText(value)?.toLowerCase() === "true";
}
function isFalseLike(value: unknown): boolean {
  return scalarText(value)?.toLowerCase() === "false";
}

export const basicOperators: Operator[] = [
  setOperator<void>({
    name: "exists",
    description: "The selector returns at least one value that is not null.",
    valueSchema: null,
    test: (values) => values.some((v) => v !== null && v !== undefined),
  }),
  setOperator<void>({
    name: "absent",
    description: "The selector returns nothing, or only null.",
    valueSchema: null,
    test: (values) => values.every((v) => v === null || v === undefined),
  }),
  setOperator<number>({
    name: "count-gte",
    description: "The selector returns at least `value` values.",
    valueSchema: { type: "integer", minimum: 0 },
    test: (values, min) => values.length >= min,
  }),
  valueOperator<unknown>({
    name: "eq",
    description: "Equal to `value` (numbers and booleans also match their string spelling).",
    valueSchema: scalar,
    test: (actual, value) => looseEquals(actual, value),
  }),
  valueOperator<unknown>({
    name: "ne",
    description: "Not equal to `value`.",
    valueSchema: scalar,
    test: (actual, value) => !looseEquals(actual, value),
  }),
  valueOperator<Set<string>>({
    name: "in",
    description: "One of the listed values.",
    valueSchema: scalarList,
    prepare: (value) => new Set((value as unknown[]).map((v) => scalarText(v) ?? String(v))),
    test: (actual, set) => {
      const text = scalarText(actual);
      return text !== undefined && set.has(text);
    },
  }),
  valueOperator<Set<string>>({
    name: "not-in",
    description: "A scalar that is none of the listed values.",
    valueSchema: scalarList,
    prepare: (value) => new Set((value as unknown[]).map((v) => scalarText(v) ?? String(v))),
    test: (actual, set) => {
      const text = scalarText(actual);
      return text !== undefined && !set.has(text);
    },
  }),
  valueOperator<RegExp>({
    name: "matches",
    description: "A string matching the regular expression `value`.",
    valueSchema: { type: "string" },
    prepare: compileRegex,
    test: (actual, re) => typeof actual === "string" && re.test(actual),
  }),
  valueOperator<RegExp>({
    name: "not-matches",
    description: "A string that does not match the regular expression `value`.",
    valueSchema: { type: "string" },
    prepare: compileRegex,
    test: (actual, re) => typeof actual === "string" && !re.test(actual),
  }),
  valueOperator<string>({
    name: "starts-with",
    description: "A string starting with `value`.",
    valueSchema: { type: "string" },
    test: (actual, prefix) => typeof actual === "string" && actual.startsWith(prefix),
  }),
  valueOperator<string>({
    name: "ends-with",
    description: "A string ending with `value`.",
    valueSchema: { type: "string" },
    test: (actual, suffix) => typeof actual === "string" && actual.endsWith(suffix),
  }),
  numeric("gt", "A number (or numeric string) greater than `value`.", (a, b) => a > b),
  numeric("gte", "A number (or numeric string) at least `value`.", (a, b) => a >= b),
  numeric("lt", "A number (or numeric string) less than `value`.", (a, b) => a < b),
  numeric("lte", "A number (or numeric string) at most `value`.", (a, b) => a <= b),
  valueOperator<unknown>({
    name: "contains",
    description: "A list containing `value`, or a string containing the substring `value`.",
    valueSchema: scalar,
    test: (actual, value) => {
      if (Array.isArray(actual)) return actual.some((item) => looseEquals(item, value));
      const text = scalarText(value);
      return typeof actual === "string" && text !== undefined && actual.includes(text);
    },
  }),
  valueOperator<Set<string>>({
    name: "any-of",
    description: "A list sharing at least one element with `value` (a scalar counts as a one-element list).",
    valueSchema: scalarList,
    prepare: (value) => new Set((value as unknown[]).map((v) => scalarText(v) ?? String(v))),
    test: (actual, set) => toList(actual).some((item) => set.has(scalarText(item) ?? "\0")),
  }),
  valueOperator<Set<string>>({
    name: "all-of",
    description: "A list containing every element of `value`.",
    valueSchema: scalarList,
    prepare: (value) => new Set((value as unknown[]).map((v) => scalarText(v) ?? String(v))),
    test: (actual, set) => {
      const have = new Set(toList(actual).map((item) => scalarText(item)));
      for (const wanted of set) if (!have.has(wanted)) return false;
      return true;
    },
  }),
  valueOperator<Set<string>>({
    name: "none-of",
    description: "A list sharing no element with `value`.",
    valueSchema: scalarList,
    prepare: (value) => new Set((value as unknown[]).map((v) => scalarText(v) ?? String(v))),
    test: (actual, set) => !toList(actual).some((item) => set.has(scalarText(item) ?? "\0")),
  }),
  valueOperator<void>({
    name: "empty",
    description: 'An empty string, list or object ("" [] {}).',
    valueSchema: null,
    test: (actual) =>
      actual === "" || (Array.isArray(actual) && actual.length === 0) || (isObject(actual) && Object.keys(actual).length === 0),
  }),
  valueOperator<string>({
    name: "is-type",
    description: "The JSON type of the value: string, number, boolean, object, array or null.",
    valueSchema: { enum: ["string", "number", "boolean", "object", "array", "null"] },
    test: (actual, type) => jsonType(actual) === type,
  }),
  valueOperator<void>({
    name: "true-like",
    description: "true, or a string spelling true in any case (how CloudFormation and cfn_nag read booleans).",
    valueSchema: null,
    test: (actual) => isTrueLike(actual),
  }),
  valueOperator<void>({
    name: "false-like",
    description: "false, or a string spelling false in any case.",
    valueSchema: null,
    test: (actual) => isFalseLike(actual),
  }),
];

export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
