/**
 * Readers for the shapes CloudTrail uses inside records. EC2 wraps lists as `{items: [...]}` (and empty
 * ones as `{}`), IAM uses plain arrays, tags come as `{key, value}`. Everything here reads own properties
 * only and never copies more than it returns.
 */
import { isObject, ownGet, type JsonObject } from "../../../util/objects";

/** The list inside `{items: [...]}`, `{item: [...]}`, a bare array, or a single object; [] otherwise. */
export function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return [];
  const items = ownGet(value, "items") ?? ownGet(value, "item");
  if (Array.isArray(items)) return items;
  return [];
}

/** Like `listOf`, but keeps only objects. */
export function objectsOf(value: unknown): JsonObject[] {
  return listOf(value).filter(isObject);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Numbers as numbers; numeric strings (some SDKs send `"22"`) converted; anything else undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Protocols as written (`tcp`, `6`, `-1`), always a string. */
export function protocol(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

export interface CfnTag {
  Key: string;
  Value?: string;
}

/** `[{key, value}]` (or `{items: [...]}`, or already `{Key, Value}`) → the CloudFormation `Tags` list. */
export function cfnTags(value: unknown, keepMissingValue = false): CfnTag[] {
  const out: CfnTag[] = [];
  for (const tag of listOf(value)) {
    const key = str(ownGet(tag, "key")) ?? str(ownGet(tag, "Key"));
    if (key === undefined) continue;
    const raw = ownGet(tag, "value") ?? ownGet(tag, "Value");
    if (raw === undefined || raw === null) {
      out.push(keepMissingValue ? { Key: key } : { Key: key, Value: "" });
    } else {
      out.push({ Key: key, Value: String(raw) });
    }
  }
  return out;
}

/** Tags in a `tagSpecificationSet` for one resource type (`instance`, `security-group`, ...). */
export function tagsFromSpecifications(requestParameters: unknown, resourceType: string): CfnTag[] {
  const out: CfnTag[] = [];
  for (const spec of objectsOf(ownGet(requestParameters, "tagSpecificationSet"))) {
    if (ownGet(spec, "resourceType") !== resourceType) continue;
    out.push(...cfnTags(ownGet(spec, "tags") ?? ownGet(spec, "tagSet")));
  }
  return out;
}

/** `base` plus the tags of `extra` whose keys `base` lacks. */
export function mergeTags(base: CfnTag[], extra: CfnTag[]): CfnTag[] {
  if (extra.length === 0) return base;
  const seen = new Set(base.map((t) => t.Key));
  return base.concat(extra.filter((t) => !seen.has(t.Key)));
}

/** Drops undefined values so subjects hold only what the record said (a new object; `delete` is slow). */
export function defined(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    // Keys are the normalizers' own names, never the record's; the guard keeps it that way.
    if (value !== undefined && key !== "__proto__") out[key] = value;
  }
  return out;
}
