/**
 * Address scopes for flow endpoints. IPv4 is checked by hand on the hot path (a flow log is mostly
 * IPv4); IPv6 goes through ipaddr.js, whose special-purpose range table is maintained upstream.
 */
import ipaddr from "ipaddr.js";

/** Dotted quad → unsigned 32-bit number, or -1 when `text` is not one. No allocation. */
export function parseIPv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * `rfc1918`: 10/8, 172.16/12, 192.168/16. `private`: other addresses not routed on the internet
 * (shared CGNAT 100.64/10 that EKS and others use, loopback, link-local, unique-local IPv6, ...).
 * `public`: everything else. The documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24) count
 * as public: AWS's own examples use them for "a host on the internet".
 */
export type AddressScope = "rfc1918" | "private" | "public";

/** [network, prefix length] pairs of IPv4 space that is not public (besides RFC 1918). */
const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = [
  ["0.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["192.0.0.0", 24],
  ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
].map(([net, len]) => [parseIPv4(net as string), len as number] as const);

function inV4(ip: number, network: number, length: number): boolean {
  const size = 2 ** (32 - length);
  return ip >= network && ip < network + size;
}

export function ipv4Scope(ip: number): AddressScope {
  const first = Math.floor(ip / 16777216);
  if (first === 10) return "rfc1918";
  if (first === 172 && inV4(ip, 0xac100000, 12)) return "rfc1918";
  if (first === 192 && inV4(ip, 0xc0a80000, 16)) return "rfc1918";
  for (const [network, length] of PRIVATE_V4) if (inV4(ip, network, length)) return "private";
  return "public";
}

const PUBLIC_V6_RANGES = new Set(["unicast", "reserved"]);

/** Scope of any address text; undefined when it is not an IP address. */
export function addressScope(address: string): AddressScope | undefined {
  const v4 = parseIPv4(address);
  if (v4 >= 0) return ipv4Scope(v4);
  if (!ipaddr.IPv6.isValid(address)) return undefined;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return ipv4Scope(parseIPv4(parsed.toIPv4Address().toString()));
  // "reserved" covers 2001:db8::/32, the documentation prefix: public, like the IPv4 TEST-NETs above.
  return PUBLIC_V6_RANGES.has(parsed.range()) ? "public" : "private";
}
