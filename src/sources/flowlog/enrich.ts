/**
 * Parsed records → enriched flows in the shape of issue 5 (`Protocol`, `Uploaded`, `Downloaded`,
 * `Start`, `End`, `Action`, `Client{...}`, `Server{..., AwsService}`), plus added fields. Per chunk:
 * pair each record with its reverse-direction twin, collect the distinct interface ids and private
 * addresses, resolve them in one batched `prefetch`, then build every flow from in-memory data.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { addressScope, type AddressScope } from "./addresses";
import type { EndpointType } from "./classify";
import { decideByFlags, decideByPorts, type ClientBy, type ClientDecision } from "./direction";
import type { FlowAction, FlowRecord } from "./fields";
import {
  createEc2Directory,
  createInventoryDirectory,
  type DirectoryStats,
  type InterfaceDirectory,
  type InterfaceInfo,
  type Inventory,
  type LiveDirectoryOptions,
} from "./interfaces";
import { loadIpRanges, type IpRanges } from "./ipRanges";

/** One end of a flow. Endpoint objects are shared between flows and frozen. */
export interface Endpoint {
  Addr: string;
  /** ARN of the owning resource (instance, function, load balancer, ...) or of the interface. */
  Arns?: string;
  InterfaceId?: string;
  SubnetId?: string;
  VpcId?: string;
  AccountId?: string;
  SecurityGroupIds?: readonly string[];
  AvailabilityZone?: string;
  Region?: string;
  Type: EndpointType;
  Rfc1918: boolean;
  Tags?: Readonly<Record<string, string>>;
  /** ip-ranges.json service in lower case (`s3`, `ec2`, `amazon`) for AWS addresses. */
  AwsService?: string;
  // Added fields:
  /** Routable on the internet (not RFC 1918, CGNAT, link-local, loopback, ULA, ...). */
  Public: boolean;
  InstanceId?: string;
  /** Id of the owning resource where known (instance id, function name, nat-..., vpce-..., fs-...). */
  ResourceId?: string;
  /** `instance` when Tags are the attached instance's, `interface` when the interface's own. */
  TagsFrom?: "instance" | "interface";
}

/** A flow with traffic (log-status OK, or no log-status field in a custom format). */
export interface EnrichedTraffic {
  LogStatus: "OK";
  /** `tcp`, `udp`, `icmp`, `icmpv6`, ... or the IANA number as text. */
  Protocol: string;
  /** Bytes client → server, when the record of that direction was seen. */
  Uploaded?: number;
  /** Bytes server → client, when the record of that direction was seen. */
  Downloaded?: number;
  /** Epoch seconds as text (as in the example). */
  Start: string;
  End: string;
  Action?: FlowAction;
  Client: Endpoint;
  Server: Endpoint;
  // Added fields:
  ProtocolNumber?: number;
  /** Client port and server port. */
  SrcPort?: number;
  DstPort?: number;
  UploadedPackets?: number;
  DownloadedPackets?: number;
  /** Connection direction relative to the capturing interface: `inbound` when it is the server. */
  Direction: "inbound" | "outbound" | "unknown";
  ClientBy: ClientBy;
  InterfaceId?: string;
  AccountId?: string;
  Region?: string;
  /** Both ends' zones are known and differ (cross-AZ data transfer is billed). */
  CrossAz?: boolean;
  TcpFlags?: number;
  /** Egress path code of the v5 `traffic-path` field. */
  TrafficPath?: number;
  /** True when this flow merges a record with its reverse-direction twin. */
  Paired: boolean;
  /** Line numbers of the record(s) this flow came from (first is the subject's location). */
  Lines: number[];
}

/** A record without traffic: NODATA (nothing in the window) or SKIPDATA (capture overflowed). */
export interface EnrichedGap {
  LogStatus: "NODATA" | "SKIPDATA";
  Start: string;
  End: string;
  InterfaceId?: string;
  AccountId?: string;
  Region?: string;
  /** The capturing interface, when known. */
  Interface?: Endpoint;
  Lines: number[];
}

export type EnrichedFlow = EnrichedTraffic | EnrichedGap;

export interface Enricher {
  readonly directory: InterfaceDirectory;
  readonly ipRanges: IpRanges;
  readonly region?: string;
  readonly stats: DirectoryStats;
}

export interface EnricherOptions {
  /** Live lookups; mutually exclusive with `inventory`. */
  ec2Client?: Pick<EC2Client, "send">;
  /** Offline interface inventory (see `loadInventoryFiles`). */
  inventory?: Inventory;
  /** ip-ranges.json: a loaded table, a path to a newer file, or (default) the bundled snapshot. */
  ipRanges?: IpRanges | string;
  /** Default region for ARNs and endpoints whose zone is unknown. */
  region?: string;
  /** Cache/batch/backoff settings for live lookups. */
  live?: Omit<LiveDirectoryOptions, "client" | "region">;
  /** A ready-made directory (tests, shared caches across invocations). */
  directory?: InterfaceDirectory;
}

export function createEnricher(options: EnricherOptions = {}): Enricher {
  const ipRanges = typeof options.ipRanges === "object" ? options.ipRanges : loadIpRanges(options.ipRanges);
  const directory =
    options.directory ??
    (options.ec2Client
      ? createEc2Directory({ ...options.live, client: options.ec2Client, region: options.region })
      : createInventoryDirectory(options.inventory ?? { networkInterfaces: [], instanceTags: new Map() }, options.region));
  return { directory, ipRanges, region: options.region, stats: directory.stats };
}

export interface EnrichOptions {
  /** Merge each record with its reverse-direction twin in the same window (default true). */
  pair?: boolean;
}

const PROTOCOL_NAMES: Record<number, string> = { 1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6", 132: "sctp" };

export function protocolName(protocol: number | undefined): string {
  if (protocol === undefined) return "unknown";
  return PROTOCOL_NAMES[protocol] ?? String(protocol);
}

interface Unit {
  primary: FlowRecord;
  twin?: FlowRecord;
}

function srcOf(r: FlowRecord): string | undefined {
  return r.pktSrcaddr ?? r.srcaddr;
}
function dstOf(r: FlowRecord): string | undefined {
  return r.pktDstaddr ?? r.dstaddr;
}

/**
 * Pairs records of the two directions of one connection seen on the same interface, with the same
 * action, in overlapping windows. Records of different actions stay apart (an accepted request with a
 * rejected reply is two facts a rule may want).
 */
export function pairRecords(records: readonly FlowRecord[], pair = true): Unit[] {
  const units: Unit[] = [];
  const waiting = new Map<string, Unit>();
  for (const record of records) {
    const status = record.logStatus;
    const src = srcOf(record);
    const dst = dstOf(record);
    if (!pair || (status !== undefined && status !== "OK") || src === undefined || dst === undefined) {
      units.push({ primary: record });
      continue;
    }
    // One canonical key per connection (ends in a fixed order), so each record costs one key and one lookup.
    const forward = src < dst || (src === dst && (record.srcport ?? 0) <= (record.dstport ?? 0));
    const key = forward
      ? `${record.interfaceId}|${record.protocol}|${record.action}|${src}|${record.srcport}|${dst}|${record.dstport}`
      : `${record.interfaceId}|${record.protocol}|${record.action}|${dst}|${record.dstport}|${src}|${record.srcport}`;
    const candidate = waiting.get(key);
    const waitingIsReverse = candidate !== undefined && srcOf(candidate.primary) === dst && candidate.primary.srcport === record.dstport;
    if (waitingIsReverse && overlaps(candidate.primary, record)) {
      candidate.twin = record;
      waiting.delete(key);
      continue;
    }
    const unit: Unit = { primary: record };
    units.push(unit);
    waiting.set(key, unit);
  }
  return units;
}

function overlaps(a: FlowRecord, b: FlowRecord): boolean {
  if (a.start === undefined || b.start === undefined || a.end === undefined || b.end === undefined) return a.start === b.start;
  return a.start <= b.end && b.start <= a.end;
}

function regionOf(record: FlowRecord, info: InterfaceInfo | undefined, enricher: Enricher): string | undefined {
  return record.region ?? info?.region ?? enricher.region;
}

/** Per-call memo of address → endpoint, so each distinct address is classified once per chunk. */
class EndpointResolver {
  /** Endpoints by VPC of the capturing interface (addresses repeat across VPCs), then by address. */
  private readonly memo = new Map<string | undefined, Map<string, Endpoint>>();
  private readonly scopes = new Map<string, AddressScope | undefined>();

  constructor(private readonly enricher: Enricher) {}

  scope(address: string): AddressScope | undefined {
    let scope = this.scopes.get(address);
    if (scope === undefined && !this.scopes.has(address)) {
      scope = addressScope(address);
      this.scopes.set(address, scope);
    }
    return scope;
  }

  resolve(address: string, capturing: InterfaceInfo | undefined, awsService: string | undefined): Endpoint {
    const vpcId = capturing?.vpcId;
    let byAddress = this.memo.get(vpcId);
    if (byAddress === undefined) this.memo.set(vpcId, (byAddress = new Map()));
    let endpoint = byAddress.get(address);
    if (endpoint === undefined) {
      endpoint = this.build(address, capturing, vpcId);
      byAddress.set(address, endpoint);
    }
    if (awsService !== undefined && endpoint.AwsService === undefined) {
      // v5 pkt-*-aws-service names the service directly.
      return Object.freeze({ ...endpoint, Type: "aws:service", AwsService: awsService.toLowerCase() });
    }
    return endpoint;
  }

  private build(address: string, capturing: InterfaceInfo | undefined, vpcId: string | undefined): Endpoint {
    const scope = this.scope(address);
    const rfc1918 = scope === "rfc1918";
    const isPublic = scope === "public";
    const info =
      capturing && capturing.addresses.includes(address) ? capturing : this.enricher.directory.byAddress(address, vpcId);
    if (info) return interfaceEndpoint(address, info, rfc1918, isPublic);
    if (isPublic) {
      const range = this.enricher.ipRanges.lookup(address);
      if (range) {
        const region = range.region === "GLOBAL" ? undefined : range.region;
        return Object.freeze({ Addr: address, Type: "aws:service", AwsService: range.service.toLowerCase(), Region: region, Rfc1918: false, Public: true });
      }
      return Object.freeze({ Addr: address, Type: "internet", Rfc1918: false, Public: true });
    }
    return Object.freeze({ Addr: address, Type: "private", Rfc1918: rfc1918, Public: false });
  }
}

function interfaceEndpoint(address: string, info: InterfaceInfo, rfc1918: boolean, isPublic: boolean): Endpoint {
  return Object.freeze({
    Addr: address,
    Arns: info.kind.arn,
    InterfaceId: info.interfaceId,
    SubnetId: info.subnetId,
    VpcId: info.vpcId,
    AccountId: info.accountId,
    SecurityGroupIds: Object.freeze([...info.securityGroupIds]),
    AvailabilityZone: info.availabilityZone,
    Region: info.region,
    Type: info.kind.type,
    Rfc1918: rfc1918,
    Tags: Object.freeze({ ...info.tags }),
    Public: isPublic,
    InstanceId: info.instanceId,
    ResourceId: info.kind.resourceId,
    TagsFrom: info.tagsFrom,
  });
}

function gapEndpoint(info: InterfaceInfo, resolver: EndpointResolver): Endpoint {
  const address = info.addresses[0] ?? "";
  const scope = resolver.scope(address);
  return interfaceEndpoint(address, info, scope === "rfc1918", scope === "public");
}

/** Enriches a chunk of records (resolving unknown interfaces in one batch first). */
export async function enrichFlows(records: readonly FlowRecord[], enricher: Enricher, options: EnrichOptions = {}): Promise<EnrichedFlow[]> {
  const units = pairRecords(records, options.pair ?? true);
  const resolver = new EndpointResolver(enricher);

  const interfaceIds = new Set<string>();
  const addresses = new Set<string>();
  for (const record of records) {
    if (record.interfaceId !== undefined) interfaceIds.add(record.interfaceId);
    const src = srcOf(record);
    const dst = dstOf(record);
    if (src !== undefined) addresses.add(src);
    if (dst !== undefined) addresses.add(dst);
  }
  // Only private addresses can be looked up by `addresses.private-ip-address`.
  const privateAddresses = [...addresses].filter((a) => {
    const scope = resolver.scope(a);
    return scope !== undefined && scope !== "public";
  });
  await enricher.directory.prefetch(interfaceIds, privateAddresses);

  const out: EnrichedFlow[] = new Array(units.length);
  for (let i = 0; i < units.length; i++) out[i] = enrichUnit(units[i]!, enricher, resolver);
  return out;
}

function enrichUnit(unit: Unit, enricher: Enricher, resolver: EndpointResolver): EnrichedFlow {
  const r = unit.primary;
  const info = r.interfaceId !== undefined ? enricher.directory.byId(r.interfaceId) : undefined;
  const src = srcOf(r);
  const dst = dstOf(r);
  const status = r.logStatus;
  if ((status !== undefined && status !== "OK") || src === undefined || dst === undefined) {
    return {
      LogStatus: status === "SKIPDATA" ? "SKIPDATA" : "NODATA",
      Start: String(r.start ?? ""),
      End: String(r.end ?? ""),
      InterfaceId: r.interfaceId,
      AccountId: r.accountId,
      Region: regionOf(r, info, enricher),
      Interface: info ? gapEndpoint(info, resolver) : undefined,
      Lines: [r.line],
    };
  }
  const twin = unit.twin;
  const decision: ClientDecision =
    decideByFlags(r.protocol, r.tcpFlags) ?? invert(decideByFlags(twin?.protocol, twin?.tcpFlags)) ?? decideByPorts(r.srcport, r.dstport);
  const srcEndpoint = resolver.resolve(src, info, r.pktSrcAwsService);
  const dstEndpoint = resolver.resolve(dst, info, r.pktDstAwsService);
  const srcIsClient = decision.srcIsClient;
  const client = srcIsClient ? srcEndpoint : dstEndpoint;
  const server = srcIsClient ? dstEndpoint : srcEndpoint;

  // Which end is the capturing interface: by its addresses when known, else the one non-public end.
  let localIsSrc: boolean | undefined;
  if (info) localIsSrc = info.addresses.includes(src) ? true : info.addresses.includes(dst) ? false : undefined;
  if (localIsSrc === undefined && srcEndpoint.Public !== dstEndpoint.Public) localIsSrc = !srcEndpoint.Public;
  const direction = localIsSrc === undefined ? "unknown" : localIsSrc === srcIsClient ? "outbound" : "inbound";

  const upload = srcIsClient ? r : twin;
  const download = srcIsClient ? twin : r;
  const start = twin?.start !== undefined && r.start !== undefined ? Math.min(r.start, twin.start) : r.start;
  const end = twin?.end !== undefined && r.end !== undefined ? Math.max(r.end, twin.end) : r.end;
  const crossAz =
    client.AvailabilityZone !== undefined && server.AvailabilityZone !== undefined ? client.AvailabilityZone !== server.AvailabilityZone : undefined;
  return {
    LogStatus: "OK",
    Protocol: protocolName(r.protocol),
    Uploaded: upload?.bytes,
    Downloaded: download?.bytes,
    Start: String(start ?? ""),
    End: String(end ?? ""),
    Action: r.action,
    Client: client,
    Server: server,
    ProtocolNumber: r.protocol,
    SrcPort: srcIsClient ? r.srcport : r.dstport,
    DstPort: srcIsClient ? r.dstport : r.srcport,
    UploadedPackets: upload?.packets,
    DownloadedPackets: download?.packets,
    Direction: direction,
    ClientBy: decision.by,
    InterfaceId: r.interfaceId,
    AccountId: r.accountId,
    Region: regionOf(r, info, enricher),
    CrossAz: crossAz,
    TcpFlags: r.tcpFlags,
    TrafficPath: r.trafficPath ?? twin?.trafficPath,
    Paired: twin !== undefined,
    Lines: twin ? [r.line, twin.line] : [r.line],
  };
}

function invert(decision: ClientDecision | undefined): ClientDecision | undefined {
  return decision && { srcIsClient: !decision.srcIsClient, by: decision.by };
}
