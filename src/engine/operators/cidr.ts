import ipaddr from "ipaddr.js";
import { OperatorValueError, valueOperator, type Operator } from "./types";

/** A CIDR block as an inclusive range of integers, so containment and overlap are two comparisons. */
export interface CidrRange {
  family: 4 | 6;
  prefix: number;
  start: bigint;
  end: bigint;
}

const cache = new Map<string, CidrRange | null>();

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host route). Returns null for anything else. */
export function parseCidr(text: unknown): CidrRange | null {
  if (typeof text !== "string") return null;
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const range = parseUncached(text.trim());
  if (cache.size > 100_000) cache.clear();
  cache.set(text, range);
  return range;
}

function parseUncached(text: string): CidrRange | null {
  try {
    const [addr, prefix] = text.includes("/") ? ipaddr.parseCIDR(text) : hostRoute(text);
    const bytes = addr.toByteArray();
    const bits = bytes.length * 8;
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    const hostBits = BigInt(bits - prefix);
    const start = (value >> hostBits) << hostBits;
    const end = start | ((1n << hostBits) - 1n);
    return { family: addr.kind() === "ipv4" ? 4 : 6, prefix, start, end };
  } catch {
    return null;
  }
}

function hostRoute(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === "ipv4" ? 32 : 128];
}

export function overlaps(a: CidrRange, b: CidrRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function contains(outer: CidrRange, inner: CidrRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

function ranges(list: string[]): CidrRange[] {
  return list.map((text) => {
    const r = parseCidr(text);
    if (!r) throw new OperatorValueError(`"${text}" is not a CIDR block`);
    return r;
  });
}

/** RFC 1918 and IPv6 unique-local space. */
export const PRIVATE_RANGES = ranges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]);

/** Addresses that are never reachable from the internet (private plus special-purpose blocks). */
export const NON_PUBLIC_RANGES = [
  ...PRIVATE_RANGES,
  ...ranges([
    "0.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "fe80::/10",
    "ff00::/8",
    "2001:db8::/32",
  ]),
];

/** True when no address of the block can be an internet address. */
export function isNonPublic(range: CidrRange): boolean {
  return NON_PUBLIC_RANGES.some((r) => contains(r, range));
}

export function isPrivate(range: CidrRange): boolean {
  return PRIVATE_RANGES.some((r) => contains(r, range));
}

const cidrList = { type: "array", items: { type: "string" }, minItems: 1 };

export const cidrOperators: Operator[] = [
  valueOperator<void>({
    name: "cidr-open-to-world",
    description: "A CIDR with prefix length 0, whatever the address (0.0.0.0/0, ::/0, 1.2.3.4/0).",
    valueSchema: null,
    test: (actual) => parseCidr(actual)?.prefix === 0,
  }),
  valueOperator<void>({
    name: "cidr-public",
    description: "A CIDR that includes at least one internet-routable address.",
    valueSchema: null,
    test: (actual) => {
      const r = parseCidr(actual);
      return r !== null && !isNonPublic(r);
    },
  }),
  valueOperator<void>({
    name: "cidr-private",
    description: "A CIDR entirely inside RFC 1918 (IPv4) or unique-local (IPv6) space.",
    valueSchema: null,
    test: (actual) => {
      const r = parseCidr(actual);
      return r !== null && isPrivate(r);
    },
  }),
  valueOperator<number>({
    name: "cidr-prefix-lt",
    description: "A CIDR whose prefix length is less than `value` (a wider block).",
    valueSchema: { type: "integer", minimum: 0, maximum: 128 },
    test: (actual, n) => {
      const r = parseCidr(actual);
      return r !== null && r.prefix < n;
    },
  }),
  valueOperator<number>({
    name: "cidr-prefix-gt",
    description: "A CIDR whose prefix length is greater than `value` (a narrower block).",
    valueSchema: { type: "integer", minimum: 0, maximum: 128 },
    test: (actual, n) => {
      const r = parseCidr(actual);
      return r !== null && r.prefix > n;
    },
  }),
  valueOperator<CidrRange[]>({
    name: "cidr-overlaps",
    description: "A CIDR sharing at least one address with any block in `value`.",
    valueSchema: cidrList,
    prepare: (value) => ranges(value as string[]),
    test: (actual, list) => {
      const r = parseCidr(actual);
      return r !== null && list.some((other) => overlaps(r, other));
    },
  }),
  valueOperator<CidrRange[]>({
    name: "cidr-within",
    description: "A CIDR entirely inside one of the blocks in `value`.",
    valueSchema: cidrList,
    prepare: (value) => ranges(value as string[]),
    test: (actual, list) => {
      const r = parseCidr(actual);
      return r !== null && list.some((outer) => contains(outer, r));
    },
  }),
];
