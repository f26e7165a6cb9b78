/**
 * The interface directory: what each ENI (by id or private address) is, who owns it, its tags and the
 * tags of the instance it is attached to. Two backends:
 *
 * - live: `DescribeNetworkInterfaces` with `network-interface-id` / `addresses.private-ip-address`
 *   filters, up to `batchSize` values per call (EC2 allows 200 filter values per call), paginated with
 *   `MaxResults` 1000; instance tags by `DescribeTags` (`resource-id` filter) in the same batches.
 *   Filters, not `NetworkInterfaceIds`: one deleted ENI would fail a whole id-list call, and
 *   `MaxResults` cannot be combined with ids. Answers (and misses) are cached with an expiry;
 *   `RequestLimitExceeded` is retried with exponential backoff and full jitter. Lookups happen only in
 *   `prefetch`, called once per chunk of records with the chunk's distinct unknown keys — never per record.
 * - inventory: the JSON `aws ec2 describe-network-interfaces` prints (optionally with
 *   `aws ec2 describe-instances` / `describe-tags` output for instance tags), for offline use and tests.
 *
 * When an instance's own tags are unknown (inventory without instance data, or a failed lookup), the
 * interface's `TagSet` stands in for them; `tagsFrom` says which was used.
 */
import type { EC2Client, Filter, NetworkInterface, Tag } from "@aws-sdk/client-ec2";
import { readFile } from "node:fs/promises";
import { messageOf, UserError } from "../../util/errors";
import { isObject, safeFromEntries } from "../../util/objects";
import { plural } from "../../util/plural";
import { classifyInterface, partitionOf, regionOfZone, type InterfaceClass } from "./classify";

/**
 * The EC2 SDK is loaded on the first live lookup: offline runs (inventory files) never need it, and
 * the flow-log Lambda takes it from the runtime rather than bundling its 1 MB (see scripts/package.ts).
 */
function ec2Commands(): typeof import("@aws-sdk/client-ec2") {
  return require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2");
}

export interface InterfaceInfo {
  interfaceId: string;
  accountId?: string;
  subnetId?: string;
  vpcId?: string;
  availabilityZone?: string;
  region?: string;
  securityGroupIds: string[];
  /** Private IPv4/IPv6 and associated public addresses. */
  addresses: string[];
  kind: InterfaceClass;
  instanceId?: string;
  interfaceType?: string;
  description?: string;
  /** Tags of the owning instance when known, else the interface's own tags. */
  tags: Record<string, string>;
  tagsFrom: "instance" | "interface";
  interfaceTags: Record<string, string>;
}

export interface DirectoryStats {
  /** Every EC2 API call made, including retries. */
  ec2Calls: number;
  describeNetworkInterfacesCalls: number;
  describeTagsCalls: number;
  throttled: number;
  cacheHits: number;
}

export interface InterfaceDirectory {
  /** Resolves every id/address not already cached (no-op for an inventory). */
  prefetch(interfaceIds: Iterable<string>, addresses: Iterable<string>): Promise<void>;
  byId(interfaceId: string): InterfaceInfo | undefined;
  /** The interface holding `address`, preferring `vpcId`; undefined when unknown or ambiguous. */
  byAddress(address: string, vpcId?: string): InterfaceInfo | undefined;
  readonly stats: DirectoryStats;
  /** Lookup problems (permissions, exhausted retries), bounded; enrichment continues without the data. */
  readonly warnings: string[];
}

export interface LiveDirectoryOptions {
  client: Pick<EC2Client, "send">;
  /** Region used for ARNs when an interface's zone does not say. */
  region?: string;
  /** Filter values per call (default 200, EC2's per-call limit). */
  batchSize?: number;
  ttlMs?: number;
  /** Expiry of "not found" answers (deleted ENIs), shorter so a new ENI is seen soon. */
  negativeTtlMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const MAX_WARNINGS = 50;

function tagsToRecord(tags: Tag[] | undefined): Record<string, string> {
  return safeFromEntries((tags ?? []).filter((t) => typeof t.Key === "string").map((t) => [t.Key!, t.Value ?? ""])) as Record<string, string>;
}

/** Turns an SDK/CLI `NetworkInterface` into the facts enrichment uses. */
export function toInterfaceInfo(eni: NetworkInterface, defaultRegion?: string, instanceTags?: Record<string, string>): InterfaceInfo | undefined {
  const interfaceId = eni.NetworkInterfaceId;
  if (!interfaceId) return undefined;
  const region = regionOfZone(eni.AvailabilityZone) ?? defaultRegion;
  const accountId = eni.OwnerId;
  const kind = classifyInterface(eni, { partition: partitionOf(region), region: region ?? "", accountId: accountId ?? "" });
  const addresses = new Set<string>();
  if (eni.PrivateIpAddress) addresses.add(eni.PrivateIpAddress);
  for (const p of eni.PrivateIpAddresses ?? []) {
    if (p.PrivateIpAddress) addresses.add(p.PrivateIpAddress);
    if (p.Association?.PublicIp) addresses.add(p.Association.PublicIp);
  }
  for (const p of eni.Ipv6Addresses ?? []) if (p.Ipv6Address) addresses.add(p.Ipv6Address);
  if (eni.Association?.PublicIp) addresses.add(eni.Association.PublicIp);
  const interfaceTags = tagsToRecord(eni.TagSet);
  const instanceId = eni.Attachment?.InstanceId;
  return {
    interfaceId,
    accountId,
    subnetId: eni.SubnetId,
    vpcId: eni.VpcId,
    availabilityZone: eni.AvailabilityZone,
    region,
    securityGroupIds: (eni.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => typeof g === "string"),
    addresses: [...addresses],
    kind,
    instanceId,
    interfaceType: eni.InterfaceType,
    description: eni.Description,
    tags: instanceTags ?? interfaceTags,
    tagsFrom: instanceTags ? "instance" : "interface",
    interfaceTags,
  };
}

/** Indexes of interfaces by id and by address (an address may exist in several VPCs). */
class Index {
  readonly byId = new Map<string, InterfaceInfo | null>();
  readonly byAddress = new Map<string, InterfaceInfo[]>();

  add(info: InterfaceInfo): void {
    const previous = this.byId.get(info.interfaceId);
    this.byId.set(info.interfaceId, info);
    for (const address of info.addresses) {
      const list = (this.byAddress.get(address) ?? []).filter((i) => i !== previous && i.interfaceId !== info.interfaceId);
      list.push(info);
      this.byAddress.set(address, list);
    }
  }

  find(address: string, vpcId?: string): InterfaceInfo | undefined {
    const list = this.byAddress.get(address);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const inVpc = vpcId === undefined ? [] : list.filter((i) => i.vpcId === vpcId);
    return inVpc.length === 1 ? inVpc[0] : undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Inventory (offline)

export interface Inventory {
  networkInterfaces: NetworkInterface[];
  /** Instance id → tags, from describe-instances or describe-tags output. */
  instanceTags: Map<string, Record<string, string>>;
}

/**
 * Reads inventory documents: `aws ec2 describe-network-interfaces` output (`NetworkInterfaces`), and
 * optionally `describe-instances` (`Reservations`) or `describe-tags` (`Tags`) output, in one object
 * or several.
 */
export function inventoryFromDocuments(documents: unknown[], label = "inventory"): Inventory {
  const inventory: Inventory = { networkInterfaces: [], instanceTags: new Map() };
  let recognised = 0;
  for (const document of documents.flatMap((d) => (Array.isArray(d) ? d : [d]))) {
    if (!isObject(document)) continue;
    if (Array.isArray(document.NetworkInterfaces)) {
      recognised++;
      inventory.networkInterfaces.push(...(document.NetworkInterfaces.filter(isObject) as NetworkInterface[]));
    }
    if (Array.isArray(document.Reservations)) {
      recognised++;
      for (const reservation of document.Reservations) {
        if (!isObject(reservation) || !Array.isArray(reservation.Instances)) continue;
        for (const instance of reservation.Instances) {
          if (isObject(instance) && typeof instance.InstanceId === "string") {
            inventory.instanceTags.set(instance.InstanceId, tagsToRecord(Array.isArray(instance.Tags) ? (instance.Tags as Tag[]) : []));
          }
        }
      }
    }
    if (Array.isArray(document.Tags)) {
      recognised++;
      for (const tag of document.Tags) {
        if (!isObject(tag) || tag.ResourceType !== "instance" || typeof tag.ResourceId !== "string" || typeof tag.Key !== "string") continue;
        const tags = inventory.instanceTags.get(tag.ResourceId) ?? {};
        Object.assign(tags, safeFromEntries([[tag.Key, typeof tag.Value === "string" ? tag.Value : ""]]));
        inventory.instanceTags.set(tag.ResourceId, tags);
      }
    }
  }
  if (recognised === 0) {
    throw new UserError(`${label}: not an EC2 inventory (expected the JSON of aws ec2 describe-network-interfaces: {"NetworkInterfaces": [...]})`);
  }
  return inventory;
}

export async function loadInventoryFiles(paths: readonly string[]): Promise<Inventory> {
  const documents: unknown[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new UserError(`${path}: cannot read inventory file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      documents.push(inventoryFromDocuments([JSON.parse(text)], path));
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${path}: inventory file is not valid JSON (${messageOf(error)})`);
    }
  }
  const merged: Inventory = { networkInterfaces: [], instanceTags: new Map() };
  for (const inventory of documents as Inventory[]) {
    merged.networkInterfaces.push(...inventory.networkInterfaces);
    for (const [id, tags] of inventory.instanceTags) merged.instanceTags.set(id, tags);
  }
  return merged;
}

export function createInventoryDirectory(inventory: Inventory, region?: string): InterfaceDirectory {
  const index = new Index();
  for (const eni of inventory.networkInterfaces) {
    const instanceId = eni.Attachment?.InstanceId;
    const info = toInterfaceInfo(eni, region, instanceId ? inventory.instanceTags.get(instanceId) : undefined);
    if (info) index.add(info);
  }
  const stats: DirectoryStats = { ec2Calls: 0, describeNetworkInterfacesCalls: 0, describeTagsCalls: 0, throttled: 0, cacheHits: 0 };
  return {
    stats,
    warnings: [],
    async prefetch() {},
    byId: (id) => index.byId.get(id) ?? undefined,
    byAddress: (address, vpcId) => index.find(address, vpcId),
  };
}

// ---------------------------------------------------------------------------------------------------
// Live (EC2 API)

const THROTTLING_CODES = new Set(["RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException"]);

function errorCode(error: unknown): string {
  if (!isObject(error)) return String(error);
  const code = error.Code ?? error.code ?? error.name;
  return typeof code === "string" ? code : "UnknownError";
}

export function createEc2Directory(options: LiveDirectoryOptions): InterfaceDirectory {
  const client = options.client;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 200, 200));
  const ttlMs = options.ttlMs ?? 15 * 60_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  const index = new Index();
  /** Expiry per looked-up key (`id:eni-...`, `ip:10.0.0.1`); a key past expiry is looked up again. */
  const expiry = new Map<string, number>();
  const stats: DirectoryStats = { ec2Calls: 0, describeNetworkInterfacesCalls: 0, describeTagsCalls: 0, throttled: 0, cacheHits: 0 };
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
  };

  /** Set when retries ran out on throttling: the rest of this prefetch makes no more calls. */
  let throttledOut = false;

  async function send<T>(command: unknown, counter: "describeNetworkInterfacesCalls" | "describeTagsCalls"): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      stats.ec2Calls++;
      stats[counter]++;
      try {
        return (await client.send(command as never)) as T;
      } catch (error) {
        if (!THROTTLING_CODES.has(errorCode(error))) throw error;
        if (attempt + 1 >= maxAttempts) {
          throttledOut = true;
          throw error;
        }
        stats.throttled++;
        // Full jitter: spreads the retries of concurrent Lambda invocations sharing one token bucket.
        await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
      }
    }
  }

  /** All pages of one filtered DescribeNetworkInterfaces; halves the batch if EC2 says it is too big. */
  async function describe(filter: string, values: string[]): Promise<NetworkInterface[]> {
    const found: NetworkInterface[] = [];
    if (throttledOut) return found;
    let nextToken: string | undefined;
    try {
      do {
        const filters: Filter[] = [{ Name: filter, Values: values }];
        const page = await send<{ NetworkInterfaces?: NetworkInterface[]; NextToken?: string }>(
          new (ec2Commands().DescribeNetworkInterfacesCommand)({ Filters: filters, MaxResults: 1000, NextToken: nextToken }),
          "describeNetworkInterfacesCalls",
        );
        found.push(...(page.NetworkInterfaces ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (errorCode(error) === "FilterLimitExceeded" && values.length > 1) {
        const half = Math.ceil(values.length / 2);
        return [...(await describe(filter, values.slice(0, half))), ...(await describe(filter, values.slice(half)))];
      }
      warn(`DescribeNetworkInterfaces (${filter}, ${plural(values.length, "value")}) failed: ${errorCode(error)}: ${error instanceof Error ? error.message : ""}`.trim());
    }
    return found;
  }

  async function instanceTags(instanceIds: string[]): Promise<Map<string, Record<string, string>>> {
    const tags = new Map<string, Record<string, string>>(instanceIds.map((id) => [id, {}]));
    for (const chunk of chunks(instanceIds, batchSize - 1)) {
      let nextToken: string | undefined;
      try {
        do {
          const page = await send<{ Tags?: Array<{ ResourceId?: string; Key?: string; Value?: string }>; NextToken?: string }>(
            new (ec2Commands().DescribeTagsCommand)({
              Filters: [{ Name: "resource-type", Values: ["instance"] }, { Name: "resource-id", Values: chunk }],
              MaxResults: 1000,
              NextToken: nextToken,
            }),
            "describeTagsCalls",
          );
          for (const tag of page.Tags ?? []) {
            const record = tag.ResourceId ? tags.get(tag.ResourceId) : undefined;
            if (record && tag.Key) Object.assign(record, safeFromEntries([[tag.Key, tag.Value ?? ""]]));
          }
          nextToken = page.NextToken;
        } while (nextToken);
      } catch (error) {
        // Interface tags stand in for the instance's (see toInterfaceInfo).
        warn(`DescribeTags (${plural(chunk.length, "instance")}) failed: ${errorCode(error)}; using interface tags`);
        for (const id of chunk) tags.delete(id);
      }
    }
    return tags;
  }

  /** Indexes interfaces (with interface tags for now) so their addresses count as known. */
  function store(enis: NetworkInterface[], time: number): void {
    for (const eni of enis) {
      const info = toInterfaceInfo(eni, options.region);
      if (!info) continue;
      index.add(info);
      expiry.set(`id:${info.interfaceId}`, time + ttlMs);
      for (const address of info.addresses) expiry.set(`ip:${address}`, time + ttlMs);
    }
  }

  /** One batched tag lookup for every instance behind the interfaces of this prefetch. */
  async function addInstanceTags(enis: NetworkInterface[]): Promise<void> {
    const instanceIds = [...new Set(enis.map((e) => e.Attachment?.InstanceId).filter((id): id is string => typeof id === "string"))];
    if (instanceIds.length === 0) return;
    const tags = await instanceTags(instanceIds);
    for (const eni of enis) {
      const instanceId = eni.Attachment?.InstanceId;
      const info = instanceId && tags.has(instanceId) ? toInterfaceInfo(eni, options.region, tags.get(instanceId)) : undefined;
      if (info) index.add(info);
    }
  }

  function stale(key: string, time: number): boolean {
    const expires = expiry.get(key);
    return expires === undefined || expires <= time;
  }

  function needed(key: string, time: number): boolean {
    if (stale(key, time)) return true;
    stats.cacheHits++;
    return false;
  }

  return {
    stats,
    warnings,
    async prefetch(interfaceIds, addresses) {
      const time = now();
      const fetched: NetworkInterface[] = [];
      throttledOut = false;
      const ids = [...new Set(interfaceIds)].filter((id) => needed(`id:${id}`, time));
      for (const chunk of chunks(ids, batchSize)) {
        const enis = await describe("network-interface-id", chunk);
        fetched.push(...enis);
        store(enis, time);
        for (const id of throttledOut ? [] : chunk) {
          if (stale(`id:${id}`, time)) {
            index.byId.set(id, null);
            expiry.set(`id:${id}`, time + negativeTtlMs);
          }
        }
      }
      // Addresses of interfaces just fetched by id are known now; look up only the rest.
      const ips = [...new Set(addresses)].filter((ip) => needed(`ip:${ip}`, time));
      for (const chunk of chunks(ips, batchSize)) {
        const enis = await describe("addresses.private-ip-address", chunk);
        fetched.push(...enis);
        store(enis, time);
        for (const ip of throttledOut ? [] : chunk) if (stale(`ip:${ip}`, time)) expiry.set(`ip:${ip}`, time + negativeTtlMs);
      }
      if (!throttledOut) await addInstanceTags(fetched);
    },
    byId: (id) => index.byId.get(id) ?? undefined,
    byAddress: (address, vpcId) => index.find(address, vpcId),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
