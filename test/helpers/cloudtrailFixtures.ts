/**
 * CloudTrail log files for pipeline, Lambda and CLI tests: one good file raising exactly the
 * mission's three alerts among benign records, and the malformed inputs every reader must survive.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadRules } from "../../src/engine/loader";
import { samplePolicy } from "./samplePolicy";
import type { RuleSet } from "../../src/engine/ruleset";
import { PACKAGE_ROOT } from "../../src/paths";

const SAMPLES = join(__dirname, "../fixtures/cloudtrail-samples");

export function sampleRecord(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SAMPLES, name), "utf8")) as Record<string, unknown>;
}

/** The three mission rules only, so the expected alerts do not move when the rule pack grows. */
export const MISSION_RULES = ["rules/tagging/required-tags.yaml", "rules/network/sg-internet-ingress-port-not-allowed.yaml", "rules/iam/iam-change-outside-business-hours.yaml"].map(
  (f) => join(PACKAGE_ROOT, f),
);

export function missionRuleSet(): RuleSet {
  return loadRules({ config: samplePolicy(), ruleDirs: MISSION_RULES }).ruleSet;
}

/** CreateAccessKey at 02:24 London time (BST) on a Tuesday. */
export const NIGHT_KEY_EVENT_ID = "0f4e7d1c-3b2a-4c59-8e6f-7a8b9c0d1e2f";

/** Untagged RunInstances, SSH opened to 0.0.0.0/0 and an IAM change at night, among benign records (not in time order). */
export function goodRecords(): Record<string, unknown>[] {
  const nightKey = { ...sampleRecord("CreateAccessKey.invictus.json"), eventID: NIGHT_KEY_EVENT_ID, eventTime: "2023-07-11T01:24:50Z" };
  return [
    sampleRecord("Error_AccessDenied.invictus.json"),
    sampleRecord("RunInstances_success_tagSpecificationSet.invictus.json"),
    sampleRecord("ConsoleLogin_failure.panther.json"),
    sampleRecord("CreateUser.invictus.json"), // business hours: no alert
    nightKey,
    sampleRecord("AuthorizeSecurityGroupIngress_ipPermissions_0.0.0.0-0.invictus.json"), // 443 is allowed
    sampleRecord("AuthorizeSecurityGroupIngress_flat_cidrIp_port22.invictus.json"),
    sampleRecord("RunInstances_failed_InvalidParameterValue.invictus.json"), // failed call: no instance
    sampleRecord("CreateTags_ec2.invictus.json"),
  ];
}

export function gzipJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

export const goodLog = (): Buffer => gzipJson({ Records: goodRecords() });

/** Malformed inputs, each with the words its error must contain. */
export function badLogs(): Array<{ name: string; body: Buffer; error: RegExp }> {
  const good = goodLog();
  let seed = 7;
  const random = Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
  random[0] = 0x42; // not the gzip magic by chance
  return [
    { name: "truncated", body: good.subarray(0, Math.floor(good.length / 2)), error: /corrupt or truncated gzip/ },
    { name: "random", body: random, error: /not a gzip file/ },
    { name: "not-json", body: gzipSync("{\"Records\": [ {\"eventVersion\""), error: /not valid JSON/ },
    { name: "no-records", body: gzipJson({ records: [] }), error: /no "Records" array/ },
    { name: "records-not-list", body: gzipJson({ Records: { eventName: "RunInstances" } }), error: /no "Records" array/ },
    {
      name: "digest-body",
      body: gzipJson({ awsAccountId: "123837392027", digestSignatureAlgorithm: "SHA256withRSA", logFiles: [] }),
      error: /digest file/,
    },
  ];
}

/** A valid file whose one record carries 8 MB of request data: processed like any other. */
export function hugeRecordLog(): Buffer {
  const run = sampleRecord("RunInstances_success_tagSpecificationSet.invictus.json");
  const params = run.requestParameters as Record<string, unknown>;
  return gzipJson({ Records: [{ ...run, eventID: "9a8b7c6d-0000-4000-8000-00000000ffff", requestParameters: { ...params, userData: "A".repeat(8 * 1024 * 1024) } }] });
}

export interface ExpectedAlert {
  ruleId: string;
  subject: string;
  alias: string;
  priority: string;
}

/** The alias contract: `parapet-<rule>-sha256(JSON [rule, type, id, "event", account, region, eventId])`. */
export function expectedAlias(ruleId: string, type: string, id: string, eventId: string, account = "123837392027", region = "us-east-1"): string {
  return `parapet-${ruleId}-${createHash("sha256").update(JSON.stringify([ruleId, type, id, "event", account, region, eventId])).digest("hex")}`;
}

/** What the good file must publish, sorted by alias. */
export function expectedAlerts(): ExpectedAlert[] {
  return [
    {
      ruleId: "required-tags",
      subject: "[MEDIUM] Taggable resources carry the required tags: i-05c30218156bcc246",
      alias: expectedAlias("required-tags", "AWS::EC2::Instance", "i-05c30218156bcc246", "8c9d5d59-f65e-4d38-a71b-6d712487cd91"),
      priority: "P3",
    },
    {
      ruleId: "sg-internet-ingress-port-not-allowed",
      subject: "[HIGH] Security group ingress from the internet to a port outside the allow-list: sg-04cfb7a4712...", // < 100 characters
      alias: expectedAlias("sg-internet-ingress-port-not-allowed", "AWS::EC2::SecurityGroupIngress", "sg-04cfb7a4712d75b00", "74bd84b4-6729-4895-b2a4-e2beb7c6b377"),
      priority: "P2",
    },
    {
      ruleId: "iam-change-outside-business-hours",
      subject: `[MEDIUM] IAM change made outside business hours: ${NIGHT_KEY_EVENT_ID}`,
      alias: expectedAlias("iam-change-outside-business-hours", "Parapet::CloudTrail::ApiCall", NIGHT_KEY_EVENT_ID, NIGHT_KEY_EVENT_ID),
      priority: "P3",
    },
  ].sort((a, b) => a.alias.localeCompare(b.alias));
}

/** A CloudTrail log key in the organization-trail layout. */
export function logKey(name: string, account = "123837392027"): string {
  return `AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/us-east-1/2023/07/11/${account}_CloudTrail_us-east-1_20230711T0130Z_${name}.json.gz`;
}
