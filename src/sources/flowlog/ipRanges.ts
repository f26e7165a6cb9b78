/**
 * AWS service endpoints from ip-ranges.json (flowlogs.md §5.4–5.5). `AMAZON` is a superset of every
 * other service, so the answer for an address is the most specific non-`AMAZON` prefix that covers it,
 * and `AMAZON` only when no service subset does.
 *
 * IPv4 is compiled once into sorted, non-overlapping segments, each already resolved to its answer,
 * so a lookup is one binary search (~14 steps for the ~10k published prefixes). IPv6 (rare in flow
 * logs) uses one map per prefix length, longest first.
 */
import { readFileSync } from "node:fs";
import ipaddr from "ipaddr.js";
import { messageOf, UserError } from "../../util/errors";
import { isObject } from "../../util/objects";
import { parseIPv4 } from "./addresses";
import { dataFile } from "../../paths";

export interface AwsRange {
  prefix: string;
  /** ip-ranges.json service code of the winning prefix (`S3`, `EC2`, ..., or `AMAZON`). */
  service: string;
  /** Every non-AMAZON service published for that same prefix (usually one). */
  services: string[];
  region: string;
  networkBorderGroup: string;
}

export interface IpRanges {
  lookup(address: string): AwsRange | undefined;
  readonly syncToken: string;
  readonly createDate: string;
  readonly prefixCount: number;
}

/** The snapshot shipped with parapet (`data/ip-ranges.json`). */
export const BUNDLED_IP_RANGES_PATH = dataFile("ip-ranges.json");

let bundled: IpRanges | undefined;

/** Loads ip-ranges.json from `path` (a newer download), or the bundled snapshot (cached). */
export function loadIpRanges(path?: string): IpRanges {
  if (path === undefined && bundled) return bundled;
  const file = path ?? BUNDLED_IP_RANGES_PATH;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UserError(`${file}: cannot read ip-ranges.json (${messageOf(error)})`);
  }
  const ranges = buildIpRanges(json, file);
  if (path === undefined) bundled = ranges;
  return ranges;
}

interface Entry {
  first: number;
  last: number;
  range: AwsRange;
}

const AMAZON = "AMAZON";

/**
 * The lookup table in a form that can be written as JSON and read back without rebuilding it:
 * `npm run package` ships this instead of AWS's 2.6 MB document, so a Lambda cold start reads a
 * small file and does no sweep (about 60 ms less).
 */
export interface CompiledIpRanges {
  format: typeof COMPILED_FORMAT;
  syncToken: string;
  createDate: string;
  v4Count: number;
  /** Flattened triples: first address, last address, index into `ranges`. */
  segments: number[];
  /** [prefix, service, services, region, networkBorderGroup] */
  ranges: Array<[string, string, string[], string, string]>;
  /** AWS's IPv6 entries as [prefix, service, region, networkBorderGroup] (built into a table on first IPv6 lookup). */
  ipv6: Array<[string, string, string, string]>;
}

export const COMPILED_FORMAT = "parapet-ip-ranges/2";

/** Builds the lookup structure from a parsed ip-ranges.json, or from its compiled form. */
export function buildIpRanges(json: unknown, label = "ip-ranges.json"): IpRanges {
  return isObject(json) && json.format === COMPILED_FORMAT ? fromCompiled(json as unknown as CompiledIpRanges) : fromCompiled(compileIpRanges(json, label));
}

/** ip-ranges.json → compiled table. Bad entries are skipped, not fatal. */
export function compileIpRanges(json: unknown, label = "ip-ranges.json"): CompiledIpRanges {
  if (!isObject(json) || !Array.isArray(json.prefixes)) {
    throw new UserError(`${label}: not an AWS ip-ranges.json document (no "prefixes" list)`);
  }
  const v4 = new Map<string, Entry>();
  for (const item of json.prefixes) {
    if (!isObject(item) || typeof item.ip_prefix !== "string" || typeof item.service !== "string") continue;
    const [net, lenText] = item.ip_prefix.split("/");
    const length = Number(lenText);
    const network = parseIPv4(net ?? "");
    if (network < 0 || !Number.isInteger(length) || length < 0 || length > 32) continue;
    const size = 2 ** (32 - length);
    const first = network - (network % size);
    mergeEntry(v4, item.ip_prefix, { first, last: first + size - 1, range: toRange(item.ip_prefix, item) });
  }
  const rangeIndex = new Map<AwsRange, number>();
  const ranges: CompiledIpRanges["ranges"] = [];
  const segments: number[] = [];
  for (const segment of flatten([...v4.values()])) {
    let index = rangeIndex.get(segment.range);
    if (index === undefined) {
      index = ranges.length;
      rangeIndex.set(segment.range, index);
      const r = segment.range;
      ranges.push([r.prefix, r.service, r.services, r.region, r.networkBorderGroup]);
    }
    segments.push(segment.first, segment.last, index);
  }
  return {
    format: COMPILED_FORMAT,
    syncToken: typeof json.syncToken === "string" ? json.syncToken : "",
    createDate: typeof json.createDate === "string" ? json.createDate : "",
    v4Count: v4.size,
    segments,
    ranges,
    ipv6: (Array.isArray(json.ipv6_prefixes) ? json.ipv6_prefixes : []).flatMap((item: unknown): Array<[string, string, string, string]> =>
      isObject(item) && typeof item.ipv6_prefix === "string" && typeof item.service === "string"
        ? [[item.ipv6_prefix, item.service, String(item.region ?? ""), String(item.network_border_group ?? "")]]
        : [],
    ),
  };
}

function fromCompiled(compiled: CompiledIpRanges): IpRanges {
  const ranges: AwsRange[] = compiled.ranges.map(([prefix, service, services, region, networkBorderGroup]) => ({ prefix, service, services, region, networkBorderGroup }));
  const count = compiled.segments.length / 3;
  const starts = new Float64Array(count);
  const lasts = new Float64Array(count);
  const answers = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    starts[i] = compiled.segments[3 * i]!;
    lasts[i] = compiled.segments[3 * i + 1]!;
    answers[i] = compiled.segments[3 * i + 2]!;
  }
  // IPv6 is rare in flow logs and its table costs as much to build as IPv4's: build it on first use.
  let v6Table: ReturnType<typeof buildV6> | undefined;
  const v6 = () =>
    (v6Table ??= buildV6(compiled.ipv6.map(([ipv6_prefix, service, region, network_border_group]) => ({ ipv6_prefix, service, region, network_border_group }))));

  return {
    syncToken: compiled.syncToken,
    createDate: compiled.createDate,
    get prefixCount() {
      return compiled.v4Count + v6().count;
    },
    lookup(address: string): AwsRange | undefined {
      const ip = parseIPv4(address);
      if (ip < 0) return v6().lookup(address);
      let lo = 0;
      let hi = count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! <= ip) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && ip <= lasts[hi]! ? ranges[answers[hi]!] : undefined;
    },
  };
}

function toRange(prefix: string, item: Record<string, unknown>): AwsRange {
  const service = String(item.service);
  return {
    prefix,
    service,
    services: service === AMAZON ? [] : [service],
    region: typeof item.region === "string" ? item.region : "",
    networkBorderGroup: typeof item.network_border_group === "string" ? item.network_border_group : "",
  };
}

/** Same prefix listed for several services: keep one entry, the first non-AMAZON service winning. */
function mergeEntry<K>(map: Map<K, Entry>, key: K, entry: Entry): void {
  const existing = map.get(key);
  if (!existing) {
    map.set(key, entry);
    return;
  }
  const kept = existing.range;
  if (kept.service === AMAZON && entry.range.service !== AMAZON) existing.range = { ...entry.range };
  else if (entry.range.service !== AMAZON && !kept.services.includes(entry.range.service)) {
    existing.range = { ...kept, services: [...kept.services, entry.range.service] };
  }
}

/** Which answer covers an address inside `inner` when `outer` also covers it. */
function winner(outer: AwsRange | undefined, inner: AwsRange): AwsRange {
  if (outer && inner.service === AMAZON && outer.service !== AMAZON) return outer;
  return inner;
}

/**
 * CIDR blocks are nested or disjoint, so a sweep with a stack of open blocks turns them into disjoint
 * segments, each labelled with the answer of its innermost winning block.
 */
function flatten(entries: Entry[]): Array<{ first: number; last: number; range: AwsRange }> {
  entries.sort((a, b) => a.first - b.first || b.last - a.last);
  const out: Array<{ first: number; last: number; range: AwsRange }> = [];
  const stack: Array<{ last: number; range: AwsRange }> = [];
  let cursor = 0;
  const emit = (last: number, range: AwsRange): void => {
    if (cursor > last) return;
    const previous = out[out.length - 1];
    if (previous && previous.range === range && previous.last + 1 === cursor) previous.last = last;
    else out.push({ first: cursor, last, range });
    cursor = last + 1;
  };
  const closeUntil = (position: number): void => {
    while (stack.length > 0 && stack[stack.length - 1]!.last < position) {
      const top = stack.pop()!;
      emit(top.last, top.range);
    }
  };
  for (const entry of entries) {
    closeUntil(entry.first);
    const top = stack[stack.length - 1];
    if (top) emit(entry.first - 1, top.range);
    cursor = Math.max(cursor, entry.first);
    stack.push({ last: entry.last, range: winner(top?.range, entry.range) });
  }
  closeUntil(Infinity);
  return out;
}

function buildV6(items: unknown[]): { count: number; lookup(address: string): AwsRange | undefined } {
  const byLength = new Map<number, Map<bigint, Entry>>();
  let count = 0;
  for (const item of items) {
    if (!isObject(item) || typeof item.ipv6_prefix !== "string" || typeof item.service !== "string") continue;
    let parsed: [ipaddr.IPv6 | ipaddr.IPv4, number];
    try {
      parsed = ipaddr.parseCIDR(item.ipv6_prefix);
    } catch {
      continue;
    }
    const [address, length] = parsed;
    if (address.kind() !== "ipv6") continue;
    const key = toBigInt(address.toByteArray()) >> BigInt(128 - length);
    let map = byLength.get(length);
    if (!map) byLength.set(length, (map = new Map()));
    if (!map.has(key)) count++;
    mergeEntry(map, key, { first: 0, last: 0, range: toRange(item.ipv6_prefix, item) });
  }
  const lengths = [...byLength.keys()].sort((a, b) => b - a);
  return {
    count,
    lookup(address: string): AwsRange | undefined {
      if (!ipaddr.IPv6.isValid(address)) return undefined;
      const value = toBigInt(ipaddr.IPv6.parse(address).toByteArray());
      let found: AwsRange | undefined;
      for (const length of lengths) {
        const entry = byLength.get(length)!.get(value >> BigInt(128 - length));
        if (!entry) continue;
        if (entry.range.service !== AMAZON) return entry.range;
        found ??= entry.range;
      }
      return found;
    },
  };
}

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
