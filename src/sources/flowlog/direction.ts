/**
 * Which end of a record is the client (flowlogs.md §5). TCP flags decide when they can: SYN without
 * ACK is on the client's record, SYN-ACK on the server's. Otherwise ports, in this order:
 *  1. a well-known port (1–1023) against a non-well-known one — the well-known end serves;
 *  2. a common service port (databases, caches, brokers, HTTP alternates) against one that is not;
 *  3. an ephemeral port (≥ 32768: Linux 32768–61000, Windows 49152–65535) against one that is not —
 *     the other end serves (ELB, NAT and Lambda use 1024–65535, so this step can be wrong for them);
 *  4. the lower port serves.
 * Without ports (ICMP, other protocols) the source is taken as the client.
 */

export type ClientBy = "tcp-flags" | "well-known-port" | "service-port" | "ephemeral-port" | "lower-port" | "source";

const SYN = 2;
const ACK = 16;

/** Registered ports servers commonly listen on above 1023. */
export const SERVICE_PORTS: ReadonlySet<number> = new Set([
  1433, 1434, 1521, 1522, 2049, 2181, 2375, 2376, 2379, 3000, 3306, 3307, 3389, 4369, 5000, 5432, 5433, 5439, 5601,
  5671, 5672, 5900, 5984, 6379, 6380, 6443, 7000, 7001, 7199, 8000, 8008, 8080, 8081, 8088, 8181, 8443, 8500, 8529,
  8888, 9000, 9042, 9090, 9092, 9094, 9160, 9200, 9243, 9300, 9418, 10250, 11211, 15672, 27017, 27018, 27019,
]);
/** `SERVICE_PORTS` as a table, for the per-record hot path (a Set lookup per port costs more). */
const IS_SERVICE_PORT = new Uint8Array(65536);
for (const port of SERVICE_PORTS) IS_SERVICE_PORT[port] = 1;

export interface ClientDecision {
  srcIsClient: boolean;
  by: ClientBy;
}

/** Decides from TCP flags alone; undefined when they do not say (no SYN, or not TCP). */
export function decideByFlags(protocol: number | undefined, tcpFlags: number | undefined): ClientDecision | undefined {
  if (protocol !== 6 || tcpFlags === undefined || (tcpFlags & SYN) === 0) return undefined;
  return { srcIsClient: (tcpFlags & ACK) === 0, by: "tcp-flags" };
}

const SOURCE: ClientDecision = { srcIsClient: true, by: "source" };

export function decideByPorts(srcPort: number | undefined, dstPort: number | undefined): ClientDecision {
  const code = portsDecision(srcPort, dstPort);
  return code === SOURCE_CODE ? SOURCE : { srcIsClient: (code & 1) === 1, by: CLIENT_BY[code >> 1]! };
}

/**
 * The same decisions as one small integer, for the per-record hot path (no object per record):
 * `CLIENT_BY` index × 2, plus 1 when the source is the client. Read with `srcIsClient` / `clientBy`.
 */
export type DecisionCode = number;

/** Decision codes index this list (`code >> 1`). */
export const CLIENT_BY: readonly ClientBy[] = ["tcp-flags", "well-known-port", "service-port", "ephemeral-port", "lower-port", "source"];
const SOURCE_CODE = 5 * 2 + 1;

export function srcIsClient(code: DecisionCode): boolean {
  return (code & 1) === 1;
}

export function clientBy(code: DecisionCode): ClientBy {
  return CLIENT_BY[code >> 1]!;
}

/** TCP flags when they tell, else the port heuristics: `decideByFlags(...) ?? decideByPorts(...)`. */
export function decide(protocol: number | undefined, tcpFlags: number | undefined, srcPort: number | undefined, dstPort: number | undefined): DecisionCode {
  if (protocol === 6 && tcpFlags !== undefined && (tcpFlags & SYN) !== 0) return (tcpFlags & ACK) === 0 ? 1 : 0;
  return portsDecision(srcPort, dstPort);
}

function portsDecision(srcPort: number | undefined, dstPort: number | undefined): DecisionCode {
  if (srcPort === undefined || dstPort === undefined || srcPort === 0 || dstPort === 0 || srcPort === dstPort) return SOURCE_CODE;
  const srcWellKnown = srcPort < 1024;
  if (srcWellKnown !== dstPort < 1024) return 2 + (srcWellKnown ? 0 : 1);
  const srcService = IS_SERVICE_PORT[srcPort] === 1;
  if (srcService !== (IS_SERVICE_PORT[dstPort] === 1)) return 4 + (srcService ? 0 : 1);
  const srcEphemeral = srcPort >= 32768;
  if (srcEphemeral !== dstPort >= 32768) return 6 + (srcEphemeral ? 1 : 0);
  return 8 + (srcPort > dstPort ? 1 : 0);
}
