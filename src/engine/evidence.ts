import { plural } from "../util/plural";

/** Evidence is bounded: a finding quotes what decided it, never a whole template or record. */
const MAX_ITEMS = 10;
const MAX_STRING = 300;
const MAX_DEPTH = 4;

export const REDACTED = "[redacted]";

/**
 * Keys whose values must never reach a report or an alert (the password rules would otherwise
 * quote the very secret they found). References to secrets (…Arn, …Id, …Name) are kept.
 */
export function isSensitiveKey(key: string): boolean {
  return /pass(word|phrase)|secret|token|credential|private_?key|auth_?key|api_?key/i.test(key) && !/(arn|id|ids|name|names|type)$/i.test(key);
}

/** Last key of a selector path (`properties.BasicAuthConfig.Password` → `Password`). */
export function lastPathKey(path: string): string {
  const m = /([A-Za-z_$@][\w$@:-]*)\W*$/.exec(path);
  return m ? m[1]! : "";
}

export function boundValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + "…" : value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `[${plural(value.length, "item")}]` : "{…}";
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => boundValue(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value);
  for (const [key, v] of entries.slice(0, MAX_ITEMS)) {
    out[key] = isSensitiveKey(key) && (typeof v === "string" || typeof v === "number") ? REDACTED : boundValue(v, depth + 1);
  }
  if (entries.length > MAX_ITEMS) out["…"] = `${entries.length - MAX_ITEMS} more keys`;
  return out;
}

/** True when a selector names a secret (`properties.MasterUserPassword`): decided once per check. */
export function selectsSecret(path: string): boolean {
  return isSensitiveKey(lastPathKey(path));
}

/** Evidence for a selector's values: redacted entirely when the selector names a secret. */
export function evidenceValue(secret: boolean, values: readonly unknown[]): unknown {
  if (secret) return values.map((v) => (typeof v === "string" || typeof v === "number" ? REDACTED : boundValue(v)));
  return boundValue(values.length === 1 ? values[0] : values);
}
