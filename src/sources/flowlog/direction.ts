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
  if (srcPort === undefined || dstPort === undefined || srcPort === 0 || dstPort === 0 || srcPort === dstPort) return SOURCE;
  const srcWellKnown = srcPort < 1024;
  const dstWellKnown = dstPort < 1024;
  if (srcWellKnown !== dstWellKnown) return { srcIsClient: dstWellKnown, by: "well-known-port" };
  const srcService = SERVICE_PORTS.has(srcPort);
  const dstService = SERVICE_PORTS.has(dstPort);
  if (srcService !== dstService) return { srcIsClient: dstService, by: "service-port" };
  const srcEphemeral = srcPort >= 32768;
  const dstEphemeral = dstPort >= 32768;
  if (srcEphemeral !== dstEphemeral) return { srcIsClient: srcEphemeral, by: "ephemeral-port" };
  return { srcIsClient: srcPort > dstPort, by: "lower-port" };
}
