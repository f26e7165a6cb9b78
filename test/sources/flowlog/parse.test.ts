import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  decodeCloudWatchLogsPayload,
  describeMalformed,
  flowLogBytesToText,
  parseCloudWatchLogEvents,
  parseFlowLogChunks,
  parseFlowLogText,
  parseFormatString,
  toCloudWatchLogsPayload,
} from "../../../src/sources/flowlog";
import { UserError } from "../../../src/util/errors";

const CONFORMANCE = join(__dirname, "../../fixtures/conformance/flowlogs");
const V2 = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

describe("default format", () => {
  it("parses a version-2 record into typed fields", () => {
    const { records, malformedCount } = parseFlowLogText(V2);
    expect(malformedCount).toBe(0);
    expect(records).toEqual([
      {
        line: 1, version: 2, accountId: "123456789010", interfaceId: "eni-1235b8ca123456789", srcaddr: "172.31.16.139",
        dstaddr: "172.31.16.21", srcport: 20641, dstport: 22, protocol: 6, packets: 20, bytes: 4249, start: 1418530010,
        end: 1418530070, action: "ACCEPT", logStatus: "OK",
      },
    ]);
  });

  it("treats - as missing in NODATA and SKIPDATA records", () => {
    const text = [
      "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
      "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
    ].join("\n");
    const [nodata, skip] = parseFlowLogText(text).records;
    expect(nodata).toMatchObject({ logStatus: "NODATA", start: 1431280876, end: 1431280934 });
    expect(nodata?.srcaddr).toBeUndefined();
    expect(nodata?.action).toBeUndefined();
    expect(skip).toMatchObject({ logStatus: "SKIPDATA", interfaceId: "eni-11111111aaaaaaaaa", line: 2 });
  });

  it("counts malformed lines with their line numbers and keeps going", () => {
    const text = [V2, "2 123 eni-1 too few", V2.replace(" 6 20 ", " 6 2x "), V2.replace("ACCEPT", "MAYBE"), "", V2].join("\r\n");
    const result = parseFlowLogText(text);
    expect(result.records.map((r) => r.line)).toEqual([1, 6]);
    expect(result.malformedCount).toBe(3);
    expect(result.malformed.map((m) => m.line)).toEqual([2, 3, 4]);
    expect(result.malformed[0]!.reason).toMatch(/expected 14 fields .* found 5/);
    expect(result.malformed[1]!.reason).toBe('field 9 (packets) is not a non-negative integer: "2x"');
    expect(result.malformed[2]!.reason).toMatch(/action\) must be ACCEPT, REJECT or -/);
    expect(describeMalformed(result, "f.log")[0]).toBe("f.log:2: malformed flow log record: expected 14 fields (version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status), found 5");
  });

  it("bounds malformed details but counts them all", () => {
    const text = Array.from({ length: 5 }, () => "garbage").join("\n");
    const result = parseFlowLogText(text, { maxMalformedDetails: 2 });
    expect(result.malformedCount).toBe(5);
    expect(describeMalformed(result, "x")).toEqual([expect.stringMatching(/^x:1:/), expect.stringMatching(/^x:2:/), "x: 3 more malformed flow log record(s) not shown"]);
  });

  it("tolerates stray whitespace", () => {
    expect(parseFlowLogText(V2.replace(" 22 ", "  22\t")).records[0]?.dstport).toBe(22);
  });

  it("parses in chunks with one malformed report for the whole text", () => {
    const text = [V2, V2, "bad", V2, V2, V2].join("\n");
    const generator = parseFlowLogChunks(text, { chunkSize: 2 });
    const sizes: number[] = [];
    let step = generator.next();
    while (!step.done) {
      sizes.push(step.value.length);
      step = generator.next();
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(step.value.malformed.map((m) => m.line)).toEqual([3]);
  });
});

describe("custom formats", () => {
  it("switches format at an S3 header line (v3 with tcp-flags)", () => {
    const text = [
      "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status",
      "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK",
    ].join("\n");
    const result = parseFlowLogText(text);
    expect(result.headerLines).toEqual([1]);
    expect(result.records[0]).toMatchObject({ version: 3, vpcId: "vpc-abcdefab012345678", instanceId: "i-01234567890123456", type: "IPv4", tcpFlags: 2, pktSrcaddr: "52.213.180.42", bytes: 568, packets: 8 });
  });

  it("parses every field of versions 3 to 8 from a configured format string", () => {
    const fields = {
      version: "8", "account-id": "123456789012", "interface-id": "eni-0abc", srcaddr: "10.0.0.1", dstaddr: "10.0.0.2", srcport: "1", dstport: "2",
      protocol: "6", packets: "3", bytes: "4", start: "5", end: "6", action: "REJECT", "log-status": "OK",
      "vpc-id": "vpc-1", "subnet-id": "subnet-1", "instance-id": "i-1", "tcp-flags": "18", type: "IPv6", "pkt-srcaddr": "10.0.0.3", "pkt-dstaddr": "10.0.0.4",
      region: "us-east-1", "az-id": "use1-az1", "sublocation-type": "outpost", "sublocation-id": "op-1",
      "pkt-src-aws-service": "S3", "pkt-dst-aws-service": "EC2", "flow-direction": "egress", "traffic-path": "8",
      "resource-type": "TransitGateway", "tgw-id": "tgw-1", "tgw-attachment-id": "tgw-attach-1", "tgw-src-vpc-account-id": "111", "tgw-dst-vpc-account-id": "222",
      "tgw-src-vpc-id": "vpc-2", "tgw-dst-vpc-id": "vpc-3", "tgw-src-subnet-id": "subnet-2", "tgw-dst-subnet-id": "subnet-3", "tgw-src-eni": "eni-2", "tgw-dst-eni": "eni-3",
      "tgw-src-az-id": "use1-az2", "tgw-dst-az-id": "use1-az3", "tgw-pair-attachment-id": "tgw-attach-2", "packets-lost-no-route": "7", "packets-lost-blackhole": "8",
      "packets-lost-mtu-exceeded": "9", "packets-lost-ttl-expired": "10",
      "ecs-cluster-arn": "arn:aws:ecs:us-east-1:123456789012:cluster/c", "ecs-cluster-name": "c", "ecs-container-instance-arn": "arn:ci", "ecs-container-instance-id": "ci",
      "ecs-container-id": "k1", "ecs-second-container-id": "k2", "ecs-service-name": "svc", "ecs-task-definition-arn": "arn:td", "ecs-task-arn": "arn:task", "ecs-task-id": "t1",
      "reject-reason": "BPA",
    };
    const format = Object.keys(fields).map((n) => `\${${n}}`).join(" ");
    const { records, malformedCount } = parseFlowLogText(Object.values(fields).join(" "), { format });
    expect(malformedCount).toBe(0);
    expect(records[0]).toMatchObject({
      version: 8, tcpFlags: 18, type: "IPv6", region: "us-east-1", azId: "use1-az1", sublocationType: "outpost", sublocationId: "op-1",
      pktSrcAwsService: "S3", pktDstAwsService: "EC2", flowDirection: "egress", trafficPath: 8,
      resourceType: "TransitGateway", tgwSrcEni: "eni-2", tgwPairAttachmentId: "tgw-attach-2", packetsLostNoRoute: 7, packetsLostTtlExpired: 10,
      ecsClusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c", ecsSecondContainerId: "k2", ecsTaskId: "t1", rejectReason: "BPA",
    });
    expect(Object.keys(records[0]!)).toHaveLength(Object.keys(fields).length + 1);
  });

  it("rejects a configured format with an unknown or repeated field, naming it", () => {
    expect(() => parseFormatString("${version} ${acount-id}")).toThrow(UserError);
    expect(() => parseFormatString("${version} ${acount-id}")).toThrow(/unknown flow log field "acount-id"/);
    expect(() => parseFormatString("version version")).toThrow(/names field "version" twice/);
  });

  it("keeps fields unknown to this version from a header line in `other`", () => {
    const result = parseFlowLogText("version interface-id future-field\n9 eni-1 x");
    expect(result.unknownFields).toEqual(["future-field"]);
    expect(result.records[0]).toMatchObject({ version: 9, interfaceId: "eni-1", other: { "future-field": "x" } });
  });
});

describe("conformance samples", () => {
  it("parses every record of the AWS documentation examples", () => {
    const text = readFileSync(join(CONFORMANCE, "aws-docs/examples-by-section.txt"), "utf8");
    // Sections restart the format (each starts with default or its own header); `#...` after a record
    // and `...` lines are the page's annotations, not records.
    const sections = text.split(/^# section:.*$/m).map((s) => s.replace(/ #.*$/gm, "").replace(/^\.\.\.$/gm, ""));
    let header: string | undefined;
    let count = 0;
    for (const section of sections) {
      const lines = section.split("\n").filter((l) => l.trim() !== "");
      if (lines.length === 0) continue;
      const first = lines[0]!.split(/\s+/)[0]!;
      const isHeader = /^[a-z]/.test(first) && !first.startsWith("i-") && !first.startsWith("eni-");
      if (isHeader) {
        header = lines[0];
        continue;
      }
      // Records following a header-only section use that header's format; digit-led ones with 14 fields are v2.
      const body = lines.join("\n");
      const defaultFormat = lines[0]!.trim().split(/\s+/).length === 14 && lines[0]!.startsWith("2 ");
      const result = parseFlowLogText(defaultFormat ? body : `${header}\n${body}`);
      expect(result.malformed).toEqual([]);
      expect(result.records).toHaveLength(lines.length);
      count += result.records.length;
    }
    expect(count).toBe(27);
  });

  const otel = join(CONFORMANCE, "otel");
  for (const file of readdirSync(otel).filter((f) => f.startsWith("valid_") && f.endsWith(".log"))) {
    it(`parses every record of otel/${file}`, () => {
      const text = readFileSync(join(otel, file), "utf8");
      const result = parseFlowLogText(text);
      expect(result.malformed).toEqual([]);
      expect(result.headerLines).toEqual([1]);
      expect(result.records).toHaveLength(text.trim().split("\n").length - 1);
    });
  }

  it("reads the transit gateway (v6) and ECS (v7) files field by field", () => {
    const tgw = parseFlowLogText(readFileSync(join(otel, "valid_tgw_flow_log.log"), "utf8")).records[0];
    expect(tgw).toMatchObject({ version: 6, tgwId: "tgw-0abc12345def67890", tgwSrcEni: "eni-0abc12345def67890", packetsLostNoRoute: 1, packetsLostTtlExpired: 4, flowDirection: "ingress", region: "us-east-1" });
    const ecs = parseFlowLogText(readFileSync(join(otel, "valid_vpc_flow_log_ecs.log"), "utf8")).records[0];
    expect(ecs).toMatchObject({ ecsClusterName: "my-cluster", ecsServiceName: "my-service", ecsTaskId: "abcdef1234567890" });
  });

  it.each([
    ["vpc_flow_log_too_few_fields.log", /^otel\/vpc_flow_log_too_few_fields\.log:2: malformed flow log record: expected 14 fields \(version .* log-status\), found 13$/],
    ["vpc_flow_log_too_many_fields.log", /^otel\/vpc_flow_log_too_many_fields\.log:2: malformed flow log record: expected 14 fields \(version .* log-status\), found 15$/],
  ])("rejects otel/%s with a clear message", (file, message) => {
    const result = parseFlowLogText(readFileSync(join(otel, file), "utf8"));
    expect(result.records).toEqual([]);
    expect(result.malformedCount).toBe(1);
    expect(describeMalformed(result, `otel/${file}`)).toEqual([expect.stringMatching(message)]);
  });

  it("parses the otel CloudWatch payloads, custom format from configuration", () => {
    const standard = toCloudWatchLogsPayload(JSON.parse(readFileSync(join(otel, "valid_vpc_flow_cw.json"), "utf8")));
    expect(parseCloudWatchLogEvents(standard).records.map((r) => [r.line, r.action])).toEqual([[1, "ACCEPT"], [2, "REJECT"]]);
    const custom = toCloudWatchLogsPayload(JSON.parse(readFileSync(join(otel, "valid_vpc_flow_cw_custom.json"), "utf8")));
    const withoutFormat = parseCloudWatchLogEvents(custom);
    expect(withoutFormat.malformedCount).toBe(2);
    const parsed = parseCloudWatchLogEvents(custom, { format: "${version} ${interface-id} ${srcaddr} ${dstaddr}" });
    expect(parsed.malformed).toEqual([]);
    expect(parsed.records[1]).toEqual({ line: 2, version: 2, interfaceId: "eni-1235b8ca123456789", srcaddr: "172.31.9.69", dstaddr: "172.31.9.12" });
  });
});

describe("delivery", () => {
  const payload = (messageType: string, messages: string[]) => ({
    messageType, owner: "123456789010", logGroup: "/aws/vpc/flowlogs", logStream: "eni-1235b8ca123456789", subscriptionFilters: ["f"],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1418530010000, message })),
  });
  const encode = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value))).toString("base64");

  it("decodes awslogs.data and skips control messages", () => {
    const data = decodeCloudWatchLogsPayload(encode(payload("DATA_MESSAGE", [V2, "broken"])));
    const result = parseCloudWatchLogEvents(data);
    expect(result.records).toHaveLength(1);
    expect(result.malformed[0]?.line).toBe(2);
    const control = decodeCloudWatchLogsPayload(encode(payload("CONTROL_MESSAGE", ["CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."])));
    expect(parseCloudWatchLogEvents(control).records).toEqual([]);
    expect(parseCloudWatchLogEvents(control).malformedCount).toBe(0);
  });

  it("says clearly when awslogs.data is not a payload", () => {
    expect(() => decodeCloudWatchLogsPayload("bm90IGd6aXA=")).toThrow(/<awslogs.data>: not a base64 gzip JSON CloudWatch Logs payload/);
    expect(() => decodeCloudWatchLogsPayload(encode({ messageType: "OTHER" }))).toThrow(/messageType "OTHER"/);
  });

  it("reads gzip and plain S3 objects alike", () => {
    const text = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n${V2}\n`;
    expect(flowLogBytesToText(gzipSync(Buffer.from(text)))).toBe(text);
    expect(flowLogBytesToText(Buffer.from(text))).toBe(text);
    expect(() => flowLogBytesToText(Buffer.from([0x1f, 0x8b, 1, 2]), "s3://b/k.log.gz")).toThrow(/s3:\/\/b\/k.log.gz: not a valid gzip file/);
  });
});
