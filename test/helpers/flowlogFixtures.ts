/**
 * Shared fixtures for flow-log pipeline, CLI and Lambda tests: the bundled sample, its inventory, the
 * findings the built-in rules must report on it, and an EC2 mock that answers from the inventory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DescribeNetworkInterfacesCommand, DescribeTagsCommand, EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import type { Finding } from "../../src/engine/model";

const ROOT = join(__dirname, "../..");
export const SAMPLE_LOG = join(ROOT, "samples/flowlogs/sample.log");
export const INVENTORY_FILES = [join(ROOT, "test/fixtures/flowlogs/network-interfaces.json"), join(ROOT, "test/fixtures/flowlogs/instances.json")];

export function sampleText(): string {
  return readFileSync(SAMPLE_LOG, "utf8");
}

/** The sample's records without the header line: what CloudWatch Logs delivers, one message per event. */
export function sampleMessages(): string[] {
  return sampleText().split("\n").slice(1).filter((l) => l !== "");
}

/** base64(gzip(JSON)) of a CloudWatch Logs subscription payload. */
export function cloudWatchData(messages: readonly string[], messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE" = "DATA_MESSAGE", logStream = "eni-all"): string {
  const payload = {
    messageType,
    owner: "123456789012",
    logGroup: "/vpc/flow-logs",
    logStream,
    subscriptionFilters: ["parapet"],
    logEvents: messages.map((message, i) => ({ id: String(36000000000000000000000000000000000000000000000000000000 + i), timestamp: 1718000000000, message })),
  };
  return gzipSync(JSON.stringify(payload)).toString("base64");
}

/**
 * What the built-in rules report on the sample with the inventory, as `line rule subject`: checked
 * line by line against the sample (docs in each rule explain why). Flow findings are per conversation
 * (each of the sample's conversations is one connection, so the same findings as one per paired record),
 * located at the conversation's first line; subject ids name the conversation without the client port.
 * A connection both of whose interfaces log (lines 8–11, 14–17) is reported once, from the server end.
 */
export const SAMPLE_FINDINGS = [
  "2 flow-ssh-rdp-accepted-from-internet eni-0a1b2c3d4e5f60001:tcp:81.2.69.142-10.0.1.10:22:ACCEPT:1718000000",
  "2 required-tags i-0a1b2c3d4e5f60001",
  "2 sg-internet-ingress-port-not-allowed sg-0c1d2e3f4a5b60001",
  "7 sg-internet-ingress-port-not-allowed sg-0c1d2e3f4a5b60001",
  "10 flow-cross-az-traffic eni-0a1b2c3d4e5f60003:tcp:10.0.2.20-10.0.3.30:5432:ACCEPT:1718000000",
  "10 flow-lambda-to-rds-without-proxy eni-0a1b2c3d4e5f60003:tcp:10.0.2.20-10.0.3.30:5432:ACCEPT:1718000000",
  "12 flow-database-port-accepted-from-internet eni-0a1b2c3d4e5f60003:tcp:45.33.32.156-10.0.3.30:5432:ACCEPT:1718000000",
  "12 sg-internet-ingress-port-not-allowed sg-0c1d2e3f4a5b60003",
  "16 flow-cross-az-traffic eni-0a1b2c3d4e5f60001:tcp:10.0.2.40-10.0.1.10:8080:ACCEPT:1718000000",
  "16 flow-ec2-to-ec2-bypassing-load-balancer eni-0a1b2c3d4e5f60001:tcp:10.0.2.40-10.0.1.10:8080:ACCEPT:1718000000",
  "20 flow-cross-az-traffic eni-0a1b2c3d4e5f60005:tcp:10.0.2.40-10.0.0.50:443:ACCEPT:1718000000",
  "30 flow-log-records-skipped eni-0a1b2c3d4e5f60004:SKIPDATA:1718000000",
];

/** `line rule subject` per finding, in line order then rule id (rule order within a subject is not a contract). */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings
    .map((f) => `${f.location.line} ${f.ruleId} ${f.subject.id}`)
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

/**
 * An EC2 mock answering DescribeNetworkInterfaces (filters by interface id or private address) and
 * DescribeTags from the inventory fixtures; the first `throttleFirst` calls fail with RequestLimitExceeded.
 */
export function mockEc2FromInventory(throttleFirst = 0) {
  const enis = (JSON.parse(readFileSync(INVENTORY_FILES[0]!, "utf8")) as { NetworkInterfaces: NetworkInterface[] }).NetworkInterfaces;
  const reservations = (JSON.parse(readFileSync(INVENTORY_FILES[1]!, "utf8")) as { Reservations: { Instances: { InstanceId: string; Tags?: { Key: string; Value: string }[] }[] }[] }).Reservations;
  const ec2 = mockClient(EC2Client);
  let calls = 0;
  const throttle = () => {
    if (calls++ < throttleFirst) throw Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded", Code: "RequestLimitExceeded" });
  };
  ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
    throttle();
    const filter = input.Filters?.[0];
    const values = new Set(filter?.Values ?? []);
    const hit = (eni: NetworkInterface) =>
      filter?.Name === "network-interface-id"
        ? values.has(eni.NetworkInterfaceId ?? "")
        : (eni.PrivateIpAddresses ?? []).some((p) => values.has(p.PrivateIpAddress ?? "")) || values.has(eni.PrivateIpAddress ?? "");
    return { NetworkInterfaces: enis.filter(hit) };
  });
  ec2.on(DescribeTagsCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
    throttle();
    const ids = new Set(input.Filters?.find((f) => f.Name === "resource-id")?.Values ?? []);
    const Tags = reservations
      .flatMap((r) => r.Instances)
      .filter((i) => ids.has(i.InstanceId))
      .flatMap((i) => (i.Tags ?? []).map((t) => ({ ResourceId: i.InstanceId, ResourceType: "instance", Key: t.Key, Value: t.Value })));
    return { Tags };
  });
  return ec2;
}
