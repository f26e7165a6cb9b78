import { isObject, isPrototypeKey, ownGet, type JsonObject } from "../../util/objects";
import type { TemplateOptions } from "./types";

/**
 * Intrinsic-function resolution as cfn_nag performs it (reference §A2, §C3, §C4): what a rule "sees".
 * Anything that cannot be resolved stays as its (long-form) object, so rules can tell "unresolved"
 * from a literal. The output is always a fresh tree of plain objects: prototype keys are dropped.
 */

/** Synthetic pseudo-parameter values cfn_nag uses once parameter values are supplied (§C3). */
export const PSEUDO_PARAMETER_DEFAULTS: Readonly<Record<string, string>> = {
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "111111111111",
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::StackName": "stackname",
  "AWS::StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/stackname/51af3dc0-da77-11e4-872e-1234567db123",
  "AWS::NotificationARNs": "",
  "AWS::NumberAZs": "2",
};

/** Functions whose value is never computed: kept exactly as written. */
const OPAQUE_FUNCTIONS = new Set(["Fn::GetAtt", "Fn::ImportValue", "Fn::Cidr", "Fn::Transform", "Fn::GetAZs"]);

export interface Resolver {
  /** Resolves any value (a property, a policy document, ...). */
  resolve(value: unknown): unknown;
  /**
   * Resolves a resource's `Properties`: properties-level `Fn::If` is merged, `Fn::Transform` keys are
   * dropped, and top-level names are normalised to a capital first letter (`encrypted` -> `Encrypted`).
   * `sourceKeys` maps each resulting name back to the key as written, for pointers.
   */
  resolveProperties(properties: unknown): { properties: JsonObject; sourceKeys: Map<string, string> };
  /** Resolved value of a `Ref` to a parameter or pseudo parameter, when one is known. */
  parameterValue(name: string): string | undefined;
}

export function createResolver(root: JsonObject, options: TemplateOptions = {}): Resolver {
  const declaredConditions = isObject(root["Conditions"]) ? root["Conditions"] : {};
  const mappings = isObject(root["Mappings"]) ? root["Mappings"] : {};
  const values = effectiveParameterValues(root, options);

  const conditionValue = (name: string): boolean => {
    const given = ownGet(options.conditionValues, name);
    if (typeof given === "boolean") return given;
    return Object.prototype.hasOwnProperty.call(declaredConditions, name);
  };

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = value[key];
      const resolved = resolveFunction(key, arg);
      if (resolved !== NOT_A_FUNCTION) return resolved;
    }
    return mapValues(value, resolve);
  };

  const resolveFunction = (key: string, arg: unknown): unknown => {
    switch (key) {
      case "Ref": {
        if (typeof arg === "string" && values?.has(arg)) return values.get(arg);
        return { Ref: copyPlain(arg) };
      }
      case "Fn::If": {
        if (Array.isArray(arg) && arg.length === 3 && typeof arg[0] === "string") {
          return resolve(conditionValue(arg[0]) ? arg[1] : arg[2]);
        }
        return { [key]: resolve(arg) };
      }
      case "Fn::FindInMap":
        return findInMap(arg);
      case "Fn::Sub":
        return sub(arg);
      case "Fn::Join":
        return join(arg);
      case "Fn::Select":
        return select(arg);
      case "Fn::Split":
        return split(arg);
      case "Fn::Base64": {
        const text = resolve(arg);
        return typeof text === "string" ? text : { [key]: text };
      }
      default:
        return OPAQUE_FUNCTIONS.has(key) ? { [key]: copyPlain(arg) } : NOT_A_FUNCTION;
    }
  };

  const findInMap = (arg: unknown): unknown => {
    const args = Array.isArray(arg) ? arg.map(resolve) : resolve(arg);
    if (Array.isArray(args) && args.length >= 3) {
      const [name, first, second] = args.map(asKey);
      if (name !== undefined && first !== undefined && second !== undefined) {
        const found = ownGet(ownGet(ownGet(mappings, name), first), second);
        if (found !== undefined) return resolve(found);
      }
    }
    return { "Fn::FindInMap": args };
  };

  const sub = (arg: unknown): unknown => {
    let text: unknown = arg;
    let variables: unknown = undefined;
    if (Array.isArray(arg)) [text, variables] = arg;
    if (typeof text !== "string") return { "Fn::Sub": resolve(arg) };
    const resolvedVariables = isObject(variables) ? variables : {};
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith("!")) return whole;
      if (Object.prototype.hasOwnProperty.call(resolvedVariables, name)) {
        const replacement = resolve(resolvedVariables[name]);
        return typeof replacement === "string" || typeof replacement === "number" ? String(replacement) : whole;
      }
      return values?.get(name) ?? whole;
    });
  };

  const join = (arg: unknown): unknown => {
    if (Array.isArray(arg) && arg.length === 2) {
      const delimiter = resolve(arg[0]);
      const list = resolve(arg[1]);
      if (typeof delimiter === "string" && Array.isArray(list)) return list.map(joinText).join(delimiter);
    }
    return { "Fn::Join": resolve(arg) };
  };

  const select = (arg: unknown): unknown => {
    if (Array.isArray(arg) && arg.length === 2) {
      const index = resolve(arg[0]);
      const list = resolve(arg[1]);
      const i = typeof index === "number" ? index : typeof index === "string" && /^\d+$/.test(index) ? Number(index) : NaN;
      if (Array.isArray(list) && Number.isInteger(i) && i >= 0 && i < list.length) return list[i];
      return { "Fn::Select": [index, list] };
    }
    return { "Fn::Select": resolve(arg) };
  };

  const split = (arg: unknown): unknown => {
    if (Array.isArray(arg) && arg.length === 2) {
      const delimiter = resolve(arg[0]);
      const source = resolve(arg[1]);
      if (typeof delimiter === "string" && typeof source === "string") return source.split(delimiter);
      return { "Fn::Split": [delimiter, source] };
    }
    return { "Fn::Split": resolve(arg) };
  };

  const resolveProperties = (properties: unknown) => {
    const sourceKeys = new Map<string, string>();
    const out: JsonObject = {};
    const input: unknown = properties;
    if (!isObject(input) || isNoValue(input)) return { properties: out, sourceKeys };

    const assign = (key: string, value: unknown, sourceKey: string, exact: boolean) => {
      if (isPrototypeKey(key)) return;
      // An exactly-capitalised key wins over a lower-case spelling of the same name.
      if (!exact && Object.prototype.hasOwnProperty.call(out, key)) return;
      out[key] = value;
      sourceKeys.set(key, sourceKey);
    };
    const entries = Object.entries(input);
    // Exactly-written names first, so `encrypted` never shadows `Encrypted`.
    for (const exactPass of [true, false]) {
      for (const [key, value] of entries) {
        if (key === "Fn::Transform") continue;
        if (key === "Fn::If") {
          if (!exactPass) continue;
          const merged = resolve({ "Fn::If": value });
          if (isObject(merged) && !isNoValue(merged)) {
            for (const [k, v] of Object.entries(merged)) assign(canonicalName(k), v, key, true);
          }
          continue;
        }
        const name = canonicalName(key);
        if ((name === key) === exactPass) assign(name, resolve(value), key, exactPass);
      }
    }
    return { properties: out, sourceKeys };
  };

  return { resolve, resolveProperties, parameterValue: (name) => values?.get(name) };
}

const NOT_A_FUNCTION = Symbol("not an intrinsic function");

/** cfn_nag matches top-level property names with the first letter case-insensitive. */
export function canonicalName(key: string): string {
  return key.length === 0 ? key : key[0]!.toUpperCase() + key.slice(1);
}

export function isNoValue(value: unknown): boolean {
  return isObject(value) && value["Ref"] === "AWS::NoValue" && Object.keys(value).length === 1;
}

/** Parameter values in effect, or undefined when none were supplied (then nothing is substituted). */
function effectiveParameterValues(root: JsonObject, options: TemplateOptions): Map<string, string> | undefined {
  const given = options.parameterValues;
  if (given === undefined) return undefined;
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(PSEUDO_PARAMETER_DEFAULTS)) {
    const override = ownGet(given, name);
    values.set(name, typeof override === "string" ? override : value);
  }
  const declared = isObject(root["Parameters"]) ? root["Parameters"] : {};
  for (const [name, declaration] of Object.entries(declared)) {
    const fromFile = ownGet(given, name);
    const fallback = ownGet(declaration, "Default");
    const value = fromFile !== undefined ? fromFile : fallback;
    if (value !== undefined && value !== null) values.set(name, parameterText(value));
  }
  return values;
}

function parameterText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(parameterText).join(",");
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

function asKey(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/** Text of a `Fn::Join` element: nested lists are flattened, unresolved objects shown as cfn_nag shows them. */
function joinText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(joinText).join("");
  if (typeof value === "object") return rubyInspect(value);
  return String(value);
}

/** Ruby's `inspect` text for a value (`{"Ref"=>"X"}`), which is what cfn_nag's Join produces for objects. */
export function rubyInspect(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(", ")}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}=>${rubyInspect(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function mapValues(value: JsonObject, fn: (v: unknown) => unknown): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (!isPrototypeKey(key)) out[key] = fn(v);
  }
  return out;
}

/** A fresh plain copy of untrusted data, without prototype keys. */
export function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (isObject(value)) return mapValues(value, copyPlain);
  return value;
}
