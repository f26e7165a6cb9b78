/**
 * A copy of a JSON-like value with object keys sorted, so output does not depend on the order in
 * which an input document (or the engine) happened to write them. Non-JSON values become strings;
 * cycles and excessive depth are cut rather than crashing a report.
 */
export function canonical(value: unknown, depth = 0, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return value === undefined ? null : String(value);
  if (depth > 32 || seen.has(value)) return "[…]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => canonical(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      // defineProperty, so a `__proto__` key from an input stays a plain key and touches no prototype.
      Object.defineProperty(out, key, {
        value: canonical((value as Record<string, unknown>)[key], depth + 1, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
