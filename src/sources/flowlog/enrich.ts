/**
 * Parsed records → enriched flows in the shape of issue 5 (`Protocol`, `Uploaded`, `Downloaded`,
 * `Start`, `End`, `Action`, `Client{...}`, `Server{..., AwsService}`), plus added fields. Records are
 * folded into conversations first (`conversations.ts`: both directions and every connection of one
 * client/server/port pair on one interface), so each conversation is enriched once. Per batch: collect
 * the distinct interface ids and private addresses, resolve them in one batched `prefetch`, then build
 * every flow from in-memory data.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { addressScope, type AddressScope } from "./addresses";
import type { EndpointType } from "./classify";
import { foldRecords, type Conversation, type FlowGapRecord, type FlowUnit, type FoldableRecord } from "./conversations";
import type { ClientBy } from "./direction";
import type { FlowAction } from "./fields";
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

/**
 * A conversation with traffic (log-status OK, or no log-status field in a custom format): every record
 * of one client, server and server port on one interface with one action, both directions.
 */
export interface EnrichedTraffic {
  LogStatus: "OK";
  /** `tcp`, `udp`, `icmp`, `icmpv6`, ... or the IANA number as text. */
  Protocol: string;
  /** Bytes client → server, summed over the records of that direction, when one was seen. */
  Uploaded?: number;
  /** Bytes server → client, summed over the records of that direction, when one was seen. */
  Downloaded?: number;
  /** Epoch seconds as text (as in the example): earliest start, latest end of the records. */
  Start: string;
  End: string;
  Action?: FlowAction;
  Client: Endpoint;
  Server: Endpoint;
  // Added fields:
  ProtocolNumber?: number;
  /** Client port (of the first record: each connection has its own ephemeral port) and server port. */
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
  /** TCP flags of all the conversation's records, OR-ed. */
  TcpFlags?: number;
  /** Egress path code of the v5 `traffic-path` field. */
  TrafficPath?: number;
  /** True when records of both directions were seen. */
  Paired: boolean;
  /** Line numbers of the first records this flow came from (first is the subject's location; at most 32). */
  Lines: number[];
  /** How many records were folded into this flow. */
  Records: number;
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

function bundledIpRangesOnFirstUse(): IpRanges {
  let table: IpRanges | undefined;
  const load = () => (table ??= loadIpRanges());
  return {
    lookup: (address) => load().lookup(address),
    get syncToken() {
      return load().syncToken;
    },
    get createDate() {
      return load().createDate;
    },
    get prefixCount() {
      return load().prefixCount;
    },
  };
}

export function createEnricher(options: EnricherOptions = {}): Enricher {
  // A file the user named is read now, so a bad path is reported at start; the bundled snapshot is
  // read on the first public address, keeping a Lambda cold start to what the handler needs to load.
  const ipRanges =
    typeof options.ipRanges === "object" ? options.ipRanges : options.ipRanges === undefined ? bundledIpRangesOnFirstUse() : loadIpRanges(options.ipRanges);
  const directory =
    options.directory ??
    (options.ec2Client
      ? createEc2Directory({ ...options.live, client: options.ec2Client, region: options.region })
      : createInventoryDirectory(options.inventory ?? { networkInterfaces: [], instanceTags: new Map() }, options.region));
  return { directory, ipRanges, region: options.region, stats: directory.stats };
}

export interface EnrichOptions {
  /** Fold records into conversations (default true); false: one flow per record. */
  pair?: boolean;
}

const PROTOCOL_NAMES: Record<number, string> = { 1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6", 132: "sctp" };

export function protocolName(protocol: number | undefined): string {
  if (protocol === undefined) return "unknown";
  return PROTOCOL_NAMES[protocol] ?? String(protocol);
}

function regionOf(unit: FlowUnit, info: InterfaceInfo | undefined, enricher: Enricher): string | undefined {
  return unit.region ?? info?.region ?? enricher.region;
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

/** Folds records into conversations and enriches them (see `enrichConversations`). */
export async function enrichFlows(records: readonly FoldableRecord[], enricher: Enricher, options: EnrichOptions = {}): Promise<EnrichedFlow[]> {
  return enrichConversations(foldRecords(records, options.pair ?? true), enricher);
}

/** Enriches folded conversations and gaps, in their order, resolving unknown interfaces in one batch first. */
export async function enrichConversations(units: readonly FlowUnit[], enricher: Enricher): Promise<EnrichedFlow[]> {
  const resolver = new EndpointResolver(enricher);
  const interfaceIds = new Set<string>();
  const addresses = new Set<string>();
  for (const unit of units) {
    if (unit.interfaceId !== undefined) interfaceIds.add(unit.interfaceId);
    if (unit.kind === "traffic") {
      addresses.add(unit.client);
      addresses.add(unit.server);
    }
  }
  // Only private addresses can be looked up by `addresses.private-ip-address`.
  const privateAddresses = [...addresses].filter((a) => {
    const scope = resolver.scope(a);
    return scope !== undefined && scope !== "public";
  });
  await enricher.directory.prefetch(interfaceIds, privateAddresses);

  const out: EnrichedFlow[] = new Array(units.length);
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    out[i] = unit.kind === "traffic" ? enrichConversation(unit, enricher, resolver) : enrichGap(unit, enricher, resolver);
  }
  return out;
}

function enrichGap(gap: FlowGapRecord, enricher: Enricher, resolver: EndpointResolver): EnrichedGap {
  const info = gap.interfaceId !== undefined ? enricher.directory.byId(gap.interfaceId) : undefined;
  return {
    LogStatus: gap.logStatus,
    Start: String(gap.start ?? ""),
    End: String(gap.end ?? ""),
    InterfaceId: gap.interfaceId,
    AccountId: gap.accountId,
    Region: regionOf(gap, info, enricher),
    Interface: info ? gapEndpoint(info, resolver) : undefined,
    Lines: [gap.line],
  };
}

function enrichConversation(c: Conversation, enricher: Enricher, resolver: EndpointResolver): EnrichedTraffic {
  const info = c.interfaceId !== undefined ? enricher.directory.byId(c.interfaceId) : undefined;
  const client = resolver.resolve(c.client, info, c.clientAwsService);
  const server = resolver.resolve(c.server, info, c.serverAwsService);

  // Which end is the capturing interface: by its addresses when known, else the one non-public end.
  let localIsClient: boolean | undefined;
  if (info) localIsClient = info.addresses.includes(c.client) ? true : info.addresses.includes(c.server) ? false : undefined;
  if (localIsClient === undefined && client.Public !== server.Public) localIsClient = !client.Public;
  const direction = localIsClient === undefined ? "unknown" : localIsClient ? "outbound" : "inbound";
  const crossAz =
    client.AvailabilityZone !== undefined && server.AvailabilityZone !== undefined ? client.AvailabilityZone !== server.AvailabilityZone : undefined;
  return {
    LogStatus: "OK",
    Protocol: protocolName(c.protocol),
    Uploaded: c.upBytes,
    Downloaded: c.downBytes,
    Start: String(c.start ?? ""),
    End: String(c.end ?? ""),
    Action: c.action,
    Client: client,
    Server: server,
    ProtocolNumber: c.protocol,
    SrcPort: c.clientPort,
    DstPort: c.serverPort,
    UploadedPackets: c.upPackets,
    DownloadedPackets: c.downPackets,
    Direction: direction,
    ClientBy: c.clientBy,
    InterfaceId: c.interfaceId,
    AccountId: c.accountId,
    Region: regionOf(c, info, enricher),
    CrossAz: crossAz,
    TcpFlags: c.tcpFlags,
    TrafficPath: c.trafficPath,
    Paired: c.sawUp && c.sawDown,
    Lines: c.lines,
    Records: c.records,
  };
}
