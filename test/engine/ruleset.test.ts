import { compileRule, RuleSet } from "../../src/engine/ruleset";
import { defaultConfiguration, type Config } from "../../src/engine/config";
import type { Subject } from "../../src/engine/model";
import type { RuleDefinition } from "../../src/engine/rule";

const base = {
  description: "A rule used by the engine tests.",
  remediation: "Nothing to remediate in tests.",
  tests: { pass: [], fail: [] },
};

const openIngress: RuleDefinition = {
  ...base,
  id: "open-ingress",
  title: "Open ingress",
  severity: "high",
  references: { cfnNag: ["W2"] },
  types: ["AWS::EC2::SecurityGroupIngress"],
  match: {
    all: [
      { path: "properties.CidrIp", op: "cidr-open-to-world" },
      { path: "properties", op: "ports-outside", value: { $config: "network.allowedPublicPorts" } },
    ],
  },
  message: "{{id}} open: {{explain}}",
};

const bucketNeedsPolicy: RuleDefinition = {
  ...base,
  id: "bucket-needs-tls-policy",
  title: "Bucket has a TLS-only policy",
  severity: "low",
  types: ["AWS::S3::Bucket"],
  assert: {
    related: {
      type: "AWS::S3::BucketPolicy",
      on: "properties.Bucket",
      where: { path: "properties.PolicyDocument.Statement[*].Condition.Bool['aws:SecureTransport']", op: "false-like" },
    },
  },
  message: "{{id}} has no TLS-only bucket policy",
};

const functionRoleLogs: RuleDefinition = {
  ...base,
  id: "function-role-exists",
  title: "Function role is in the template",
  severity: "info",
  types: ["AWS::Lambda::Function"],
  assert: { related: { type: "AWS::IAM::Role", from: "properties.Role" } },
  message: "{{id}} role not found",
};

function subject(type: string, id: string, properties: Record<string, unknown>, extra: Partial<Subject> = {}): Subject {
  return { type, id, properties, source: "template", context: {}, location: { file: "t.yaml", pointer: `/Resources/${id}`, line: 3, column: 5 }, ...extra } as Subject;
}

function ruleSet(config: Config = defaultConfiguration(), rules = [openIngress, bucketNeedsPolicy, functionRoleLogs]): RuleSet {
  return new RuleSet(rules.map((r) => compileRule(r, `${r.id}.yaml`, { config })), config);
}

const ssh = subject("AWS::EC2::SecurityGroupIngress", "Sg", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" });

describe("RuleSet.evaluate", () => {
  it("produces a finding with location, bounded evidence and an explained message", () => {
    const { findings } = ruleSet().evaluate([ssh]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      ruleId: "open-ingress",
      severity: "high",
      message: "Sg open: opens tcp 22",
      subject: { type: "AWS::EC2::SecurityGroupIngress", id: "Sg", source: "template" },
      location: { file: "t.yaml", pointer: "/Resources/Sg", line: 3, column: 5 },
      references: { cfnNag: ["W2"] },
    });
    expect(f.evidence.map((e) => e.op)).toEqual(["cidr-open-to-world", "ports-outside"]);
    expect(f.evidence[1]!.expected).toEqual({ $config: "network.allowedPublicPorts" });
  });

  it("is pure: same input, same output, input untouched", () => {
    const input = [structuredClone(ssh)];
    const a = ruleSet().evaluate(input);
    const b = ruleSet().evaluate(input);
    expect(a).toEqual(b);
    expect(input[0]).toEqual(ssh);
  });

  it("joins related subjects through references (on / from)", () => {
    const bucket = subject("AWS::S3::Bucket", "Logs", {});
    const policy = subject("AWS::S3::BucketPolicy", "LogsPolicy", {
      Bucket: { Ref: "Logs" },
      PolicyDocument: { Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }] },
    });
    const otherBucket = subject("AWS::S3::Bucket", "Other", {});
    const fn = subject("AWS::Lambda::Function", "Fn", { Role: { "Fn::GetAtt": ["FnRole", "Arn"] } });
    const orphan = subject("AWS::Lambda::Function", "Orphan", { Role: "arn:aws:iam::1:role/x" });
    const role = subject("AWS::IAM::Role", "FnRole", {});
    const { findings } = ruleSet().evaluate([bucket, policy, otherBucket, fn, orphan, role]);
    expect(findings.map((f) => `${f.ruleId}:${f.subject.id}`).sort()).toEqual(["bucket-needs-tls-policy:Other", "function-role-exists:Orphan"]);
  });

  it("applies subject suppressions by parapet id or cfn_nag id", () => {
    const suppressed = { ...ssh, suppressions: [{ rule: "W2", reason: "bastion", origin: "t.yaml:9" }] };
    const result = ruleSet().evaluate([suppressed]);
    expect(result.findings).toHaveLength(0);
    expect(result.suppressed[0]).toMatchObject({ reason: "bastion", by: "t.yaml:9" });
  });

  it("applies configuration exceptions: every criterion, and only until they expire", () => {
    const config = defaultConfiguration();
    config.exceptions = [
      { rules: ["open-ingress"], resources: ["S?"], reason: "accepted until the migration", expires: "2999-01-01" },
      { rules: ["open-ingress"], resources: ["Other"], reason: "expired", expires: "2000-01-01" },
    ];
    const rs = ruleSet(config);
    expect(rs.evaluate([ssh]).suppressed[0]).toMatchObject({ reason: "accepted until the migration", by: "config exception #1" });
    const other = { ...ssh, id: "Other" };
    expect(rs.evaluate([other]).findings).toHaveLength(1);
  });

  it("matches exceptions on account and actor for CloudTrail subjects", () => {
    const config = defaultConfiguration();
    config.exceptions = [{ accounts: ["111122223333"], actors: ["arn:aws:sts::*:assumed-role/Deployer/*"], reason: "pipeline" }];
    const event = { eventId: "e", eventName: "AuthorizeSecurityGroupIngress", eventSource: "ec2.amazonaws.com", eventTime: "2026-01-01T00:00:00Z", awsRegion: "eu-west-1", accountId: "111122223333", actor: "arn:aws:sts::111122223333:assumed-role/Deployer/ci", actorType: "AssumedRole" };
    const ct = { ...ssh, source: "cloudtrail", context: { event } } as Subject;
    expect(ruleSet(config).evaluate([ct]).findings).toHaveLength(0);
    const human = { ...ct, context: { event: { ...event, actor: "arn:aws:iam::111122223333:user/bob" } } } as Subject;
    const found = ruleSet(config).evaluate([human]).findings;
    expect(found).toHaveLength(1);
    expect(found[0]!.event?.actor).toBe("arn:aws:iam::111122223333:user/bob");
  });

  it("drops findings below the severity threshold, honours disabled rules and severity overrides", () => {
    const config = defaultConfiguration();
    config.minSeverity = "critical";
    expect(ruleSet(config).evaluate([ssh]).findings).toHaveLength(0);
    const disabled = defaultConfiguration();
    disabled.rules.disabled = ["W2"];
    expect(ruleSet(disabled).evaluate([ssh]).findings).toHaveLength(0);
    const raised = defaultConfiguration();
    raised.rules.severity = { "open-ingress": "critical" };
    raised.minSeverity = "critical";
    expect(ruleSet(raised).evaluate([ssh]).findings[0]!.severity).toBe("critical");
  });

  it("respects rule sources and when-scopes", () => {
    const flowOnly = compileRule({ ...openIngress, id: "flow-only", sources: ["flowlog"] }, "x", { config: defaultConfiguration() });
    const rs = new RuleSet([flowOnly], defaultConfiguration());
    expect(rs.evaluate([ssh]).findings).toHaveLength(0);
    expect(rs.evaluate([{ ...ssh, source: "flowlog", context: {} } as Subject]).findings).toHaveLength(1);
  });

  it("restricts which rules run while every rule stays known by name (profiles, deny lists)", () => {
    const only = ruleSet().restrictedTo((rule) => rule.id !== "open-ingress");
    expect(only.evaluate([ssh]).findings).toHaveLength(0);
    expect(only.rulesNamed("W2").map((r) => r.id)).toEqual(["open-ingress"]);
    expect(ruleSet().evaluate([ssh]).findings).toHaveLength(1);
  });

  it("indexes rules by type and answers for wildcard rules", () => {
    const any = compileRule({ ...functionRoleLogs, id: "any", types: ["*"], assert: { path: "id", op: "exists" } }, "x", { config: defaultConfiguration() });
    const rs = new RuleSet([any, compileRule(openIngress, "y", { config: defaultConfiguration() })], defaultConfiguration());
    expect(rs.rulesFor("AWS::EC2::SecurityGroupIngress").map((r) => r.id)).toEqual(["open-ingress", "any"]);
    expect(rs.rulesFor("AWS::Nothing::Here").map((r) => r.id)).toEqual(["any"]);
  });
});

describe("evidence", () => {
  const secretRule: RuleDefinition = {
    ...base,
    id: "plain-password",
    title: "Plain password",
    severity: "high",
    types: ["AWS::RDS::DBInstance"],
    match: {
      all: [
        { path: "properties.MasterUserPassword", op: "exists" },
        { path: "properties", op: "exists" },
      ],
    },
    message: "{{id}} has a plain password",
  };

  it("never quotes secrets, whether selected directly or inside an object", () => {
    const config = defaultConfiguration();
    const rs = new RuleSet([compileRule(secretRule, "x", { config })], config);
    const db = subject("AWS::RDS::DBInstance", "Db", { MasterUserPassword: "hunter2", MasterUsername: "admin", KmsKeyId: "k", SecretArn: "arn:x" });
    const text = JSON.stringify(rs.evaluate([db]).findings);
    expect(text).not.toContain("hunter2");
    expect(text).toContain("[redacted]");
    expect(text).toContain("arn:x");
    expect(text).toContain("admin");
  });
});

describe("lazy compilation", () => {
  it("builds a rule on first use, checks $config references at load, and reports late mistakes as user errors", () => {
    const { loadRules } = require("../../src/engine/loader") as typeof import("../../src/engine/loader");
    const { UserError } = require("../../src/util/errors") as typeof import("../../src/util/errors");
    const config = defaultConfiguration();
    config.businessHours = { ...config.businessHours, timeZone: "Mars/Olympus" };
    // Eager: the bad zone is found at load.
    expect(() => loadRules({ config })).toThrow(/unknown IANA time zone/);
    // Lazy: load succeeds; the rule that needs the zone fails clearly when first used.
    const { ruleSet } = loadRules({ config, lazy: true });
    const apiCall = subject("Parapet::CloudTrail::ApiCall", "e1", { eventSource: "iam.amazonaws.com", eventName: "CreateUser" }, {
      source: "cloudtrail",
      context: { event: { eventTime: "2026-11-17T02:00:00Z" } },
    } as Partial<Subject>);
    let error: unknown;
    try {
      ruleSet.evaluate([apiCall]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/iam-change-outside-business-hours\.yaml: match\.all\.3\.value: outside-business-hours: unknown IANA time zone "Mars\/Olympus"/);
    // Rules of other types never compiled and still work.
    expect(ruleSet.evaluate([ssh]).findings.length).toBeGreaterThan(0);
  });

  it("still rejects a missing $config key at load", () => {
    const config = defaultConfiguration();
    const rule = { ...openIngress, match: { path: "properties", op: "ports-outside", value: { $config: "network.nope" } } } as RuleDefinition;
    expect(() => compileRule(rule, "x.yaml", { config, lazy: true })).toThrow(/configuration has no "network.nope"/);
  });
});
