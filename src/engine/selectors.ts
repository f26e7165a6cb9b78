import type { JSONPathOptions } from "jsonpath-plus";
import { ownGet } from "../util/objects";

// Loaded on first use: most rules only use plain paths, and start-up time matters for the CLI and Lambda.
let jsonPath: ((options: JSONPathOptions) => unknown) | undefined;
function JSONPath(options: JSONPathOptions): unknown {
  jsonPath ??= (require("jsonpath-plus") as typeof import("jsonpath-plus")).JSONPath as (options: JSONPathOptions) => unknown;
  return jsonPath(options);
}

/** Returns every value a selector names in a document; an empty list when it names nothing. */
export type Selector = (root: unknown) => unknown[];

export interface SelectorOptions {
  /** Plain paths (`properties.Tags[*].Key`) skip jsonpath-plus; off only to measure what it saves. */
  fastPath: boolean;
}

type Step =
  | { kind: "key"; key: string }
  | { kind: "keys"; keys: string[] }
  | { kind: "index"; index: number }
  | { kind: "wildcard" }
  | { kind: "descendants" };

const NAME = /^[A-Za-z_$@][\w$@:-]*/;
const BARE_MEMBER = /^[A-Za-z0-9_$@:-]+$/;

/**
 * Parses the paths the fast path can walk: keys (`a.b`, `['odd key']`), unions of keys (`[a,b]`),
 * indexes, `*` and `..*` (every descendant). Returns undefined for anything richer (filters, slices,
 * recursive descent to a name), which goes to jsonpath-plus.
 */
export function parsePlainPath(path: string): Step[] | undefined {
  let rest = path.trim();
  if (rest.startsWith("$")) rest = rest.slice(1);
  const steps: Step[] = [];
  let first = true;
  while (rest.length > 0) {
    if (rest.startsWith("..*")) {
      steps.push({ kind: "descendants" });
      rest = rest.slice(3);
    } else if (rest.startsWith("..")) {
      return undefined;
    } else if (rest.startsWith(".*")) {
      steps.push({ kind: "wildcard" });
      rest = rest.slice(2);
    } else if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close < 0) return undefined;
      const step = bracketStep(rest.slice(1, close));
      if (!step) return undefined;
      steps.push(step);
      rest = rest.slice(close + 1);
    } else {
      const body = rest.startsWith(".") ? rest.slice(1) : first ? rest : undefined;
      const name = body === undefined ? null : NAME.exec(body);
      if (!name) return undefined;
      steps.push({ kind: "key", key: name[0] });
      rest = body!.slice(name[0].length);
    }
    first = false;
  }
  return steps;
}

function bracketStep(content: string): Step | undefined {
  const text = content.trim();
  if (text === "*") return { kind: "wildcard" };
  if (/^\d+$/.test(text)) return { kind: "index", index: Number(text) };
  const keys: string[] = [];
  for (const raw of text.split(",")) {
    const member = raw.trim();
    if (/^'[^'\\]*'$/.test(member)) keys.push(member.slice(1, -1));
    else if (BARE_MEMBER.test(member) && !/^[-\d:]+$/.test(member)) keys.push(member); // not an index or slice
    else return undefined;
  }
  return keys.length === 1 ? { kind: "key", key: keys[0]! } : { kind: "keys", keys };
}

function pushDescendants(value: unknown, out: unknown[]): void {
  if (typeof value !== "object" || value === null) return;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    out.push(child);
    pushDescendants(child, out);
  }
}

function walk(steps: Step[]): Selector {
  // Single-key paths are the common case (`properties.X`): avoid the general loop.
  if (steps.every((s) => s.kind === "key")) {
    const keys = steps.map((s) => (s as { key: string }).key);
    return (root) => {
      let value: unknown = root;
      for (const key of keys) {
        value = ownGet(value, key);
        if (value === undefined) return [];
      }
      return [value];
    };
  }
  return (root) => {
    let current: unknown[] = [root];
    for (const step of steps) {
      const next: unknown[] = [];
      for (const value of current) {
        if (step.kind === "key") {
          const v = ownGet(value, step.key);
          if (v !== undefined) next.push(v);
        } else if (step.kind === "keys") {
          for (const key of step.keys) {
            const v = ownGet(value, key);
            if (v !== undefined) next.push(v);
          }
        } else if (step.kind === "descendants") {
          pushDescendants(value, next);
        } else if (step.kind === "index") {
          if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
        } else if (Array.isArray(value)) {
          next.push(...value);
        } else if (typeof value === "object" && value !== null) {
          next.push(...Object.values(value));
        }
      }
      if (next.length === 0) return [];
      current = next;
    }
    return current;
  };
}

/**
 * Compiles a selector once. Paths are relative to the subject (`properties.X` means `$.properties.X`).
 * Anything beyond plain paths goes to jsonpath-plus with `eval: "safe"`: filter expressions are
 * interpreted by its sandboxed evaluator, never by `eval`/`Function`, because rule files may come
 * from strangers.
 */
export function compileSelector(path: string, options: SelectorOptions): Selector {
  const steps = options.fastPath ? parsePlainPath(path) : undefined;
  if (steps) return walk(steps);
  const expression = path.startsWith("$") ? path : `$.${path}`;
  return (root) => {
    if (root === null || typeof root !== "object") return [];
    const result = JSONPath({ path: expression, json: root as object, wrap: true, eval: "safe", ignoreEvalErrors: true });
    return Array.isArray(result) ? result.filter((v) => v !== undefined) : [];
  };
}

/** A value with every property (itself), so probing a filter meets no data-dependent error. */
const ANYTHING: object = new Proxy({}, { get: (_target, key) => (key === Symbol.toPrimitive ? () => 0 : ANYTHING) });

/**
 * The syntax error in a selector, or undefined. Filter expressions are only parsed when they meet a
 * value, so each is tried on its own against a one-element list: a broken rule is reported at load,
 * not silently matching nothing (evaluation ignores errors that depend on the data).
 */
export function validateSelector(path: string): string | undefined {
  if (parsePlainPath(path)) return undefined;
  const expression = path.startsWith("$") ? path : `$.${path}`;
  try {
    const toPathArray = (require("jsonpath-plus") as typeof import("jsonpath-plus")).JSONPath.toPathArray;
    for (const step of toPathArray(expression)) {
      if (step.startsWith("?(")) JSONPath({ path: `$[${step}]`, json: [ANYTHING], eval: "safe", ignoreEvalErrors: false });
    }
    JSONPath({ path: expression, json: {}, eval: "safe", ignoreEvalErrors: false });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
