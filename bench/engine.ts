import { loadRules } from "../src/engine/loader";
import { defaultConfiguration } from "../src/engine/config";
import type { Subject } from "../src/engine/model";
import { formatRow, measure } from "./harness";

/**
 * Engine throughput: 100k synthetic subjects of the kinds the three sources produce, evaluated by
 * the compiled built-in rule set, with the JSONPath fast path on and off.
 */
const COUNT = 100_000;

export function synthetic(i: number): Subject {
  const location = { file: "bench", pointer: `/${i}` };
  switch (i % 5) {
    case 0:
      return { type: "AWS::EC2::Instance", id: `i-${i}`, source: "template", context: {}, location, properties: { ImageId: "ami-1", Tags: i % 50 ? [{ Key: "owner", Value: "a" }, { Key: "environment", Value: "production" }] : [] } };
    case 1:
      return { type: "AWS::EC2::SecurityGroupIngress", id: `sg-${i}`, source: "cloudtrail", context: {}, location, properties: { IpProtocol: "tcp", FromPort: i % 2 ? 443 : 22, ToPort: i % 2 ? 443 : 22, CidrIp: i % 20 ? "10.0.0.0/8" : "0.0.0.0/0" } };
    case 2:
      return {
        type: "Parapet::CloudTrail::ApiCall",
        id: `ev-${i}`,
        source: "cloudtrail",
        location,
        properties: { eventSource: i % 7 ? "ec2.amazonaws.com" : "iam.amazonaws.com", eventName: i % 7 ? "RunInstances" : "CreateAccessKey" },
        context: { event: { eventId: `ev-${i}`, eventName: "CreateAccessKey", eventSource: "iam.amazonaws.com", eventTime: new Date(1_760_000_000_000 + i * 6_000).toISOString(), awsRegion: "eu-west-1", accountId: "111122223333", actor: "arn:aws:iam::111122223333:user/a", actorType: "IAMUser" } },
      };
    case 3:
      return { type: "AWS::S3::Bucket", id: `b-${i}`, source: "template", context: {}, location, properties: { BucketName: `bucket-${i}`, Tags: [{ Key: "owner", Value: "x" }, { Key: "environment", Value: i % 40 ? "staging" : "qa" }] } };
    default:
      return { type: "Parapet::IAM::PolicyStatement", id: `p-${i}`, source: "template", context: {}, location, properties: { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], PolicyKind: "identity", OwnerType: "AWS::IAM::Role" } };
  }
}

export function runEngineBench(): void {
  const subjects = Array.from({ length: COUNT }, (_, i) => synthetic(i));
  const config = defaultConfiguration();
  console.log(`engine: ${COUNT.toLocaleString("en")} synthetic subjects against the built-in rules`);
  const rows: Array<{ label: string; median: number; findings: number }> = [];
  for (const fastPath of [true, false]) {
    const { ruleSet } = loadRules({ config, fastPath });
    let findings = 0;
    const m = measure(`evaluate, JSONPath fast path ${fastPath ? "on" : "off"}`, () => {
      findings = ruleSet.evaluate(subjects).findings.length;
    });
    const perSecond = (COUNT / m.medianMs) * 1000;
    rows.push({ label: m.name, median: m.medianMs, findings });
    console.log(formatRow(m, `${Math.round(perSecond).toLocaleString("en")} subjects/s, ${ruleSet.rules.length} rules, ${findings} findings`));
  }
  console.log(`  fast path speed-up: ${(rows[1]!.median / rows[0]!.median).toFixed(1)}x`);
}

if (require.main === module) runEngineBench();
