import { DescribeNetworkInterfacesCommand, DescribeTagsCommand, type NetworkInterface } from "@aws-sdk/client-ec2";
import { defaultConfiguration } from "../src/engine/config";
import { loadRules } from "../src/engine/loader";
import { DEFAULT_FLOW_CHUNK, processFlowLogText } from "../src/pipeline/flowlogs";
import { createEnricher, FlowLogFolder, foldFlowLogText, loadIpRanges, type Enricher } from "../src/sources/flowlog";
import { formatRow, measureCycles, peakRssMiB } from "./harness";

/**
 * Flow-log throughput (issue 5 §6): 1,000,000 generated version-2 lines over 1,000 interfaces, as
 * records per second for a bare split-lines loop (the floor every stage is compared with), parse,
 * parse + enrich with a warm interface cache, and parse + enrich + evaluate with the built-in rules —
 * all in the same run, in blocks cycled three times (`measureCycles`) — plus the EC2 calls a cold
 * cache costs, through a fake EC2 client that counts them (target: at most interfaces / 50 + pages),
 * and the process's peak RSS.
 *
 * The generated traffic imitates what a VPC's flow logs are made of: the same conversations
 * (client, server, server port) again and again across capture windows, each connection from a new
 * ephemeral client port, both directions of every connection logged, interfaces interleaved in
 * time order as in a delivered file. The 1,000 interfaces: 12 application load balancer nodes, 6 NAT
 * gateways, 30 RDS and 18 ElastiCache nodes, 934 instances, spread over three zones. Per window:
 *  - an instance talks to its load balancer (inbound 8080), its database (5432) and cache (6379) in
 *    its own zone, S3 and DynamoDB (AWS service addresses, 443), a monitoring peer in its zone
 *    (9090), and an internet API through NAT (443) — the data stores and load balancer log the
 *    same connections on their own interfaces;
 *  - load balancer nodes take HTTPS from a pool of 400 internet clients each (about 1.5% of lines
 *    are internet ingress, all to the allowed port 443);
 *  - rule-worthy traffic is rare (about 0.5% of lines): one instance in 40 uses a database in
 *    another zone (cross-AZ), one in 100 accepts SSH from the internet every tenth window, and one
 *    instance in 50 lacks the required tags.
 * Actions are ACCEPT, log status OK; bytes and packets vary per connection.
 */
/** `FLOWLOG_BENCH_LINES` shrinks the input for profiling (`node --cpu-prof`). */
const LINES = Number(process.env.FLOWLOG_BENCH_LINES ?? 1_000_000);
const INTERFACES = 1_000;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

/** Interface index ranges by role (each role spread evenly over the zones by `index % 3`). */
const ALBS = 12;
const NATS = 6;
const RDS = 30;
const CACHES = 18;
const FIRST_INSTANCE = ALBS + NATS + RDS + CACHES;
type Role = "alb" | "nat" | "rds" | "cache" | "instance";

function roleOf(i: number): Role {
  if (i < ALBS) return "alb";
  if (i < ALBS + NATS) return "nat";
  if (i < ALBS + NATS + RDS) return "rds";
  if (i < FIRST_INSTANCE) return "cache";
  return "instance";
}

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`;
}

function eniId(i: number): string {
  return `eni-${i.toString(16).padStart(17, "0")}`;
}

function describe(i: number): Pick<NetworkInterface, "Description" | "InterfaceType" | "RequesterId" | "RequesterManaged"> {
  switch (roleOf(i)) {
    case "alb":
      return { Description: `ELB app/web-${i % 3}/50dc6c495c0c918${i % 3}`, InterfaceType: "interface", RequesterId: "amazon-elb", RequesterManaged: true };
    case "nat":
      return { Description: `Interface for NAT Gateway nat-${i.toString(16).padStart(17, "0")}`, InterfaceType: "natGateway", RequesterManaged: true };
    case "rds":
      return { Description: "RDSNetworkInterface", InterfaceType: "interface", RequesterId: "amazon-rds", RequesterManaged: true };
    case "cache":
      return { Description: `ElastiCache cache-${i}-001`, InterfaceType: "interface", RequesterId: "amazon-elasticache", RequesterManaged: true };
    default:
      return { Description: "Primary network interface", InterfaceType: "interface" };
  }
}

function inventory(): NetworkInterface[] {
  return Array.from({ length: INTERFACES }, (_, i) => {
    const instanceId = `i-${i.toString(16).padStart(17, "0")}`;
    return {
      NetworkInterfaceId: eniId(i),
      ...describe(i),
      OwnerId: "123456789012",
      AvailabilityZone: ZONES[i % 3],
      SubnetId: `subnet-${i % 3}`,
      VpcId: "vpc-0bench",
      PrivateIpAddress: ip(i),
      PrivateIpAddresses: [{ PrivateIpAddress: ip(i), Primary: true }],
      Groups: [{ GroupId: `sg-${(i % 20).toString(16).padStart(17, "0")}`, GroupName: "app" }],
      ...(roleOf(i) === "instance" ? { Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: "attached" } } : {}),
      TagSet: [],
    };
  });
}

/** The `k`-th interface of a role in zone `zone` (roles are laid out so `index % 3` is the zone). */
function member(first: number, count: number, zone: number, k: number): number {
  const perZone = Math.floor(count / 3);
  return first + zone + 3 * (k % perZone);
}

/** A conversation as the capturing interface logs it: client, server and server port. */
interface Talk {
  client: string;
  server: string;
  port: number;
}

/** The conversations interface `i` takes part in during window `w` (most repeat in every window). */
function talks(i: number, w: number): Talk[] {
  const zone = i % 3;
  const local = ip(i);
  const instanceIn = (z: number, k: number) => ip(member(FIRST_INSTANCE, INTERFACES - FIRST_INSTANCE, z, k));
  switch (roleOf(i)) {
    case "instance": {
      const n = i - FIRST_INSTANCE;
      const dbZone = n % 40 === 7 ? (zone + 1) % 3 : zone;
      const out: Talk[] = [
        { client: ip(member(0, ALBS, zone, n)), server: local, port: 8080 },
        { client: local, server: ip(member(ALBS + NATS, RDS, dbZone, n)), port: 5432 },
        { client: local, server: ip(member(ALBS + NATS + RDS, CACHES, zone, n)), port: 6379 },
        { client: local, server: `52.216.${n % 8}.${(n >> 3) % 4 + 10}`, port: 443 },
        { client: local, server: `52.94.${n % 4}.${(n >> 2) % 8 + 20}`, port: 443 },
        { client: local, server: instanceIn(zone, n + 1), port: 9090 },
        { client: local, server: `140.82.${112 + (n % 4)}.${(n >> 2) % 16 + 1}`, port: 443 },
      ];
      if (n % 100 === 3 && w % 10 === 0) out.push({ client: `81.2.${69 + (w % 3)}.${142 + (n % 50)}`, server: local, port: 22 });
      return out;
    }
    case "alb": {
      const out: Talk[] = [];
      for (let k = 0; k < 8; k++) out.push({ client: `81.2.${(i * 7 + w * 3 + k) % 20}.${(w * 11 + k * 5) % 20 + 1}`, server: local, port: 443 });
      for (let k = 0; k < 6; k++) out.push({ client: local, server: instanceIn(zone, i + 4 * k), port: 8080 });
      return out;
    }
    case "rds":
    case "cache": {
      const port = roleOf(i) === "rds" ? 5432 : 6379;
      const out: Talk[] = [];
      for (let k = 0; k < 8; k++) out.push({ client: instanceIn(zone, i + 11 * ((w + k) % 12)), server: local, port });
      return out;
    }
    case "nat": {
      const out: Talk[] = [];
      for (let k = 0; k < 8; k++) out.push({ client: local, server: `140.82.${112 + (k % 4)}.${(i + k) % 16 + 1}`, port: 443 });
      return out;
    }
  }
}

/**
 * Capture windows of 60 seconds, every interface's connections in each (request and reply record,
 * the reply first one time in four), until `LINES` lines.
 */
export function generate(): string {
  const parts: string[] = [];
  const t0 = 1_718_000_000;
  let n = 0;
  for (let w = 0; parts.length < LINES; w++) {
    const t = t0 + w * 60;
    for (let i = 0; i < INTERFACES && parts.length < LINES; i++) {
      const eni = eniId(i);
      for (const { client, server, port } of talks(i, w)) {
        if (parts.length >= LINES) break;
        n++;
        const ephemeral = 32768 + ((n * 7919) % 28000);
        const up = `2 123456789012 ${eni} ${client} ${server} ${ephemeral} ${port} 6 ${4 + (n % 20)} ${300 + ((n * 37) % 4000)} ${t} ${t + 60} ACCEPT OK`;
        const down = `2 123456789012 ${eni} ${server} ${client} ${port} ${ephemeral} 6 ${3 + (n % 30)} ${500 + ((n * 53) % 90000)} ${t} ${t + 60} ACCEPT OK`;
        if (n % 4 === 0) parts.push(down, up);
        else parts.push(up, down);
      }
    }
  }
  parts.length = LINES;
  return parts.join("\n") + "\n";
}

/** A fake EC2 client: answers by filter from the inventory, 1000 interfaces per page, and counts calls. */
function fakeEc2(enis: NetworkInterface[]) {
  const byId = new Map(enis.map((e) => [e.NetworkInterfaceId!, e]));
  const byIp = new Map(enis.map((e) => [e.PrivateIpAddress!, e]));
  const calls = { describeNetworkInterfaces: 0, describeTags: 0, pages: 0 };
  const client = {
    async send(command: unknown): Promise<unknown> {
      if (command instanceof DescribeNetworkInterfacesCommand) {
        calls.describeNetworkInterfaces++;
        const filter = command.input.Filters?.[0];
        const index = filter?.Name === "network-interface-id" ? byId : byIp;
        const found = (filter?.Values ?? []).map((v) => index.get(v)).filter((e): e is NetworkInterface => e !== undefined);
        const from = Number(command.input.NextToken ?? 0);
        const page = found.slice(from, from + 1000);
        if (from > 0) calls.pages++;
        return { NetworkInterfaces: page, NextToken: from + 1000 < found.length ? String(from + 1000) : undefined };
      }
      if (command instanceof DescribeTagsCommand) {
        calls.describeTags++;
        const ids = command.input.Filters?.find((f) => f.Name === "resource-id")?.Values ?? [];
        // One instance in 50 lacks the required tags, so required-tags has a little work to do.
        const Tags = ids.flatMap((id) =>
          parseInt(id.slice(2), 16) % 50 === 0 ? [] : [{ ResourceId: id, ResourceType: "instance", Key: "owner", Value: "team" }, { ResourceId: id, ResourceType: "instance", Key: "environment", Value: "production" }],
        );
        return { Tags };
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    },
  };
  return { client, calls };
}

function bareSplitLines(text: string): number {
  let fields = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf("\n", from);
    if (to < 0) to = text.length;
    if (to > from) fields += text.slice(from, to).split(" ").length;
    from = to + 1;
  }
  return fields;
}

/** Parsing as the pipeline does it: every line folded into a conversation, batches handed over and dropped. */
function parseOnly(text: string): { records: number; conversations: number } {
  let conversations = 0;
  const folder = new FlowLogFolder();
  for (const batch of foldFlowLogText(text, folder, DEFAULT_FLOW_CHUNK)) conversations += batch.length;
  return { records: folder.recordCount, conversations };
}

async function parseAndEnrich(text: string, enricher: Enricher): Promise<number> {
  return (await processFlowLogText(text, "bench.log", { enricher })).flows;
}

export async function runFlowLogBench(): Promise<void> {
  const enis = inventory();
  const text = generate();
  const ipRanges = loadIpRanges();
  const { ruleSet } = loadRules({ config: defaultConfiguration() });
  console.log(`flowlogs: ${LINES.toLocaleString("en")} generated lines over ${INTERFACES.toLocaleString("en")} interfaces (${(text.length / 1e6).toFixed(0)} MB), ${ruleSet.rules.length} rules`);

  // Cold cache first: the EC2 calls a fresh Lambda container makes for this file.
  const ec2 = fakeEc2(enis);
  const enricher = createEnricher({ ec2Client: ec2.client, ipRanges, region: "us-east-1" });
  await parseAndEnrich(text, enricher);
  const coldCalls = ec2.calls.describeNetworkInterfaces + ec2.calls.describeTags;
  const budget = INTERFACES / 50 + ec2.calls.pages;

  let fields = 0;
  let parsed = { records: 0, conversations: 0 };
  let flows = 0;
  let findings = 0;
  const measurements = await measureCycles([
    { name: "bare split-lines loop", run: () => (fields = bareSplitLines(text)) },
    { name: "parse (folded into conversations)", run: () => (parsed = parseOnly(text)) },
    { name: "parse + enrich (warm cache)", run: async () => void (flows = await parseAndEnrich(text, enricher)) },
    { name: "parse + enrich + evaluate", run: async () => void (findings = (await processFlowLogText(text, "bench.log", { ruleSet, enricher })).findings.length) },
  ]);
  const counts = [
    `${fields.toLocaleString("en")} fields`,
    `${parsed.records.toLocaleString("en")} records, ${parsed.conversations.toLocaleString("en")} conversations`,
    `${flows.toLocaleString("en")} flows`,
    `${findings.toLocaleString("en")} findings`,
  ];
  const rows = measurements.map((m, i) => ({ m, count: counts[i]! }));

  const floor = rows[0]!.m.medianMs;
  for (const { m, count } of rows) {
    const perSecond = (LINES / m.medianMs) * 1000;
    console.log(formatRow(m, `${Math.round(perSecond).toLocaleString("en")} records/s, ${(floor / m.medianMs).toFixed(2)} of the bare loop, ${count}`));
  }
  const full = floor / rows[3]!.m.medianMs;
  console.log(`  full path vs bare loop: ${full.toFixed(2)} (target >= 0.50: ${full >= 0.5 ? "met" : "NOT met"})`);
  console.log(
    `  EC2 calls, cold cache: ${coldCalls} (DescribeNetworkInterfaces ${ec2.calls.describeNetworkInterfaces}, DescribeTags ${ec2.calls.describeTags}; ` +
      `budget ${INTERFACES} interfaces / 50 + ${ec2.calls.pages} pages = ${budget}: ${coldCalls <= budget ? "met" : "NOT met"}); warm runs made ${ec2.calls.describeNetworkInterfaces + ec2.calls.describeTags - coldCalls}`,
  );
  console.log(`  peak RSS ${peakRssMiB().toFixed(0)} MiB`);
}

if (require.main === module) {
  runFlowLogBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
