import {
  DescribeNetworkInterfacesCommand,
  DescribeTagsCommand,
  EC2Client,
  EC2ServiceException,
  type DescribeNetworkInterfacesCommandInput,
  type DescribeTagsCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { createEnricher, enrichFlows, loadIpRanges, type EnrichedTraffic, type FlowRecord } from "../../../src/sources/flowlog";

const ipRanges = loadIpRanges();
const ec2 = mockClient(EC2Client);
/** Filter values EC2 accepts per call in these tests (200 in EC2). */
let filterLimit = 200;

/** A realistic account: `count` instance ENIs, every one attached to an instance with an owner tag. */
function account(count: number): NetworkInterface[] {
  return Array.from({ length: count }, (_, i) => ({
    NetworkInterfaceId: `eni-${String(i).padStart(17, "0")}`,
    InterfaceType: "interface",
    Description: "Primary network interface",
    OwnerId: "123456789012",
    RequesterManaged: false,
    AvailabilityZone: i % 2 ? "us-east-1b" : "us-east-1a",
    SubnetId: `subnet-${i % 2}`,
    VpcId: "vpc-0f1e2d3c4b5a69780",
    Groups: [{ GroupId: "sg-0aaa", GroupName: "app" }],
    PrivateIpAddress: `10.1.${i >> 8}.${i & 255}`,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: `10.1.${i >> 8}.${i & 255}` }],
    Attachment: { InstanceId: `i-${String(i).padStart(17, "0")}`, InstanceOwnerId: "123456789012", DeviceIndex: 0, Status: "attached" },
    TagSet: [],
    Status: "in-use",
  }));
}

/** Serves DescribeNetworkInterfaces / DescribeTags the way EC2 does: filters, MaxResults, NextToken. */
function serve(enis: NetworkInterface[], pageSize = 1000, throttleFirst = 0) {
  let calls = 0;
  ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: DescribeNetworkInterfacesCommandInput) => {
    if (calls++ < throttleFirst) throw throttled();
    const filter = input.Filters?.[0];
    if (input.NetworkInterfaceIds) throw new Error("test: id lists must not be used (one deleted ENI fails the call)");
    if ((filter?.Values?.length ?? 0) > filterLimit) throw new EC2ServiceException({ name: "FilterLimitExceeded", $fault: "client", $metadata: {}, message: "too many" });
    const values = new Set(filter?.Values ?? []);
    const matching = enis.filter((e) =>
      filter?.Name === "network-interface-id" ? values.has(e.NetworkInterfaceId!) : (e.PrivateIpAddresses ?? []).some((p) => values.has(p.PrivateIpAddress!)),
    );
    const size = Math.min(pageSize, input.MaxResults ?? 1000);
    const from = Number(input.NextToken ?? 0);
    return { NetworkInterfaces: matching.slice(from, from + size), NextToken: from + size < matching.length ? String(from + size) : undefined };
  });
  ec2.on(DescribeTagsCommand).callsFake((input: DescribeTagsCommandInput) => {
    const ids = new Set(input.Filters?.find((f) => f.Name === "resource-id")?.Values ?? []);
    return { Tags: [...ids].map((id) => ({ ResourceId: id, ResourceType: "instance", Key: "owner", Value: `team-${id.slice(-2)}` })) };
  });
}

function record(eni: NetworkInterface, peer: string, line: number): FlowRecord {
  return {
    line, version: 2, accountId: "123456789012", interfaceId: eni.NetworkInterfaceId, srcaddr: eni.PrivateIpAddress, dstaddr: peer,
    srcport: 40000 + line, dstport: 443, protocol: 6, packets: 1, bytes: 100, start: 1700000000, end: 1700000060, action: "ACCEPT", logStatus: "OK",
  };
}

function throttled() {
  return  new EC2ServiceException({ name: "RequestLimitExceeded", $fault: "client", $metadata: { httpStatusCode: 503 }, message: "Request limit exceeded." });
}

beforeEach(() => {
  ec2.reset();
  filterLimit = 200;
});

describe("live interface lookups", () => {
  it("resolves 450 interfaces in batches, with instance tags, within (interfaces / 50) + pages calls", async () => {
    const enis = account(450);
    serve(enis);
    const enricher = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges });
    const records = enis.flatMap((eni, i) => [record(eni, "52.216.8.1", 2 * i + 1), record(eni, "52.216.8.2", 2 * i + 2)]);
    const flows = (await enrichFlows(records, enricher)) as EnrichedTraffic[];

    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(3);
    expect(ec2.commandCalls(DescribeTagsCommand)).toHaveLength(3);
    expect(enricher.stats.ec2Calls).toBe(6);
    expect(enricher.stats.ec2Calls).toBeLessThanOrEqual(450 / 50);
    for (const call of ec2.commandCalls(DescribeNetworkInterfacesCommand)) {
      expect(call.args[0].input).toMatchObject({ Filters: [{ Name: "network-interface-id" }], MaxResults: 1000 });
    }
    expect(flows[0]!.Client).toMatchObject({ Type: "ec2:instance", InstanceId: "i-00000000000000000", Tags: { owner: "team-00" }, TagsFrom: "instance", AvailabilityZone: "us-east-1a", Region: "us-east-1" });
    expect(flows[0]!.Server).toMatchObject({ Type: "aws:service", AwsService: "s3" });

    // Warm cache: the same interfaces again cost nothing.
    await enrichFlows(records, enricher);
    expect(enricher.stats.ec2Calls).toBe(6);
  });

  it("follows NextToken across pages", async () => {
    const enis = account(5);
    serve(enis, 2);
    const enricher = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges });
    const flows = (await enrichFlows(enis.map((e, i) => record(e, "81.2.69.142", i + 1)), enricher)) as EnrichedTraffic[];
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "2", "4"]);
    expect(flows.every((f) => f.Client.Type === "ec2:instance")).toBe(true);
  });

  it("backs off with jitter when throttled and still enriches", async () => {
    const enis = account(3);
    serve(enis, 1000, 2);
    const sleeps: number[] = [];
    const enricher = createEnricher({
      ec2Client: new EC2Client({ region: "us-east-1" }),
      ipRanges,
      live: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 100 },
    });
    const flows = (await enrichFlows(enis.map((e, i) => record(e, "81.2.69.142", i + 1)), enricher)) as EnrichedTraffic[];
    expect(sleeps).toEqual([50, 100]);
    expect(enricher.stats.throttled).toBe(2);
    expect(enricher.stats.describeNetworkInterfacesCalls).toBe(3);
    expect(flows[2]!.Client.InstanceId).toBe("i-00000000000000002");
  });

  it("gives up after maxAttempts, warns, and enriches from addresses alone", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).rejects(throttled());
    const enricher = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges, live: { sleep: async () => {}, maxAttempts: 3 } });
    const [flow] = (await enrichFlows([record(account(1)[0]!, "81.2.69.142", 1)], enricher)) as EnrichedTraffic[];
    expect(enricher.stats.describeNetworkInterfacesCalls).toBe(3);
    expect(enricher.directory.warnings[0]).toMatch(/DescribeNetworkInterfaces .* failed: RequestLimitExceeded/);
    expect(flow!.Client).toMatchObject({ Addr: "10.1.0.0", Type: "private", Rfc1918: true });
    expect(flow!.Server).toMatchObject({ Type: "internet", Public: true });
  });

  it("caches misses (deleted interfaces) and looks them up again after expiry", async () => {
    serve(account(1));
    let now = 1_000_000;
    const enricher = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges, live: { now: () => now, negativeTtlMs: 60_000 } });
    const gone = { ...account(1)[0]!, NetworkInterfaceId: "eni-deleted0000000000", PrivateIpAddress: "10.9.9.9" };
    await enrichFlows([record(gone, "81.2.69.142", 1)], enricher);
    const afterFirst = enricher.stats.describeNetworkInterfacesCalls;
    expect(afterFirst).toBe(2); // by id, then its private address
    await enrichFlows([record(gone, "81.2.69.142", 1)], enricher);
    expect(enricher.stats.describeNetworkInterfacesCalls).toBe(afterFirst);
    now += 61_000;
    await enrichFlows([record(gone, "81.2.69.142", 1)], enricher);
    expect(enricher.stats.describeNetworkInterfacesCalls).toBe(afterFirst + 2);
  });

  it("looks up the peer's private address in batches and splits a batch EC2 finds too large", async () => {
    const enis = account(300);
    serve(enis);
    const enricher = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges, live: { batchSize: 200 } });
    // Interface 0 talks to the 299 others; only interface 0 is known by id.
    const records = enis.slice(1).map((peer, i) => record(enis[0]!, peer.PrivateIpAddress!, i + 1));
    const flows = (await enrichFlows(records, enricher)) as EnrichedTraffic[];
    const byAddress = ec2.commandCalls(DescribeNetworkInterfacesCommand).filter((c) => c.args[0].input.Filters?.[0]?.Name === "addresses.private-ip-address");
    expect(byAddress.map((c) => c.args[0].input.Filters![0]!.Values!.length)).toEqual([200, 99]);
    expect(flows[298]!.Server).toMatchObject({ InterfaceId: "eni-00000000000000299", Type: "ec2:instance" });

    // An account where EC2 takes fewer values per call: FilterLimitExceeded halves the batch.
    ec2.reset();
    serve(enis);
    filterLimit = 120;
    const other = createEnricher({ ec2Client: new EC2Client({ region: "us-east-1" }), ipRanges });
    const again = (await enrichFlows(records, other)) as EnrichedTraffic[];
    const sizes = ec2.commandCalls(DescribeNetworkInterfacesCommand).filter((c) => c.args[0].input.Filters?.[0]?.Name === "addresses.private-ip-address").map((c) => c.args[0].input.Filters![0]!.Values!.length);
    expect(sizes).toEqual([200, 100, 100, 99]);
    expect(again[298]!.Server.InterfaceId).toBe("eni-00000000000000299");
    expect(other.directory.warnings).toEqual([]);
  });
});
