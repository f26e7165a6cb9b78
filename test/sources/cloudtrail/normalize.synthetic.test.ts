import { API_CALL_TYPE, defaultRegistry, recordsToSubjects } from "../../../src/sources/cloudtrail";
import { normalizeOne, record } from "./helpers";

describe("security group normalizers", () => {
  test("structured request without a rule set: one subject per permission × range, IPv6, groups, prefix lists", () => {
    const { resources, errors } = normalizeOne(
      record({
        eventName: "AuthorizeSecurityGroupIngress",
        requestParameters: {
          groupId: "sg-0123",
          ipPermissions: {
            items: [
              {
                ipProtocol: "tcp",
                fromPort: 22,
                toPort: 22,
                groups: { items: [{ groupId: "sg-0999", userId: "111122223333" }] },
                ipRanges: { items: [{ cidrIp: "0.0.0.0/0", description: "ssh" }, { cidrIp: "10.0.0.0/8" }] },
                ipv6Ranges: { items: [{ cidrIpv6: "::/0" }] },
                prefixListIds: { items: [{ prefixListId: "pl-0abc" }] },
              },
              { ipProtocol: "-1", groups: {}, ipRanges: { items: [{ cidrIp: "192.0.2.0/24" }] }, ipv6Ranges: {}, prefixListIds: {} },
              { ipProtocol: 6, fromPort: "8080", toPort: "8081", ipRanges: { items: [{ cidrIp: "198.51.100.0/24" }] } },
            ],
          },
        },
        responseElements: { _return: true },
      }),
    );
    expect(errors).toEqual([]);
    expect(resources.map(([, , p]) => p)).toEqual([
      { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0", Description: "ssh" },
      { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8" },
      { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv6: "::/0" },
      { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 22, ToPort: 22, SourcePrefixListId: "pl-0abc" },
      { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 22, ToPort: 22, SourceSecurityGroupId: "sg-0999", SourceSecurityGroupOwnerId: "111122223333" },
      { GroupId: "sg-0123", IpProtocol: "-1", CidrIp: "192.0.2.0/24" },
      { GroupId: "sg-0123", IpProtocol: "6", FromPort: 8080, ToPort: 8081, CidrIp: "198.51.100.0/24" },
    ]);
    expect(new Set(resources.map(([t, id]) => `${t} ${id}`))).toEqual(new Set(["AWS::EC2::SecurityGroupIngress sg-0123"]));
  });

  test("the response's securityGroupRuleSet wins over the request (IPv6, egress by isEgress)", () => {
    const { resources } = normalizeOne(
      record({
        eventName: "AuthorizeSecurityGroupEgress",
        requestParameters: { groupId: "sg-0123", ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, ipv6Ranges: { items: [{ cidrIpv6: "::/0" }] } }] } },
        responseElements: {
          securityGroupRuleSet: {
            items: [{ groupId: "sg-0123", securityGroupRuleId: "sgr-1", isEgress: true, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "::/0" }],
          },
        },
      }),
    );
    expect(resources).toEqual([
      [
        "AWS::EC2::SecurityGroupEgress",
        "sg-0123",
        { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv6: "::/0", SecurityGroupRuleId: "sgr-1" },
      ],
    ]);
  });

  test("ModifySecurityGroupRules (PascalCase wrapper) → ingress subject per rule", () => {
    const { resources } = normalizeOne(
      record({
        eventName: "ModifySecurityGroupRules",
        requestParameters: {
          ModifySecurityGroupRulesRequest: {
            GroupId: "sg-0123",
            SecurityGroupRule: { SecurityGroupRuleId: "sgr-9", SecurityGroupRule: { IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIpv4: "0.0.0.0/0" } },
          },
        },
      }),
    );
    expect(resources).toEqual([
      [
        "AWS::EC2::SecurityGroupIngress",
        "sg-0123",
        { GroupId: "sg-0123", IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIp: "0.0.0.0/0", SecurityGroupRuleId: "sgr-9" },
      ],
    ]);
  });
});

describe("tag normalizers", () => {
  test("DeleteTags: one subject per resource, type from the id prefix, Value optional", () => {
    const { resources } = normalizeOne(
      record({
        eventName: "DeleteTags",
        requestParameters: {
          resourcesSet: { items: [{ resourceId: "i-0abc" }, { resourceId: "sg-0abc" }, { resourceId: "vol-0abc" }, { resourceId: "snap-0abc" }, { resourceId: "tgw-attach-0abc" }, { resourceId: "zzz-1" }] },
          tagSet: { items: [{ key: "Owner" }, { key: "CostCenter", value: "42" }] },
        },
      }),
    );
    const removed = [{ Key: "Owner" }, { Key: "CostCenter", Value: "42" }];
    expect(resources).toEqual([
      ["AWS::EC2::Instance", "i-0abc", { RemovedTags: removed }],
      ["AWS::EC2::SecurityGroup", "sg-0abc", { RemovedTags: removed }],
      ["AWS::EC2::Volume", "vol-0abc", { RemovedTags: removed }],
      ["Parapet::EC2::Snapshot", "snap-0abc", { RemovedTags: removed }],
      ["AWS::EC2::TransitGatewayAttachment", "tgw-attach-0abc", { RemovedTags: removed }],
      ["Parapet::EC2::Resource", "zzz-1", { RemovedTags: removed }],
    ]);
  });

  test("DeleteTags without a tag list removes all tags", () => {
    const { resources } = normalizeOne(record({ eventName: "DeleteTags", requestParameters: { resourcesSet: { items: [{ resourceId: "i-1" }] } } }));
    expect(resources).toEqual([["AWS::EC2::Instance", "i-1", { RemovedTags: [], RemovedAllTags: true }]]);
  });

  test("EFS CreateTags (same name, other service) is not treated as EC2", () => {
    const { resources, all } = normalizeOne(
      record({ eventSource: "elasticfilesystem.amazonaws.com", eventName: "CreateTags", requestParameters: { fileSystemId: "fs-1", tags: [{ key: "a", value: "b" }] } }),
    );
    expect(resources).toEqual([]);
    expect(all.map((s) => s.type)).toEqual([API_CALL_TYPE]);
  });
});

describe("IAM normalizers", () => {
  const trust = { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" }, Action: "sts:AssumeRole" } };

  test("URL-encoded trust policy on UpdateAssumeRolePolicy; a single Statement object", () => {
    const { resources, errors } = normalizeOne(
      record({
        eventSource: "iam.amazonaws.com",
        eventName: "UpdateAssumeRolePolicy",
        requestParameters: { roleName: "ops", policyDocument: encodeURIComponent(JSON.stringify(trust)) },
      }),
    );
    expect(errors).toEqual([]);
    expect(resources).toEqual([
      [
        "Parapet::IAM::PolicyStatement",
        "ops",
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" }, Action: ["sts:AssumeRole"], PolicyKind: "trust", OwnerType: "AWS::IAM::Role", OwnerId: "ops" },
      ],
      ["AWS::IAM::Role", "ops", { RoleName: "ops", AssumeRolePolicyDocument: trust }],
    ]);
  });

  test("CreatePolicy and CreatePolicyVersion → managed policy statements by ARN", () => {
    const doc = JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] });
    const arn = "arn:aws:iam::111122223333:policy/broad";
    const created = normalizeOne(
      record({
        eventSource: "iam.amazonaws.com",
        eventName: "CreatePolicy",
        requestParameters: { policyName: "broad", policyDocument: doc },
        responseElements: { policy: { policyName: "broad", arn } },
      }),
    );
    expect(created.resources[0]).toEqual([
      "Parapet::IAM::PolicyStatement",
      arn,
      { Effect: "Allow", NotAction: ["iam:*"], Resource: ["*"], PolicyKind: "identity", OwnerType: "AWS::IAM::ManagedPolicy", OwnerId: arn, PolicyName: "broad" },
    ]);
    expect(created.resources[1]).toEqual(["AWS::IAM::ManagedPolicy", arn, expect.objectContaining({ ManagedPolicyName: "broad" })]);
    const version = normalizeOne(
      record({ eventSource: "iam.amazonaws.com", eventName: "CreatePolicyVersion", requestParameters: { policyArn: arn, policyDocument: doc, setAsDefault: true } }),
    );
    expect(version.resources.map(([t, id]) => [t, id])).toEqual([
      ["Parapet::IAM::PolicyStatement", arn],
      ["AWS::IAM::ManagedPolicy", arn],
    ]);
  });

  test("PutRolePolicy / PutGroupPolicy", () => {
    const doc = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    for (const [eventName, nameKey, ownerType] of [
      ["PutRolePolicy", "roleName", "AWS::IAM::Role"],
      ["PutGroupPolicy", "groupName", "AWS::IAM::Group"],
    ] as const) {
      const { resources } = normalizeOne(
        record({ eventSource: "iam.amazonaws.com", eventName, requestParameters: { [nameKey]: "x", policyName: "p", policyDocument: doc } }),
      );
      expect(resources[0]![2]).toMatchObject({ Action: ["*"], OwnerType: ownerType, OwnerId: "x", PolicyName: "p" });
      expect(resources[1]![0]).toBe(`${ownerType}Policy`);
    }
  });

  test("CreateLoginProfile → user with LoginProfile; Detach → attachment with Attached false", () => {
    expect(
      normalizeOne(
        record({
          eventSource: "iam.amazonaws.com",
          eventName: "CreateLoginProfile",
          requestParameters: { userName: "bob", passwordResetRequired: false, password: "hunter2" },
          responseElements: { loginProfile: { userName: "bob", passwordResetRequired: false } },
        }),
      ).resources,
    ).toEqual([["AWS::IAM::User", "bob", { UserName: "bob", LoginProfile: { PasswordResetRequired: false } }]]);
    expect(
      normalizeOne(record({ eventSource: "iam.amazonaws.com", eventName: "DetachRolePolicy", requestParameters: { roleName: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } }))
        .resources,
    ).toEqual([["Parapet::IAM::PolicyAttachment", "r", { PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess", OwnerType: "AWS::IAM::Role", OwnerId: "r", Attached: false }]]);
  });

  test("a policy document that is not JSON is reported; the ApiCall still comes through", () => {
    const { resources, all, errors } = normalizeOne(
      record({ eventSource: "iam.amazonaws.com", eventName: "PutUserPolicy", requestParameters: { userName: "u", policyName: "p", policyDocument: "%7Bnot json" } }),
    );
    expect(resources).toEqual([]);
    expect(all.map((s) => s.type)).toEqual([API_CALL_TYPE]);
    expect(errors).toEqual([expect.stringMatching(/^PutUserPolicy .*: AWS::IAM::User u: policy document is not valid JSON/)]);
  });
});

describe("record handling", () => {
  test("read-only records nobody handles produce nothing; writes produce an ApiCall", () => {
    const { subjects } = recordsToSubjects(
      [record({ readOnly: true }), record({ eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com", eventID: "e2" })],
      "f",
    );
    expect(subjects.map((s) => [s.type, s.id, s.location.pointer])).toEqual([[API_CALL_TYPE, "e2", "/Records/1"]]);
  });

  test("Root actor without an ARN gets the root ARN; service events get their invoking service", () => {
    const root = normalizeOne(record({ userIdentity: { type: "Root", accountId: "111122223333", principalId: "111122223333" } })).all[0]!;
    expect(root.source === "cloudtrail" && root.context.event?.actor).toBe("arn:aws:iam::111122223333:root");
    const svc = normalizeOne(record({ eventType: "AwsServiceEvent", userIdentity: { accountId: "111122223333", invokedBy: "ec2.amazonaws.com" }, recipientAccountId: undefined })).all[0]!;
    expect(svc.source === "cloudtrail" && svc.context.event).toMatchObject({ actor: "ec2.amazonaws.com", actorType: "AWSService", accountId: "111122223333" });
  });

  test("requestExcerpt is short and redacted", () => {
    const call = normalizeOne(
      record({ eventName: "RunInstances", requestParameters: { userData: "c2VjcmV0", password: "p", clientToken: "t-1", big: "x".repeat(100_000) } }),
    ).all[0]!;
    const excerpt = call.source === "cloudtrail" ? call.context.event?.requestExcerpt : undefined;
    expect(excerpt).toBeDefined();
    expect(excerpt!.length).toBeLessThanOrEqual(500);
    expect(excerpt).toContain('"userData":"[redacted]"');
    expect(excerpt).toContain('"password":"[redacted]"');
    expect(excerpt).toContain('"clientToken":"t-1"');
    expect(excerpt).not.toContain("c2VjcmV0");
    // Rendered lazily, but still an ordinary enumerable value for serializers and clones.
    const event = call.source === "cloudtrail" ? call.context.event : undefined;
    expect(JSON.parse(JSON.stringify(event)).requestExcerpt).toBe(excerpt);
    expect(structuredClone(event)?.requestExcerpt).toBe(excerpt);
    expect({ ...event }.requestExcerpt).toBe(excerpt);
  });

  test("non-object records and records without eventSource are reported with their index; the rest is processed", () => {
    const { subjects, errors } = recordsToSubjects([42, null, ["x"], { hello: "world" }, record({ eventID: "ok" })], "s3://b/k");
    expect(errors.map((e) => [e.index, e.pointer, e.file])).toEqual([
      [0, "/Records/0", "s3://b/k"],
      [1, "/Records/1", "s3://b/k"],
      [2, "/Records/2", "s3://b/k"],
      [3, "/Records/3", "s3://b/k"],
    ]);
    expect(errors[0]!.message).toBe("record #0 is a number, not an object; skipped");
    expect(errors[3]!.message).toMatch(/not a CloudTrail record/);
    expect(subjects.map((s) => s.id)).toEqual(["ok"]);
  });

  test("Insights records are ignored", () => {
    expect(recordsToSubjects([record({ eventType: "AwsCloudTrailInsight" })], "f").subjects).toEqual([]);
  });

  test("a huge record is processed without copying it and with a bounded excerpt", () => {
    const huge = record({ eventName: "ImportKeyPair", requestParameters: { keyName: "k", publicKeyMaterial: "A".repeat(20_000_000) } });
    const started = Date.now();
    const { subjects, errors } = recordsToSubjects([huge, record({ eventID: "after" })], "f");
    expect(Date.now() - started).toBeLessThan(500);
    expect(errors).toEqual([]);
    expect(subjects.map((s) => s.id)).toEqual([huge.eventID, "after"]);
    expect(subjects[0]!.properties.requestParameters).toBe(huge.requestParameters);
  });

  test("an oversized policy document is a clear record error", () => {
    const { errors } = normalizeOne(
      record({ eventSource: "iam.amazonaws.com", eventName: "PutUserPolicy", requestParameters: { userName: "u", policyName: "p", policyDocument: "{" + " ".repeat(2_000_000) + "}" } }),
    );
    expect(errors).toEqual([expect.stringMatching(/policy document is 2000002 characters, over the 1000000 limit/)]);
  });
});

describe("untrusted keys", () => {
  test("__proto__ keys in a record do nothing", () => {
    const text = JSON.stringify(
      record({
        eventName: "RunInstances",
        requestParameters: {
          tagSpecificationSet: { items: [{ resourceType: "instance", tags: [{ key: "Owner", value: "a" }] }] },
        },
        responseElements: { instancesSet: { items: [{ instanceId: "i-1" }] } },
      }),
    )
      .replace('"requestParameters":{', '"requestParameters":{"__proto__":{"polluted":"yes"},')
      .replace('"instanceId":"i-1"', '"instanceId":"i-1","__proto__":{"instanceType":"m5.24xlarge"}')
      .replace('"key":"Owner"', '"key":"Owner","__proto__":{"value":"evil"}')
      .replace("{", '{"__proto__":{"eventName":"CreateUser"},');
    const parsed = JSON.parse(text) as unknown[];
    const { subjects, errors } = recordsToSubjects([parsed], "f");
    expect(errors).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const instance = subjects.find((s) => s.type === "AWS::EC2::Instance")!;
    expect(instance.properties).toEqual({ SecurityGroupIds: [], Tags: [{ Key: "Owner", Value: "a" }] });
    expect(Object.getPrototypeOf(instance.properties)).toBe(Object.prototype);
  });

  test("event names that are Object.prototype members never reach a normalizer", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(defaultRegistry.get("ec2.amazonaws.com", name)).toBeUndefined();
      expect(defaultRegistry.get(name, "RunInstances")).toBeUndefined();
      const { subjects, errors } = recordsToSubjects([record({ eventName: name, eventSource: name })], "f");
      expect(errors).toEqual([]);
      expect(subjects.map((s) => s.type)).toEqual([API_CALL_TYPE]);
    }
  });
});
