import path from "node:path";
import { readFileSync } from "node:fs";
import {
  addressScope,
  buildIpRanges,
  classifyInterface,
  createEnricher,
  enrichFlows,
  flowsToSubjects,
  foldRecords,
  loadInventoryFiles,
  MAX_LINES_PER_CONVERSATION,
  loadIpRanges,
  parseFlowLogText,
  type EnrichedFlow,
  type EnrichedTraffic,
  type FlowRecord,
} from "../../../src/sources/flowlog";
import { decideByFlags, decideByPorts } from "../../../src/sources/flowlog/direction";
import { compileIpRanges } from "../../../src/sources/flowlog/ipRanges";

const ipRanges = loadIpRanges();

describe("ip-ranges", () => {
  it("prefers the most specific service over AMAZON, from the bundled snapshot", () => {
    expect(ipRanges.lookup("52.216.8.1")).toMatchObject({ service: "S3", prefix: "52.216.0.0/15", region: "us-east-1" });
    expect(ipRanges.lookup("52.4.17.30")).toMatchObject({ service: "EC2" });
    expect(ipRanges.lookup("81.2.69.142")).toBeUndefined();
    expect(ipRanges.lookup("10.0.0.1")).toBeUndefined();
    expect(ipRanges.prefixCount).toBeGreaterThan(10_000);
  });

  it("resolves nesting: a service inside AMAZON wins, AMAZON inside a service does not", () => {
    const table = buildIpRanges({
      syncToken: "1",
      createDate: "x",
      prefixes: [
        { ip_prefix: "16.0.0.0/8", region: "GLOBAL", service: "AMAZON", network_border_group: "GLOBAL" },
        { ip_prefix: "16.15.0.0/16", region: "us-east-1", service: "S3", network_border_group: "us-east-1" },
        { ip_prefix: "16.15.4.0/24", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
        { ip_prefix: "16.15.8.0/24", region: "us-east-1", service: "EC2", network_border_group: "us-east-1" },
        { ip_prefix: "16.15.8.0/24", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
        { ip_prefix: "16.15.8.0/24", region: "us-east-1", service: "ROUTE53_HEALTHCHECKS", network_border_group: "us-east-1" },
        { ip_prefix: "not a prefix", region: "x", service: "S3" },
      ],
      ipv6_prefixes: [
        { ipv6_prefix: "2600:1f00::/24", region: "GLOBAL", service: "AMAZON", network_border_group: "GLOBAL" },
        { ipv6_prefix: "2600:1f18::/33", region: "us-east-1", service: "S3", network_border_group: "us-east-1" },
      ],
    });
    expect(table.lookup("16.1.1.1")?.service).toBe("AMAZON");
    expect(table.lookup("16.15.0.1")?.service).toBe("S3");
    expect(table.lookup("16.15.4.9")?.service).toBe("S3");
    expect(table.lookup("16.15.8.9")).toMatchObject({ service: "EC2", services: ["EC2", "ROUTE53_HEALTHCHECKS"] });
    expect(table.lookup("16.15.9.0")?.service).toBe("S3");
    expect(table.lookup("16.16.0.0")?.service).toBe("AMAZON");
    expect(table.lookup("17.0.0.0")).toBeUndefined();
    expect(table.lookup("15.255.255.255")).toBeUndefined();
    expect(table.lookup("2600:1f18::1")?.service).toBe("S3");
    expect(table.lookup("2600:1f40::1")?.service).toBe("AMAZON");
    expect(table.lookup("2001:db8::1")).toBeUndefined();
  });

  it("answers a million lookups in well under a second", () => {
    const t = performance.now();
    let hits = 0;
    for (let i = 0; i < 1_000_000; i++) if (ipRanges.lookup(`52.${i & 255}.${(i >> 8) & 255}.7`)) hits++;
    expect(hits).toBeGreaterThan(0);
    expect(performance.now() - t).toBeLessThan(1500);
  });

  it("loads a newer file by path and says clearly when it is not one", () => {
    expect(loadIpRanges("data/ip-ranges.json").syncToken).toBe("1787411825");
    expect(() => loadIpRanges("package.json")).toThrow(/package.json: not an AWS ip-ranges.json document/);
  });
});

describe("address scope", () => {
  it.each([
    ["10.1.2.3", "rfc1918"], ["172.31.0.1", "rfc1918"], ["172.32.0.1", "public"], ["192.168.9.9", "rfc1918"], ["100.64.1.1", "private"],
    ["169.254.169.254", "private"], ["127.0.0.1", "private"], ["203.0.113.12", "public"], ["52.216.8.1", "public"],
    ["fd00::1", "private"], ["fe80::1", "private"], ["2600:1f18::1", "public"], ["2001:db8:1234:a100::1", "public"], ["nonsense", undefined],
  ])("%s is %s", (address, scope) => expect(addressScope(address)).toBe(scope));
});

describe("interface classification", () => {
  const arn = { partition: "aws", region: "us-east-1", accountId: "123456789012" };
  it.each([
    [{ Attachment: { InstanceId: "i-1" }, Description: "ELB app/x/y" }, "ec2:instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
    [{ InterfaceType: "lambda", Description: "AWS Lambda VPC ENI-my-fn-3f1c2a9e-5b7d-4e21-9a0c-8d6f4b2e1a37" }, "lambda:function", "arn:aws:lambda:us-east-1:123456789012:function:my-fn"],
    [{ Description: "AWS Lambda VPC ENI: abc", RequesterId: "AROAX:legacy-fn" }, "lambda:function", "arn:aws:lambda:us-east-1:123456789012:function:legacy-fn"],
    [{ Description: "ELB app/web-alb/65132a64d3888e29" }, "elb:application", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/65132a64d3888e29"],
    [{ Description: "ELB net/nlb/0123", InterfaceType: "network_load_balancer" }, "elb:network", undefined],
    [{ Description: "ELB gwy/gw/0123" }, "elb:gateway", undefined],
    [{ Description: "ELB legacy-clb" }, "elb:classic", undefined],
    [{ Description: "Interface for NAT Gateway nat-0f1e2d3c4b5a69788", InterfaceType: "nat_gateway" }, "ec2:nat-gateway", "arn:aws:ec2:us-east-1:123456789012:natgateway/nat-0f1e2d3c4b5a69788"],
    [{ InterfaceType: "natGateway" }, "ec2:nat-gateway", undefined],
    [{ Description: "VPC Endpoint Interface: vpce-0b1c2d3e4f5a60006", InterfaceType: "vpc_endpoint" }, "ec2:vpc-endpoint", "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0b1c2d3e4f5a60006"],
    [{ Description: "RDSNetworkInterface", RequesterId: "amazon-rds" }, "rds:db", undefined],
    [{ Description: "RedshiftNetworkInterface" }, "redshift:cluster", undefined],
    [{ Description: "ElastiCache my-redis-001", RequesterId: "amazon-elasticache" }, "elasticache:cluster", "arn:aws:elasticache:us-east-1:123456789012:cluster:my-redis-001"],
    [{ Description: "arn:aws:ecs:us-east-1:123456789012:attachment/8f3c2d1e-0000-4000-8000-000000000000" }, "ecs:task", "arn:aws:ecs:us-east-1:123456789012:attachment/8f3c2d1e-0000-4000-8000-000000000000"],
    [{ Description: "EFS mount target for fs-0123abcd (fsmt-0123abcd)", InterfaceType: "efs" }, "efs:mount-target", "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd"],
    [{ InterfaceType: "transit_gateway" }, "ec2:transit-gateway", undefined],
    [{ RequesterManaged: true, Description: "something new" }, "aws:managed", undefined],
    [{ NetworkInterfaceId: "eni-1", Status: "available" }, "ec2:network-interface", "arn:aws:ec2:us-east-1:123456789012:network-interface/eni-1"],
  ])("%j is %s", (eni, type, expectedArn) => {
    const result = classifyInterface(eni as never, arn);
    expect(result.type).toBe(type);
    if (expectedArn) expect(result.arn).toBe(expectedArn);
  });
});

describe("client and server", () => {
  it("uses TCP flags first: SYN on the client's record, SYN-ACK on the server's", () => {
    expect(decideByFlags(6, 2)).toEqual({ srcIsClient: true, by: "tcp-flags" });
    expect(decideByFlags(6, 3)).toEqual({ srcIsClient: true, by: "tcp-flags" });
    expect(decideByFlags(6, 18)).toEqual({ srcIsClient: false, by: "tcp-flags" });
    expect(decideByFlags(6, 19)).toEqual({ srcIsClient: false, by: "tcp-flags" });
    expect(decideByFlags(6, 1)).toBeUndefined();
    expect(decideByFlags(17, 2)).toBeUndefined();
  });

  it.each([
    [50022, 22, true, "well-known-port"],
    [22, 50022, false, "well-known-port"],
    [41522, 5432, true, "service-port"],
    [6379, 2048, false, "service-port"],
    [45000, 5001, true, "ephemeral-port"],
    [5001, 43416, false, "ephemeral-port"],
    [2000, 1500, true, "lower-port"],
    [0, 0, true, "source"],
    [undefined, 22, true, "source"],
  ])("ports %s → %s: src is client = %s (%s)", (src, dst, srcIsClient, by) => {
    expect(decideByPorts(src, dst)).toEqual({ srcIsClient, by });
  });

  it("turns the AWS tcp-flags example around: the server's ephemeral-looking 5001 is still the server", async () => {
    const text = readFileSync(path.join(__dirname, "../../fixtures/conformance/flowlogs/aws-docs/examples-by-section.txt"), "utf8");
    const header = text.split("\n").find((l) => l.startsWith("version vpc-id subnet-id"))!;
    const lines = text.split("\n").filter((l) => l.startsWith("3 vpc-abcdefab012345678")).slice(0, 2);
    const flows = (await enrichFlows(parseFlowLogText([header, ...lines].join("\n")).records, createEnricher({ ipRanges }))) as EnrichedTraffic[];
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ ClientBy: "tcp-flags", Paired: true, Uploaded: 568, Downloaded: 376, SrcPort: 43416, DstPort: 5001, Direction: "inbound" });
    expect(flows[0]!.Client.Addr).toBe("52.213.180.42");
  });
});

describe("pairing", () => {
  const base: FlowRecord = {
    line: 1, interfaceId: "eni-1", srcaddr: "10.0.0.1", dstaddr: "10.0.0.2", srcport: 40000, dstport: 443, protocol: 6,
    packets: 2, bytes: 100, start: 100, end: 160, action: "ACCEPT", logStatus: "OK",
  };
  const reverse = (r: FlowRecord, changes: Partial<FlowRecord> = {}): FlowRecord => ({
    ...r, line: r.line + 1, srcaddr: r.dstaddr, dstaddr: r.srcaddr, srcport: r.dstport, dstport: r.srcport, bytes: 900, packets: 5, ...changes,
  });
  const enrich = async (records: FlowRecord[], pair?: boolean) =>
    (await enrichFlows(records, createEnricher({ ipRanges }), { pair })) as EnrichedTraffic[];

  it("merges a record with its reverse twin in the same window, whichever comes first", async () => {
    const [flow] = await enrich([reverse(base, { line: 1 }), { ...base, line: 2 }]);
    expect(flow).toMatchObject({ Uploaded: 100, Downloaded: 900, UploadedPackets: 2, DownloadedPackets: 5, Paired: true, Lines: [1, 2] });
  });

  it("keeps records apart across actions and interfaces, and when folding is off", async () => {
    expect(await enrich([base, reverse(base, { action: "REJECT" })])).toHaveLength(2);
    expect(await enrich([base, reverse(base, { interfaceId: "eni-2" })])).toHaveLength(2);
    const unpaired = await enrich([base, reverse(base)], false);
    expect(unpaired.map((f) => [f.Uploaded, f.Downloaded, f.Records])).toEqual([[100, undefined, 1], [undefined, 900, 1]]);
  });
});

describe("conversations", () => {
  const record = (line: number, changes: Partial<FlowRecord> = {}): FlowRecord => ({
    line, interfaceId: "eni-1", srcaddr: "10.0.0.1", dstaddr: "10.0.0.2", srcport: 40000 + line, dstport: 5432, protocol: 6,
    packets: 2, bytes: 100, start: 100 + 60 * line, end: 160 + 60 * line, action: "ACCEPT", logStatus: "OK", ...changes,
  });
  const replyTo = (r: FlowRecord, line: number, changes: Partial<FlowRecord> = {}): FlowRecord => ({
    ...r, line, srcaddr: r.dstaddr, dstaddr: r.srcaddr, srcport: r.dstport, dstport: r.srcport, packets: 3, bytes: 1000, ...changes,
  });

  it("fold every connection of a client, server and port across windows and ephemeral ports, summing both directions", () => {
    const a = record(1);
    const b = record(3);
    const units = foldRecords([a, replyTo(a, 2), b, replyTo(b, 4), record(5, { dstport: 6379 })]);
    expect(units).toHaveLength(2);
    expect(units[0]).toMatchObject({
      client: "10.0.0.1", server: "10.0.0.2", serverPort: 5432, clientPort: 40001, clientBy: "service-port",
      upBytes: 200, upPackets: 4, downBytes: 2000, downPackets: 6, sawUp: true, sawDown: true, start: 160, end: 340, records: 4, lines: [1, 2, 3, 4],
    });
    expect(units[1]).toMatchObject({ serverPort: 6379, records: 1, sawDown: false, downBytes: undefined, lines: [5] });
  });

  it("keeps NODATA and SKIPDATA records apart, each its own gap", () => {
    const gap = (line: number, logStatus: "NODATA" | "SKIPDATA"): FlowRecord => ({ line, interfaceId: "eni-1", start: 100, end: 160, logStatus });
    const units = foldRecords([gap(1, "SKIPDATA"), record(2), gap(3, "SKIPDATA"), gap(4, "NODATA")]);
    expect(units.map((u) => (u.kind === "gap" ? `${u.logStatus}@${u.line}` : "traffic"))).toEqual(["SKIPDATA@1", "traffic", "SKIPDATA@3", "NODATA@4"]);
  });

  it("pairs a reply that cannot tell its direction (ICMP, no ports) with the request already seen", () => {
    const ping = record(1, { protocol: 1, srcport: 0, dstport: 0 });
    const units = foldRecords([ping, replyTo(ping, 2)]);
    expect(units).toEqual([expect.objectContaining({ client: "10.0.0.1", server: "10.0.0.2", clientBy: "source", upBytes: 100, downBytes: 1000, records: 2 })]);
  });

  it("orients by TCP flags, and folds later flagless records of the connection into it", () => {
    // Server port 40000 looks ephemeral, client port 5001 does not: the ports alone would say the opposite.
    const syn = record(1, { srcport: 5001, dstport: 40000, tcpFlags: 2 });
    const later = record(3, { srcport: 5001, dstport: 40000, tcpFlags: 16 });
    const units = foldRecords([syn, replyTo(syn, 2, { tcpFlags: 18 }), later, replyTo(later, 4, { tcpFlags: 17 })]);
    expect(units).toEqual([expect.objectContaining({ client: "10.0.0.1", serverPort: 40000, clientBy: "tcp-flags", tcpFlags: 2 | 16 | 18 | 17, records: 4, upBytes: 200, downBytes: 2000 })]);
  });

  it("keeps the first line numbers and counts every record", () => {
    const many = Array.from({ length: 100 }, (_, i) => record(i + 1, { start: 100, end: 160 }));
    const [unit] = foldRecords(many);
    expect(unit).toMatchObject({ records: 100, upBytes: 10_000 });
    expect(unit!.kind === "traffic" && unit!.lines).toEqual(Array.from({ length: MAX_LINES_PER_CONVERSATION }, (_, i) => i + 1));
  });

  it("enriches a conversation once, with sums, span and record count", async () => {
    const a = record(1);
    const [flow] = (await enrichFlows([a, replyTo(a, 2), record(3)], createEnricher({ ipRanges }))) as EnrichedTraffic[];
    expect(flow).toMatchObject({ Uploaded: 200, Downloaded: 1000, Start: "160", End: "340", SrcPort: 40001, DstPort: 5432, Paired: true, Records: 3, Lines: [1, 2, 3] });
  });
});

describe("the bundled sample with its inventory", () => {
  let flows: EnrichedFlow[];
  const traffic = () => flows.filter((f): f is EnrichedTraffic => f.LogStatus === "OK");
  beforeAll(async () => {
    const inventory = await loadInventoryFiles(["test/fixtures/flowlogs/network-interfaces.json", "test/fixtures/flowlogs/instances.json"]);
    const parsed = parseFlowLogText(readFileSync("samples/flowlogs/sample.log", "utf8"));
    expect(parsed.malformedCount).toBe(0);
    flows = await enrichFlows(parsed.records, createEnricher({ inventory, ipRanges }));
  });

  it("enriches to the issue's shape", () => {
    const ssh = traffic().find((f) => f.DstPort === 22)!;
    expect(ssh).toMatchObject({
      Protocol: "tcp", Uploaded: 2412, Downloaded: 3380, Start: "1718000000", End: "1718000060", Action: "ACCEPT", Direction: "inbound",
      Client: { Addr: "81.2.69.142", Type: "internet", Rfc1918: false, Public: true },
      Server: {
        Addr: "10.0.1.10", Arns: "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001", InterfaceId: "eni-0a1b2c3d4e5f60001",
        SubnetId: "subnet-0aa11bb22cc33dd01", VpcId: "vpc-0f1e2d3c4b5a69780", AccountId: "123456789012", SecurityGroupIds: ["sg-0c1d2e3f4a5b60001"],
        AvailabilityZone: "us-east-1a", Region: "us-east-1", Type: "ec2:instance", Rfc1918: true, Tags: {},
      },
    });
  });

  it("sees Lambda → RDS across zones on both interfaces, S3 as a service, the NAT gateway and the endpoint", () => {
    const toRds = traffic().filter((f) => f.Client.Type === "lambda:function" && f.Server.Type === "rds:db");
    expect(toRds.map((f) => [f.InterfaceId, f.CrossAz, f.Client.ResourceId])).toEqual([
      ["eni-0a1b2c3d4e5f60002", true, "orders-processor"],
      ["eni-0a1b2c3d4e5f60003", true, "orders-processor"],
    ]);
    expect(traffic().find((f) => f.Server.AwsService === "s3")).toMatchObject({ Uploaded: 8000, Downloaded: 420000, Server: { Type: "aws:service", Region: "us-east-1" } });
    expect(traffic().filter((f) => f.Client.Type === "ec2:nat-gateway" || f.Server.Type === "ec2:nat-gateway")).toHaveLength(2);
    expect(traffic().some((f) => f.Server.Type === "ec2:vpc-endpoint" && f.Client.Type === "lambda:function")).toBe(true);
    const ec2ToEc2 = traffic().filter((f) => f.Client.Type === "ec2:instance" && f.Server.Type === "ec2:instance");
    expect(ec2ToEc2.every((f) => f.DstPort === 8080 && f.CrossAz)).toBe(true);
    expect(flows.map((f) => f.LogStatus).filter((s) => s !== "OK")).toEqual(["SKIPDATA", "NODATA"]);
  });

  it("makes flow, instance and observed-ingress subjects", () => {
    const subjects = flowsToSubjects(flows, "samples/flowlogs/sample.log");
    const flowSubjects = subjects.filter((s) => s.type === "Parapet::VPC::Flow");
    // Connections both of whose interfaces log are one subject each, the server end's capture.
    const capturedTwice = flows.filter((f) => !flowSubjects.some((s) => s.properties === (f as unknown as Record<string, unknown>)));
    expect(capturedTwice.map((f) => f.LogStatus === "OK" && [f.InterfaceId, f.Direction, f.Client.Addr, f.Server.Addr, f.DstPort])).toEqual([
      ["eni-0a1b2c3d4e5f60002", "outbound", "10.0.2.20", "10.0.3.30", 5432],
      ["eni-0a1b2c3d4e5f60004", "outbound", "10.0.2.40", "10.0.1.10", 8080],
      ["eni-0a1b2c3d4e5f60002", "outbound", "10.0.2.20", "10.0.2.60", 443],
    ]);
    for (const [client, server] of [["10.0.2.20", "10.0.3.30"], ["10.0.2.40", "10.0.1.10"], ["10.0.2.20", "10.0.2.60"]]) {
      expect(flowSubjects.filter((s) => s.properties.LogStatus === "OK" && (s.properties as unknown as EnrichedTraffic).Client.Addr === client && (s.properties as unknown as EnrichedTraffic).Server.Addr === server)).toEqual([
        expect.objectContaining({ properties: expect.objectContaining({ Direction: "inbound" }) }),
      ]);
    }
    // In either order, and not when the two captures disagree on the action.
    const reversed = flowsToSubjects([...flows].reverse(), "x").filter((s) => s.type === "Parapet::VPC::Flow");
    expect(reversed.map((s) => s.id).sort()).toEqual(flowSubjects.map((s) => s.id).sort());
    const rejectedAtServer = flows.map((f) => (f.LogStatus === "OK" && f.Direction === "inbound" && f.DstPort === 5432 && f.Client.Addr === "10.0.2.20" ? { ...f, Action: "REJECT" as const } : f));
    expect(flowsToSubjects(rejectedAtServer, "x").filter((s) => s.type === "Parapet::VPC::Flow")).toHaveLength(flowSubjects.length + 1);
    expect(flowSubjects[0]).toMatchObject({
      id: "eni-0a1b2c3d4e5f60001:tcp:81.2.69.142-10.0.1.10:22:ACCEPT:1718000000",
      source: "flowlog",
      context: {
        flow: {
          interfaceId: "eni-0a1b2c3d4e5f60001", accountId: "123456789012", start: 1718000000, end: 1718000060, action: "ACCEPT",
          observation: "eni-0a1b2c3d4e5f60001:tcp:81.2.69.142-10.0.1.10:22:ACCEPT",
        },
      },
      location: { file: "samples/flowlogs/sample.log", pointer: "/2", line: 2 },
    });
    expect(flowSubjects[0]!.properties).toBe(flows[0]);
    expect(flowSubjects.find((s) => s.properties.LogStatus === "SKIPDATA")?.id).toBe("eni-0a1b2c3d4e5f60004:SKIPDATA:1718000000");

    const instances = subjects.filter((s) => s.type === "AWS::EC2::Instance");
    expect(instances.map((s) => [s.id, s.properties.Tags])).toEqual([
      ["i-0a1b2c3d4e5f60001", []],
      ["i-0a1b2c3d4e5f60004", expect.arrayContaining([{ Key: "owner", Value: "data-team@example.com" }, { Key: "app", Value: "DataProcessor" }])],
    ]);

    const ingress = subjects.filter((s) => s.type === "AWS::EC2::SecurityGroupIngress");
    expect(ingress.map((s) => s.properties)).toEqual([
      expect.objectContaining({ GroupId: "sg-0c1d2e3f4a5b60001", CidrIp: "81.2.69.142/32", IpProtocol: "6", FromPort: 22, ToPort: 22 }),
      expect.objectContaining({ GroupId: "sg-0c1d2e3f4a5b60001", CidrIp: "81.2.69.142/32", IpProtocol: "6", FromPort: 443, ToPort: 443 }),
      expect.objectContaining({ GroupId: "sg-0c1d2e3f4a5b60001", CidrIp: "81.2.69.142/32", IpProtocol: "1" }),
      expect.objectContaining({ GroupId: "sg-0c1d2e3f4a5b60003", CidrIp: "45.33.32.156/32", IpProtocol: "6", FromPort: 5432, ToPort: 5432 }),
    ]);
    expect(ingress[2]!.properties.FromPort).toBeUndefined();
    expect(ingress[0]).toMatchObject({ id: "sg-0c1d2e3f4a5b60001", location: { pointer: "/2", line: 2 } });
    // Same group, different traffic: the observation tells SSH, HTTPS and ICMP apart for alerting.
    expect(ingress.map((s) => s.source === "flowlog" && s.context.flow?.observation)).toEqual([
      "sg-0c1d2e3f4a5b60001:tcp:22:81.2.69.142", "sg-0c1d2e3f4a5b60001:tcp:443:81.2.69.142", "sg-0c1d2e3f4a5b60001:icmp:-:81.2.69.142",
      "sg-0c1d2e3f4a5b60003:tcp:5432:45.33.32.156",
    ]);
  });

  it("observes IPv6 ingress as CidrIpv6 /128 and skips rejected or outbound traffic", async () => {
    const text = [
      "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
      "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
      "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
    ].join("\n");
    const enriched = await enrichFlows(parseFlowLogText(text).records, createEnricher({ ipRanges }));
    const ingress = flowsToSubjects(enriched, "x").filter((s) => s.type === "AWS::EC2::SecurityGroupIngress");
    expect(ingress.map((s) => s.properties.CidrIpv6 ?? s.properties.CidrIp)).toEqual(["203.0.113.12/32"]);
    // The documentation IPv6 prefix is public but both ends are: the capturing side is unknown without an inventory.
    expect((enriched[0] as EnrichedTraffic).Direction).toBe("unknown");
    const inventory = { networkInterfaces: [{ NetworkInterfaceId: "eni-1235b8ca123456789", Ipv6Addresses: [{ Ipv6Address: "2001:db8:1234:a102:3304:8879:34cf:4071" }], Groups: [{ GroupId: "sg-6" }] }], instanceTags: new Map() };
    const known = await enrichFlows(parseFlowLogText(text).records.slice(0, 1), createEnricher({ ipRanges, inventory }));
    expect(flowsToSubjects(known, "x").find((s) => s.type === "AWS::EC2::SecurityGroupIngress")?.properties).toEqual(
      expect.objectContaining({ CidrIpv6: "2001:db8:1234:a100:8d6e:3477:df66:f105/128", GroupId: "sg-6", FromPort: 22 }),
    );
  });
});

describe("compiled ip-ranges", () => {
  it("answers exactly as the published document after a JSON round trip", () => {
    const published = JSON.parse(readFileSync(path.join(__dirname, "../../../data/ip-ranges.json"), "utf8"));
    const direct = buildIpRanges(published);
    const compiled = buildIpRanges(JSON.parse(JSON.stringify(compileIpRanges(published))));
    expect(compiled.prefixCount).toBe(direct.prefixCount);
    expect(compiled.syncToken).toBe(direct.syncToken);
    for (let i = 0; i < 20000; i++) {
      const address = `${(i * 7919) % 256}.${(i * 104729) % 256}.${(i * 31) % 256}.${i % 256}`;
      expect([address, compiled.lookup(address)]).toEqual([address, direct.lookup(address)]);
    }
    for (const p of published.prefixes.slice(0, 500) as Array<{ ip_prefix: string }>) {
      const address = p.ip_prefix.split("/")[0]!;
      expect(compiled.lookup(address)).toEqual(direct.lookup(address));
    }
    expect(compiled.lookup("2600:1f18::1")).toEqual(direct.lookup("2600:1f18::1"));
  });
});
