import { isObject } from "../../util/objects";
import { OperatorValueError, valueOperator, type Operator } from "./types";

/** Protocols as CloudFormation and CloudTrail spell them, reduced to one name each. */
export function normalizeProtocol(value: unknown): string {
  const text = String(value ?? "-1").toLowerCase();
  switch (text) {
    case "tcp":
    case "6":
      return "tcp";
    case "udp":
    case "17":
      return "udp";
    case "icmp":
    case "1":
      return "icmp";
    case "icmpv6":
    case "58":
      return "icmpv6";
    case "-1":
    case "all":
      return "all";
    default:
      return text;
  }
}

export interface PortRange {
  protocol: string;
  from: number;
  to: number;
}

const ALL_PORTS = { from: 0, to: 65535 };

function toPort(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

/**
 * The ports a security-group entry (`IpProtocol`, `FromPort`, `ToPort`) opens. Protocol "all", a
 * missing range or -1 mean every port. Returns undefined for an entry whose ports are not literal
 * (an unresolved parameter), so rules do not guess.
 */
export function entryPorts(entry: unknown): PortRange | undefined {
  if (!isObject(entry)) return undefined;
  const protocol = normalizeProtocol(entry.IpProtocol);
  if (protocol === "all") return { protocol, ...ALL_PORTS };
  const hasFrom = entry.FromPort !== undefined && entry.FromPort !== null;
  const hasTo = entry.ToPort !== undefined && entry.ToPort !== null;
  const from = hasFrom ? toPort(entry.FromPort) : ALL_PORTS.from;
  const to = hasTo ? toPort(entry.ToPort) : ALL_PORTS.to;
  if (from === undefined || to === undefined) return undefined;
  if (from === -1 || to === -1) return { protocol, ...ALL_PORTS };
  return { protocol, from: Math.min(from, to), to: Math.max(from, to) };
}

/** Allow-list entries in rule files and config: a port number, or `{protocol?, from, to}`. */
export function parsePortList(value: unknown): PortRange[] {
  if (!Array.isArray(value)) throw new OperatorValueError("expected a list of ports");
  return value.map((item) => {
    if (typeof item === "number") return { protocol: "any", from: item, to: item };
    if (isObject(item) && typeof item.from === "number" && typeof item.to === "number") {
      return {
        protocol: item.protocol === undefined ? "any" : normalizeProtocol(item.protocol),
        from: Math.min(item.from, item.to),
        to: Math.max(item.from, item.to),
      };
    }
    throw new OperatorValueError(`invalid port entry ${JSON.stringify(item)}`);
  });
}

function protocolMatches(allowed: string, actual: string): boolean {
  return allowed === "any" || allowed === "all" || allowed === actual;
}

/**
 * True when some port of `entry` is not covered by `allowed`. Protocol "all" is covered only
 * by an allow-list entry for all protocols covering every port.
 */
export function portsOutside(entry: PortRange, allowed: readonly PortRange[]): boolean {
  const covering = allowed
    .filter((a) => (entry.protocol === "all" ? a.protocol === "all" : protocolMatches(a.protocol, entry.protocol)))
    .sort((a, b) => a.from - b.from);
  // Walk the entry's range, advancing over allow-list ranges that touch the next uncovered port.
  let next = entry.from;
  for (const range of covering) {
    if (range.from > next) break;
    if (range.to >= next) next = range.to + 1;
    if (next > entry.to) return false;
  }
  return next <= entry.to;
}

export function portsOverlap(entry: PortRange, list: readonly PortRange[]): boolean {
  return list.some(
    (r) =>
      (entry.protocol === "all" || r.protocol === "all" || protocolMatches(r.protocol, entry.protocol)) &&
      r.from <= entry.to &&
      entry.from <= r.to,
  );
}

const portListSchema = {
  type: "array",
  items: {
    anyOf: [
      { type: "integer", minimum: 0, maximum: 65535 },
      {
        type: "object",
        additionalProperties: false,
        required: ["from", "to"],
        properties: { protocol: { type: "string" }, from: { type: "integer" }, to: { type: "integer" } },
      },
    ],
  },
};

function describe(entry: PortRange): string {
  if (entry.protocol === "all") return "all protocols and ports";
  // ICMP has types and codes, not ports.
  if (entry.protocol === "icmp" || entry.protocol === "icmpv6") return entry.from === 0 && entry.to === 65535 ? `all ${entry.protocol}` : `${entry.protocol} type ${entry.from}`;
  return `${entry.protocol} ${entry.from === entry.to ? entry.from : `${entry.from}-${entry.to}`}`;
}

export const portOperators: Operator[] = [
  valueOperator<PortRange[]>({
    name: "ports-outside",
    description:
      "A security-group entry ({IpProtocol, FromPort, ToPort}) opening at least one port not covered by the allow-list `value`.",
    valueSchema: portListSchema,
    prepare: parsePortList,
    test: (actual, allowed) => {
      const ports = entryPorts(actual);
      return ports !== undefined && portsOutside(ports, allowed);
    },
    explain: (actual) => {
      const ports = entryPorts(actual);
      return ports ? `opens ${describe(ports)}` : "";
    },
  }),
  valueOperator<PortRange[]>({
    name: "ports-overlap",
    description: "A security-group entry opening at least one port listed in `value`.",
    valueSchema: portListSchema,
    prepare: parsePortList,
    test: (actual, list) => {
      const ports = entryPorts(actual);
      return ports !== undefined && portsOverlap(ports, list);
    },
    explain: (actual) => {
      const ports = entryPorts(actual);
      return ports ? `opens ${describe(ports)}` : "";
    },
  }),
];
