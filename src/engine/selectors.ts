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

type Step = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "wildcard" };

const PLAIN_PATH = /^(?:\$\.?)?(?:[A-Za-z_$@][\w$@:-]*|\[(?:\d+|\*|'[^'\\]*')\])(?:\.(?:[A-Za-z_$@][\w$@:-]*|\*)|\[(?:\d+|\*|'[^'\\]*')\])*$/;

/** Parses dotted/bracketed paths with only keys, indexes and `*`. Returns undefined for anything richer. */
export function parsePlainPath(path: string): Step[] | undefined {
  const trimmed = path.trim();
  if (trimmed === "$") return [];
  if (!PLAIN_PATH.test(trimmed)) return undefined;
  const body = trimmed.replace(/^\$\.?/, "");
  const steps: Step[] = [];
  const token = /\.?([A-Za-z_$@][\w$@:-]*|\*)|\[(\d+|\*|'[^'\\]*')\]/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(body))) {
    const name = m[1] ?? m[2]!;
    if (name === "*") steps.push({ kind: "wildcard" });
    else if (m[2] !== undefined && /^\d+$/.test(name)) steps.push({ kind: "index", index: Number(name) });
    else steps.push({ kind: "key", key: name.startsWith("'") ? name.slice(1, -1) : name });
  }
  return steps;
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

/** Checks a selector is valid JSONPath without evaluating anything dangerous. */
export function validateSelector(path: string): string | undefined {
  if (parsePlainPath(path)) return undefined;
  try {
    JSONPath({ path: path.startsWith("$") ? path : `$.${path}`, json: {}, eval: "safe", ignoreEvalErrors: true });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
