/** Helpers for handling objects that come from untrusted documents (rule files, templates, events). */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys that would reach the prototype chain if assigned with `obj[key] = ...`. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** Reads an own property only: `{}.constructor` and friends never leak into rule evaluation. */
export function ownGet(value: unknown, key: string | number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** Creates a plain object from entries, dropping prototype keys so they can do nothing. */
export function safeFromEntries(entries: Iterable<readonly [string, unknown]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of entries) {
    if (!PROTOTYPE_KEYS.has(key)) out[key] = value;
  }
  return out;
}

/** Deep merge of configuration-like objects: arrays and scalars from `override` replace, objects merge. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isObject(base) || !isObject(override)) return (override === undefined ? base : override) as T;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (PROTOTYPE_KEYS.has(key)) continue;
    out[key] = deepMerge(out[key], value);
  }
  return out as T;
}
