import { DescribeNetworkInterfacesCommand, DescribeTagsCommand, type NetworkInterface } from "@aws-sdk/client-ec2";
import { defaultConfiguration } from "../src/engine/config";
import { loadRules } from "../src/engine/loader";
import { processFlowLogText } from "../src/pipeline/flowlogs";
import { createEnricher, enrichFlows, FlowLogParser, loadIpRanges, parseFlowLogChunks, type Enricher } from "../src/sources/flowlog";
import { formatRow, measure, measureAsync, peakRssMiB, type Measurement } from "./harness";

/**
 * Flow-log throughput (issue 5 §6): 1,000,000 generated version-2 lines over 1,000 interfaces, as
 * records per second for a bare split-lines loop (the floor every stage is compared with), parse,
 * parse + enrich with a warm interface cache, and parse + enrich + evaluate with the built-in rules —
 * all in the same run — plus the EC2 calls a cold cache costs, through a fake EC2 client that counts
 * them (target: at most interfaces / 50 + pages).
 */
/** `FLOWLOG_BENCH_LINES` shrinks the input for profiling (`node --cpu-prof`). */
const LINES = Number(process.env.FLOWLOG_BENCH_LINES ?? 1_000_000);
const INTERFACES = 1_000;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`;
}

function inventory(): NetworkInterface[] {
  return Array.from({ length: INTERFACES }, (_, i) => {
    const id = `eni-${i.toString(16).padStart(17, "0")}`;
    const instanceId = `i-${i.toString(16).padStart(17, "0")}`;
    return {
      NetworkInterfaceId: id,
      InterfaceType: "interface",
      Description: "Primary network interface",
      OwnerId: "123456789012",
      AvailabilityZone: ZONES[i % 3],
      SubnetId: `subnet-${i % 3}`,
      VpcId: "vpc-0bench",
      PrivateIpAddress: ip(i),
      PrivateIpAddresses: [{ PrivateIpAddress: ip(i), Primary: true }],
      Groups: [{ GroupId: `sg-${(i % 20).toString(16).padStart(17, "0")}`, GroupName: "app" }],
      Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: "attached" },
      TagSet: [],
    };
  });
}

/**
 * Lines in pairs (request, reply) on the capturing interface; interfaces interleaved as in a real
 * aggregation window. Peers: another interface in the VPC (60%), an AWS service address (25%), an
 * internet client of the interface's HTTPS (13%) or SSH (2%) port.
 */
function generate(): string {
  const parts: string[] = [];
  const start = 1_718_000_000;
  for (let n = 0; n < LINES / 2; n++) {
    const i = n % INTERFACES;
    const eni = `eni-${i.toString(16).padStart(17, "0")}`;
    const local = ip(i);
    const kind = n % 100;
    const ephemeral = 32768 + (n % 28000);
    const t = start + Math.floor(n / INTERFACES) * 60;
    let request: string;
    let reply: string;
    if (kind < 60) {
      const peer = ip((i * 7 + n) % INTERFACES);
      const port = kind < 30 ? 443 : kind < 45 ? 5432 : 8080;
      request = `${local} ${peer} ${ephemeral} ${port}`;
      reply = `${peer} ${local} ${port} ${ephemeral}`;
    } else if (kind < 85) {
      const peer = `52.216.${n % 256}.${(n >> 8) % 256}`;
      request = `${local} ${peer} ${ephemeral} 443`;
      reply = `${peer} ${local} 443 ${ephemeral}`;
    } else {
      const client = `81.2.${n % 256}.${(n >> 8) % 256}`;
      const port = kind < 98 ? 443 : 22;
      request = `${client} ${local} ${ephemeral} ${port}`;
      reply = `${local} ${client} ${port} ${ephemeral}`;
    }
    parts.push(`2 123456789012 ${eni} ${request} 6 10 ${1200 + (n % 500)} ${t} ${t + 60} ACCEPT OK`);
    parts.push(`2 123456789012 ${eni} ${reply} 6 12 ${9000 + (n % 3000)} ${t} ${t + 60} ACCEPT OK`);
  }
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
        // Every tenth instance lacks the required tags, so required-tags has work to do.
        const Tags = ids.flatMap((id, k) =>
          k % 10 === 0 ? [] : [{ ResourceId: id, ResourceType: "instance", Key: "owner", Value: "team" }, { ResourceId: id, ResourceType: "instance", Key: "environment", Value: "production" }],
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

function parseOnly(text: string): number {
  let records = 0;
  const parser = new FlowLogParser();
  for (const chunk of parseFlowLogChunks(text, { chunkSize: 10_000 }, parser)) records += chunk.length;
  return records;
}

async function parseAndEnrich(text: string, enricher: Enricher): Promise<number> {
  let flows = 0;
  for (const chunk of parseFlowLogChunks(text, { chunkSize: 10_000 })) flows += (await enrichFlows(chunk, enricher)).length;
  return flows;
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

  const rows: Array<{ m: Measurement; count: string }> = [];
  let fields = 0;
  let records = 0;
  let flows = 0;
  let findings = 0;
  rows.push({ m: measure("bare split-lines loop", () => (fields = bareSplitLines(text)), 3), count: `${fields.toLocaleString("en")} fields` });
  rows.push({ m: measure("parse", () => (records = parseOnly(text)), 3), count: `${records.toLocaleString("en")} records` });
  rows.push({ m: await measureAsync("parse + enrich (warm cache)", async () => void (flows = await parseAndEnrich(text, enricher)), 3), count: `${flows.toLocaleString("en")} flows` });
  rows.push({
    m: await measureAsync(
      "parse + enrich + evaluate",
      async () => void (findings = (await processFlowLogText(text, "bench.log", { ruleSet, enricher })).findings.length),
      3,
    ),
    count: `${findings.toLocaleString("en")} findings`,
  });

  // The generated traffic makes most internal flows findings (cross-AZ, instance to instance on 443/8080);
  // the same path with those two rules off shows what evaluation costs when findings are rare.
  const quiet = defaultConfiguration();
  quiet.rules.disabled = ["flow-cross-az-traffic", "flow-ec2-to-ec2-bypassing-load-balancer"];
  const quietRules = loadRules({ config: quiet }).ruleSet;
  rows.push({
    m: await measureAsync(
      "... with the two high-volume rules off",
      async () => void (findings = (await processFlowLogText(text, "bench.log", { ruleSet: quietRules, enricher })).findings.length),
      3,
    ),
    count: `${findings.toLocaleString("en")} findings`,
  });

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
