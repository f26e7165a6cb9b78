/**
 * A loopback server speaking EC2's Query protocol, for integration tests of live interface lookups.
 * Nothing emulates EC2 locally, so this stub answers the three read calls parapet (and its tests)
 * make, on the real wire format, from an inventory of `aws ec2 describe-*` JSON (default: the
 * samples' network-interfaces.json and instances.json):
 *
 * - `DescribeNetworkInterfaces` (`NetworkInterfaceId.N`, `Filter.N`), `DescribeInstances`
 *   (`InstanceId.N`, `Filter.N`) and `DescribeTags` (`Filter.N`; instance and interface tags);
 * - requests are POSTed form-urlencoded (`Action=...&Version=2016-11-15&Filter.1.Name=...`) and must
 *   carry a SigV4 `Authorization` header (its access key and region are recorded, the signature is
 *   not checked); replies are EC2's XML, errors `<Response><Errors><Error>...` with EC2's codes;
 * - `MaxResults`/`NextToken` page the results like EC2 (5–1000, not with ids); `pageSize` makes pages
 *   smaller than asked, as EC2 may, so a client that ignores `NextToken` loses data;
 * - `throttle(action, n)`: the next n calls of the action answer 503 `RequestLimitExceeded`;
 * - every call is recorded (`calls`) with its parameters and the answer given.
 *
 * Point the real SDK at it with `AWS_ENDPOINT_URL_EC2=<endpoint>` plus any credentials and region, or
 * use `server.ec2` / `server.clientConfig` in-process.
 *
 *   const ec2 = await startEc2Server({ pageSize: 2 });
 *   afterAll(() => ec2.stop());
 *   ec2.throttle("DescribeTags", 1);
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EC2Client, type EC2ClientConfig } from "@aws-sdk/client-ec2";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const EC2_ACTIONS = ["DescribeNetworkInterfaces", "DescribeInstances", "DescribeTags"] as const;
export type Ec2Action = (typeof EC2_ACTIONS)[number];

const API_VERSION = "2016-11-15";
const XMLNS = `http://ec2.amazonaws.com/doc/${API_VERSION}/`;

// ---------------------------------------------------------------------------------------------------
// JSON (aws ec2 describe-* output, SDK member names) → EC2 XML

/**
 * Members whose element name is not the member name with a lower-case first letter (EC2 API
 * reference, response elements; checked against the SDK's deserializer in ec2Server.test.ts). Every
 * list member must be here: EC2 names lists `...Set`, mostly but not always, so a list's name cannot
 * be derived, and the SDK silently drops an element it does not know.
 */
const WIRE_NAMES: Record<string, string> = {
  NetworkInterfaces: "networkInterfaceSet",
  Groups: "groupSet",
  SecurityGroups: "groupSet",
  PrivateIpAddresses: "privateIpAddressesSet",
  Ipv6Addresses: "ipv6AddressesSet",
  TagSet: "tagSet",
  Tags: "tagSet",
  Reservations: "reservationSet",
  Instances: "instancesSet",
  BlockDeviceMappings: "blockDeviceMapping",
};

/** Members renamed only inside one shape, by the JSON member that holds the shape. */
const WIRE_NAMES_WITHIN: Record<string, Record<string, string>> = {
  Instances: { State: "instanceState", PublicIpAddress: "ipAddress", PublicDnsName: "dnsName", StateTransitionReason: "reason" },
};

function wireName(key: string, parentKey: string | undefined, isList: boolean): string {
  const renamed = (parentKey !== undefined ? WIRE_NAMES_WITHIN[parentKey]?.[key] : undefined) ?? WIRE_NAMES[key];
  if (renamed) return renamed;
  if (isList) throw new Error(`ec2Server: no EC2 element name known for the list ${parentKey ?? ""}.${key}; add it to WIRE_NAMES (see the EC2 API reference)`);
  return key.charAt(0).toLowerCase() + key.slice(1);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

/** Child elements of an object: each member by its wire name; lists as `<xSet><item>...</item></xSet>`. */
function membersXml(object: JsonObject, ownKey: string | undefined): string {
  return Object.entries(object)
    .map(([key, value]) => (value === null ? "" : elementXml(wireName(key, ownKey, Array.isArray(value)), value, key)))
    .join("");
}

function elementXml(name: string, value: Json, key: string): string {
  let body: string;
  if (Array.isArray(value)) body = value.map((item) => elementXml("item", item, key)).join("");
  else if (value !== null && typeof value === "object") body = membersXml(value, key);
  else body = escapeXml(String(value));
  return body === "" ? `<${name}/>` : `<${name}>${body}</${name}>`;
}

/** A successful reply: `<{Action}Response>` with a request id and the result's members. */
export function ec2ResponseXml(action: string, result: JsonObject, requestId: string = randomUUID()): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XMLNS}"><requestId>${requestId}</requestId>${membersXml(result, undefined)}</${action}Response>`;
}

export function ec2ErrorXml(code: string, message: string, requestId: string = randomUUID()): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

// ---------------------------------------------------------------------------------------------------
// Inventory and the filters EC2 documents for it

export interface Ec2Inventory {
  /** `NetworkInterfaces` of `aws ec2 describe-network-interfaces`. */
  networkInterfaces: JsonObject[];
  /** `Reservations` of `aws ec2 describe-instances`. */
  reservations: JsonObject[];
}

const SAMPLES = join(__dirname, "../../samples/flowlogs");

export function sampleInventory(): Ec2Inventory {
  const read = (file: string) => JSON.parse(readFileSync(join(SAMPLES, file), "utf8")) as JsonObject;
  return {
    networkInterfaces: read("network-interfaces.json").NetworkInterfaces as JsonObject[],
    reservations: read("instances.json").Reservations as JsonObject[],
  };
}

/** `a.b[].c` style reads: every string/number/boolean found at the path, as text. */
function valuesAt(value: Json | undefined, path: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return typeof value === "object" ? [] : [String(value)];
  if (typeof value !== "object") return [];
  return valuesAt(value[path[0]!], path.slice(1));
}

type FilterFields = Record<string, string>;

/** Filter name → member path in the item, for the filters these actions document (a subset). */
const INTERFACE_FILTERS: FilterFields = {
  "network-interface-id": "NetworkInterfaceId",
  "addresses.private-ip-address": "PrivateIpAddresses.PrivateIpAddress",
  "private-ip-address": "PrivateIpAddresses.PrivateIpAddress",
  "association.public-ip": "Association.PublicIp",
  "attachment.instance-id": "Attachment.InstanceId",
  "availability-zone": "AvailabilityZone",
  description: "Description",
  "group-id": "Groups.GroupId",
  "interface-type": "InterfaceType",
  "owner-id": "OwnerId",
  "requester-id": "RequesterId",
  status: "Status",
  "subnet-id": "SubnetId",
  "vpc-id": "VpcId",
};

const INSTANCE_FILTERS: FilterFields = {
  "instance-id": "InstanceId",
  "instance-state-name": "State.Name",
  "instance-type": "InstanceType",
  "availability-zone": "Placement.AvailabilityZone",
  "private-ip-address": "PrivateIpAddress",
  "ip-address": "PublicIpAddress",
  "subnet-id": "SubnetId",
  "vpc-id": "VpcId",
};

const TAG_FILTERS: FilterFields = { "resource-id": "ResourceId", "resource-type": "ResourceType", key: "Key", value: "Value" };

/** EC2 filter values may use `*` (any run) and `?` (any character). */
function valueMatcher(pattern: string): (value: string) => boolean {
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return (value) => regex.test(value);
}

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** AND across filters, OR across one filter's values; `tag:Key` and `tag-key` on the item's tags. */
function matchesFilters(item: JsonObject, filters: Record<string, string[]>, fields: FilterFields, tagsMember?: string): boolean {
  return Object.entries(filters).every(([name, patterns]) => {
    let values: string[];
    if (tagsMember && name.startsWith("tag:")) {
      const key = name.slice(4);
      values = ((item[tagsMember] ?? []) as JsonObject[]).filter((t) => t.Key === key).map((t) => String(t.Value ?? ""));
    } else if (tagsMember && name === "tag-key") {
      values = valuesAt(item[tagsMember], ["Key"]);
    } else if (fields[name] !== undefined) {
      values = valuesAt(item, fields[name]!.split("."));
    } else {
      throw new Ec2Error("InvalidParameterValue", `The filter '${name}' is invalid`);
    }
    const matchers = patterns.map(valueMatcher);
    return values.some((value) => matchers.some((matches) => matches(value)));
  });
}

// ---------------------------------------------------------------------------------------------------
// Requests

export interface Ec2Call {
  action: string;
  /** Every form parameter as sent. */
  params: Record<string, string>;
  /** `Filter.N.Name` → its `Filter.N.Value.M` values. */
  filters: Record<string, string[]>;
  /** `NetworkInterfaceId.N` / `InstanceId.N`. */
  ids: string[];
  maxResults?: number;
  nextToken?: string;
  /** From the SigV4 credential scope of the `Authorization` header. */
  accessKeyId?: string;
  region?: string;
  /** `ok`, or the error code answered (`RequestLimitExceeded`, ...). */
  outcome: string;
  /** Items on the page answered. */
  items: number;
  /** When the request arrived (`Date.now()`): how long a client backed off between calls. */
  at: number;
}

function parseForm(body: string): { params: Record<string, string>; filters: Record<string, string[]>; ids: string[] } {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  const filters: Record<string, string[]> = {};
  const filterNames = new Map<string, string>();
  const numbered = (key: string) => Number(/\.(\d+)$/.exec(key)?.[1]);
  for (const key of Object.keys(params).sort((a, b) => numbered(a) - numbered(b))) {
    const name = /^Filter\.(\d+)\.Name$/.exec(key);
    if (name) filterNames.set(name[1]!, params[key]!);
  }
  for (const [n, name] of filterNames) {
    filters[name] = Object.keys(params)
      .filter((key) => key.startsWith(`Filter.${n}.Value.`))
      .sort((a, b) => numbered(a) - numbered(b))
      .map((key) => params[key]!);
  }
  const ids = Object.keys(params)
    .filter((key) => /^(NetworkInterfaceId|InstanceId)\.\d+$/.test(key))
    .sort((a, b) => numbered(a) - numbered(b))
    .map((key) => params[key]!);
  return { params, filters, ids };
}

/** The credential scope of a SigV4 header: `Credential=AKID/20240610/us-east-1/ec2/aws4_request`. */
function credentialScope(authorization: string | undefined): { accessKeyId: string; region: string } | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/ec2\/aws4_request,/.exec(authorization ?? "");
  return match ? { accessKeyId: match[1]!, region: match[2]! } : undefined;
}

interface Page {
  items: JsonObject[];
  nextToken?: string;
}

/**
 * Tokens name the query they continue (action, filters, ids) and the offset, so a client that changes
 * its query between pages is told so, as EC2 does.
 */
function paginate(call: Ec2Call, all: JsonObject[], pageSize: number | undefined): Page {
  const query = createHash("sha256").update(JSON.stringify([call.action, call.filters, call.ids])).digest("hex").slice(0, 16);
  if (call.maxResults !== undefined) {
    if (call.ids.length > 0) throw new Ec2Error("InvalidParameterCombination", "The parameter MaxResults cannot be used with the parameter " + (call.action === "DescribeInstances" ? "InstanceIds" : "NetworkInterfaceIds"));
    if (!Number.isInteger(call.maxResults) || call.maxResults < 5 || call.maxResults > 1000) {
      throw new Ec2Error("InvalidParameterValue", `Value ( ${call.params.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
    }
  }
  let offset = 0;
  if (call.nextToken !== undefined) {
    const token = /^([0-9a-f]{16})\.(\d+)$/.exec(Buffer.from(call.nextToken, "base64url").toString());
    if (!token || token[1] !== query) throw new Ec2Error("InvalidPaginationToken", `Invalid pagination token: ${call.nextToken}`);
    offset = Number(token[2]);
  }
  // Without MaxResults EC2 answers everything at once; with it, at most MaxResults, maybe fewer.
  const size = call.maxResults === undefined ? all.length : Math.min(call.maxResults, pageSize ?? Infinity);
  const end = offset + size;
  return { items: all.slice(offset, end), nextToken: end < all.length ? Buffer.from(`${query}.${end}`).toString("base64url") : undefined };
}

function describeNetworkInterfaces(inventory: Ec2Inventory, call: Ec2Call, pageSize?: number): JsonObject {
  const byId = new Map(inventory.networkInterfaces.map((eni) => [String(eni.NetworkInterfaceId), eni]));
  const missing = call.ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new Ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${missing.join(", ")}' does not exist`);
  const selected = call.ids.length > 0 ? call.ids.map((id) => byId.get(id)!) : inventory.networkInterfaces;
  const page = paginate(call, selected.filter((eni) => matchesFilters(eni, call.filters, INTERFACE_FILTERS, "TagSet")), pageSize);
  call.items = page.items.length;
  return { NetworkInterfaces: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

/** Reservations holding a matching instance, with only those instances; pages count reservations. */
function describeInstances(inventory: Ec2Inventory, call: Ec2Call, pageSize?: number): JsonObject {
  const instances = inventory.reservations.flatMap((r) => (r.Instances as JsonObject[]) ?? []);
  const missing = call.ids.filter((id) => !instances.some((i) => i.InstanceId === id));
  if (missing.length > 0) throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${missing.join(", ")}' does not exist`);
  const matching = inventory.reservations
    .map((reservation) => ({
      ...reservation,
      Instances: ((reservation.Instances as JsonObject[]) ?? []).filter(
        (i) => (call.ids.length === 0 || call.ids.includes(String(i.InstanceId))) && matchesFilters(i, call.filters, INSTANCE_FILTERS, "Tags"),
      ),
    }))
    .filter((reservation) => reservation.Instances.length > 0);
  const page = paginate(call, matching, pageSize);
  call.items = page.items.length;
  return { Reservations: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

/** Tags of every instance and interface of the inventory, as `TagDescription`s. */
function describeTags(inventory: Ec2Inventory, call: Ec2Call, pageSize?: number): JsonObject {
  const describe = (resourceId: Json | undefined, resourceType: string, tags: Json | undefined) =>
    ((tags ?? []) as JsonObject[]).map((t): JsonObject => ({ ResourceId: resourceId ?? null, ResourceType: resourceType, Key: t.Key ?? null, Value: t.Value ?? "" }));
  const all = [
    ...inventory.reservations.flatMap((r) => ((r.Instances as JsonObject[]) ?? []).flatMap((i) => describe(i.InstanceId, "instance", i.Tags))),
    ...inventory.networkInterfaces.flatMap((eni) => describe(eni.NetworkInterfaceId, "network-interface", eni.TagSet)),
  ];
  const page = paginate(call, all.filter((tag) => matchesFilters(tag, call.filters, TAG_FILTERS)), pageSize);
  call.items = page.items.length;
  return { Tags: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

const HANDLERS: Record<Ec2Action, (inventory: Ec2Inventory, call: Ec2Call, pageSize?: number) => JsonObject> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DescribeInstances: describeInstances,
  DescribeTags: describeTags,
};

// ---------------------------------------------------------------------------------------------------
// The server

export interface Ec2ServerOptions {
  inventory?: Ec2Inventory;
  /** The most items a page holds when the client sends MaxResults (EC2 may answer fewer than asked). */
  pageSize?: number;
}

export interface Ec2TestServer {
  endpoint: string;
  region: string;
  /** Spread into `new EC2Client({...})` for another client of this server. */
  clientConfig: EC2ClientConfig & { endpoint: string; region: string };
  ec2: EC2Client;
  /** Every request received, in order. */
  readonly calls: Ec2Call[];
  callsOf(action: Ec2Action): Ec2Call[];
  /** The next `calls` calls of `action` answer 503 RequestLimitExceeded (`Infinity`: all of them). */
  throttle(action: Ec2Action, calls: number): void;
  /** Page size from now on (undefined: as many as MaxResults asks). */
  setPageSize(pageSize: number | undefined): void;
  /** Forgets recorded calls and pending throttling. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startEc2Server(options: Ec2ServerOptions = {}): Promise<Ec2TestServer> {
  const inventory = options.inventory ?? sampleInventory();
  let pageSize = options.pageSize;
  const calls: Ec2Call[] = [];
  const throttled = new Map<Ec2Action, number>();

  function answer(response: ServerResponse, status: number, xml: string): void {
    response.writeHead(status, { "Content-Type": "text/xml;charset=UTF-8", "x-amzn-RequestId": randomUUID() });
    response.end(xml);
  }

  function handle(request: IncomingMessage, body: string, response: ServerResponse): void {
    const { params, filters, ids } = parseForm(body);
    const scope = credentialScope(request.headers.authorization);
    const call: Ec2Call = {
      action: params.Action ?? "",
      params,
      filters,
      ids,
      maxResults: params.MaxResults === undefined ? undefined : Number(params.MaxResults),
      nextToken: params.NextToken,
      accessKeyId: scope?.accessKeyId,
      region: scope?.region,
      outcome: "ok",
      items: 0,
      at: Date.now(),
    };
    calls.push(call);
    try {
      if (request.method !== "POST") throw new Ec2Error("InvalidAction", `EC2 takes POST requests, not ${request.method}`);
      if (!scope) throw new Ec2Error("MissingAuthenticationToken", "Request is missing Authentication Token", 401);
      if (params.Version !== API_VERSION) throw new Ec2Error("InvalidParameterValue", `Invalid API version: ${params.Version ?? "(none)"}`);
      const action = EC2_ACTIONS.find((a) => a === call.action);
      if (!action) throw new Ec2Error("InvalidAction", `The action ${call.action || "(none)"} is not valid for this web service.`);
      const left = throttled.get(action) ?? 0;
      if (left > 0) {
        throttled.set(action, left - 1);
        throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
      }
      answer(response, 200, ec2ResponseXml(action, HANDLERS[action](inventory, call, pageSize)));
    } catch (error) {
      if (!(error instanceof Ec2Error)) throw error;
      call.outcome = error.code;
      answer(response, error.status, ec2ErrorXml(error.code, error.message));
    }
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        handle(request, Buffer.concat(chunks).toString("utf8"), response);
      } catch (error) {
        answer(response, 500, ec2ErrorXml("InternalError", String(error)));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const region = "us-east-1";
  const clientConfig = { endpoint, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  const ec2 = new EC2Client(clientConfig);

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    region,
    clientConfig,
    ec2,
    calls,
    callsOf: (action) => calls.filter((c) => c.action === action),
    throttle: (action, count) => void throttled.set(action, count),
    setPageSize: (size) => void (pageSize = size),
    reset() {
      calls.length = 0;
      throttled.clear();
    },
    stop() {
      stopped ??= (async () => {
        ec2.destroy();
        // Keep-alive sockets of other clients would hold close() open until they time out.
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return stopped;
    },
  };
}
