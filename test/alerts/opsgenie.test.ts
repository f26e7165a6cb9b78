import { SEVERITIES } from "../../src/engine/model";
import { OPSGENIE, SNS_MAX_MESSAGE_BYTES } from "../../src/alerts/limits";
import { cloudTrailEventUrl, findingToAlert, snsMessageBytes, type OpsGenieAlert } from "../../src/alerts/opsgenie";
import { ctFinding } from "./sample";

const body = (message: string) => JSON.parse(message) as OpsGenieAlert;

describe("findingToAlert", () => {
  it("shapes a CloudTrail finding as an OpsGenie alert with the event evidence", () => {
    const alert = findingToAlert(ctFinding());
    expect(alert.subject).toBe("[HIGH] Security group opened to the internet: sg-0abc");
    const b = body(alert.message);
    expect(Object.keys(b)).toEqual(["message", "alias", "description", "priority", "tags", "entity", "source", "details"]);
    expect(b.message).toBe("Security group opened to the internet: sg-0abc");
    expect(b.alias).toMatch(/^parapet-ct-sg-open-to-internet-[0-9a-f]{64}$/);
    expect(b.alias).toBe(alert.alias);
    expect(b.priority).toBe("P2");
    expect(b.entity).toBe("sg-0abc");
    expect(b.source).toBe("parapet");
    expect(b.tags).toEqual(["parapet", "severity:high", "rule:ct-sg-open-to-internet", "source:cloudtrail", "account:111122223333", "region:eu-west-1"]);
    expect(b.description).toContain("sg-0abc opened tcp/22 to 0.0.0.0/0");
    expect(b.description).toContain("Actor: arn:aws:iam::111122223333:user/mallory (IAMUser), no MFA");
    expect(b.description).toContain("ec2.amazonaws.com AuthorizeSecurityGroupIngress at 2024-01-01T03:04:05Z");
    expect(b.description).toContain("Account: 111122223333  Region: eu-west-1");
    expect(b.description).toContain('Request: {"groupId":"sg-0abc"');
    expect(b.description).toContain(
      "Console: https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/3f2a5e34-1111-2222-3333-444455556666",
    );
    expect(b.description).toContain('properties.CidrIp prefixLength ["0.0.0.0/0"] (expected 0)');
    expect(b.details).toMatchObject({ ruleId: "ct-sg-open-to-internet", eventId: "3f2a5e34-1111-2222-3333-444455556666", actor: "arn:aws:iam::111122223333:user/mallory", accountId: "111122223333", region: "eu-west-1" });
    expect(alert.messageAttributes).toEqual({
      severity: { DataType: "String", StringValue: "high" },
      priority: { DataType: "String", StringValue: "P2" },
      ruleId: { DataType: "String", StringValue: "ct-sg-open-to-internet" },
      source: { DataType: "String", StringValue: "parapet" },
      subjectSource: { DataType: "String", StringValue: "cloudtrail" },
      resourceType: { DataType: "String", StringValue: "AWS::EC2::SecurityGroupIngress" },
      accountId: { DataType: "String", StringValue: "111122223333" },
      region: { DataType: "String", StringValue: "eu-west-1" },
    });
  });

  it("maps severity to priority P1..P5", () => {
    expect(SEVERITIES.map((severity) => body(findingToAlert(ctFinding({ severity })).message).priority)).toEqual(["P1", "P2", "P3", "P4", "P5"]);
  });

  it("gives the same finding the same alias and bytes, and different events different aliases", () => {
    const a = findingToAlert(ctFinding());
    expect(findingToAlert(ctFinding())).toEqual(a);
    // Same event seen in a redelivered file at another path / record index: same alias.
    expect(findingToAlert(ctFinding({ location: { file: "s3://other/key.json.gz", pointer: "/Records/99" } })).alias).toBe(a.alias);
    const other = ctFinding();
    other.event = { ...other.event!, eventId: "different" };
    expect(findingToAlert(other).alias).not.toBe(a.alias);
    expect(findingToAlert(ctFinding({ ruleId: "other-rule" })).alias).not.toBe(a.alias);
    expect(findingToAlert(ctFinding({ subject: { type: "AWS::EC2::SecurityGroupIngress", id: "sg-other", source: "cloudtrail" } })).alias).not.toBe(a.alias);
  });

  it("merges an untagged instance seen in many flow windows into one alias", () => {
    const flow = (start: number) =>
      ctFinding({ event: undefined, subject: { type: "AWS::EC2::Instance", id: "i-1", source: "flowlog" }, flow: { interfaceId: "eni-1", accountId: "1", region: "us-east-1", start, end: start + 60 } });
    expect(findingToAlert(flow(100)).alias).toBe(findingToAlert(flow(200)).alias);
  });

  it("keeps different traffic into one security group apart, and merges the same traffic across windows", () => {
    const ingress = (observation: string, start: number) =>
      ctFinding({
        event: undefined,
        ruleId: "sg-internet-ingress-port-not-allowed",
        subject: { type: "AWS::EC2::SecurityGroupIngress", id: "sg-1", source: "flowlog" },
        flow: { interfaceId: "eni-1", accountId: "1", region: "us-east-1", start, end: start + 60, observation },
      });
    const ssh = findingToAlert(ingress("sg-1:tcp:22:81.2.69.142", 100)).alias;
    expect(findingToAlert(ingress("sg-1:icmp:-:81.2.69.142", 100)).alias).not.toBe(ssh);
    expect(findingToAlert(ingress("sg-1:tcp:22:45.33.32.156", 100)).alias).not.toBe(ssh);
    expect(findingToAlert(ingress("sg-1:tcp:22:81.2.69.142", 700)).alias).toBe(ssh);

    const conversation = (start: number) =>
      ctFinding({
        event: undefined,
        ruleId: "flow-cross-az-traffic",
        subject: { type: "Parapet::VPC::Flow", id: `eni-1:tcp:10.0.0.1-10.0.1.1:5432:ACCEPT:${start}`, source: "flowlog" },
        flow: { interfaceId: "eni-1", accountId: "1", region: "us-east-1", start, observation: "eni-1:tcp:10.0.0.1-10.0.1.1:5432:ACCEPT" },
      });
    expect(findingToAlert(conversation(100)).alias).toBe(findingToAlert(conversation(400)).alias);
  });

  it("keeps every field within OpsGenie and SNS limits for hostile input", () => {
    const long = "x".repeat(5000);
    const f = ctFinding({
      ruleId: `r-${long}`,
      title: `Title with\nnewline\u0000 and ünïcödé 🚀 ${long}`,
      subject: { type: "AWS::IAM::Role", id: `arn:aws:iam::1:role/${long}`, source: "cloudtrail" },
      references: { cfnNag: Array.from({ length: 40 }, (_, i) => `W${i}-${long}`) },
    });
    f.event = { ...f.event!, actor: long, userAgent: long, errorCode: "AccessDenied", errorMessage: long };
    const alert = findingToAlert(f, { tags: ["team with, comma", long] });
    const b = body(alert.message);
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(b.message.length).toBeLessThanOrEqual(OPSGENIE.message);
    expect(b.message).not.toMatch(/[\n\u0000]/);
    expect(b.alias.length).toBeLessThanOrEqual(OPSGENIE.alias);
    expect(b.entity.length).toBeLessThanOrEqual(OPSGENIE.entity);
    expect(b.description.length).toBeLessThanOrEqual(OPSGENIE.description);
    expect(b.tags.length).toBeLessThanOrEqual(OPSGENIE.tags);
    for (const tag of b.tags) {
      expect(tag.length).toBeLessThanOrEqual(OPSGENIE.tag);
      expect(tag).not.toMatch(/[\s,]/);
    }
    const detailsSize = Object.entries(b.details).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(detailsSize).toBeLessThanOrEqual(OPSGENIE.details);
    expect(snsMessageBytes(alert)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it("truncates a 300 KB evidence blob and still produces valid JSON well under 256 KB", () => {
    const blob = "é\"\\".repeat(100_000); // 300 KB of characters that expand in UTF-8 and JSON
    const f = ctFinding({ evidence: [{ path: "properties.PolicyDocument", op: "iamWildcard", actual: blob }] });
    f.event = { ...f.event!, requestExcerpt: blob };
    const alert = findingToAlert(f);
    const b = body(alert.message); // parses: valid JSON
    // Each excerpt is capped (with an ellipsis), so the blob cannot crowd out the rest of the description.
    expect(b.description).toContain("é\"\\…");
    expect(b.description.length).toBeLessThan(6_000);
    expect(b.description).toContain("Console: https://");
    expect(snsMessageBytes(alert)).toBeLessThanOrEqual(65_536);
  });

  it("shrinks the description to honour a small byte budget", () => {
    const f = ctFinding({ evidence: [{ path: "p", op: "eq", actual: "🚀".repeat(20_000) }] });
    const alert = findingToAlert(f, { maxMessageBytes: 4_000 });
    expect(snsMessageBytes(alert)).toBeLessThanOrEqual(4_000);
    expect(body(alert.message).description).toContain("… (truncated)");
    // No lone surrogate from cutting inside an emoji: it would be invalid UTF-8 on the wire.
    expect(body(alert.message).description).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("builds region- and partition-aware console links, and none for junk regions", () => {
    expect(cloudTrailEventUrl("us-east-1", "e/1")).toBe("https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/e%2F1");
    expect(cloudTrailEventUrl("cn-north-1", "e")).toBe("https://console.amazonaws.cn/cloudtrail/home?region=cn-north-1#/events/e");
    expect(cloudTrailEventUrl("us-gov-west-1", "e")).toBe("https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1#/events/e");
    expect(cloudTrailEventUrl("evil.com/x", "e")).toBeUndefined();
  });

  it("describes template findings without event context", () => {
    const alert = findingToAlert(
      ctFinding({ event: undefined, subject: { type: "AWS::S3::Bucket", id: "Logs", source: "template" }, location: { file: "t.yaml", pointer: "/Resources/Logs", line: 3, column: 5 } }),
    );
    const b = body(alert.message);
    expect(b.description).toContain("Found in: template t.yaml:3:5 (/Resources/Logs)");
    expect(b.description).not.toContain("Event:");
    expect(alert.messageAttributes.accountId).toBeUndefined();
  });
});
