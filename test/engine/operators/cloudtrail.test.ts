import type { Subject } from "../../../src/engine/model";
import { iamUserNameOfArn, publicStatements, selectorsDropManagementWrites } from "../../../src/engine/operators/cloudtrail";
import { OPERATORS } from "../../../src/engine/operators/registry";
import type { ValueOperator } from "../../../src/engine/operators/types";

function op(name: string): ValueOperator<undefined> {
  const found = OPERATORS.get(name);
  if (found === undefined || found.kind !== "value") throw new Error(`no value operator ${name}`);
  return found as ValueOperator<undefined>;
}

function calledBy(actor: string, actorType: string): Subject {
  return {
    type: "Parapet::CloudTrail::ApiCall",
    id: "e1",
    properties: {},
    source: "cloudtrail",
    context: {
      event: { eventId: "e1", eventName: "X", eventSource: "iam.amazonaws.com", eventTime: "", awsRegion: "", accountId: "", actor, actorType },
    },
    location: { file: "t.json", pointer: "/Records/0" },
  };
}

describe("not-caller", () => {
  const notCaller = op("not-caller");
  const alice = calledBy("arn:aws:iam::111122223333:user/ops/alice", "IAMUser");

  it("reads the user name after any path in an IAM user ARN", () => {
    expect(iamUserNameOfArn("arn:aws:iam::111122223333:user/ops/alice")).toBe("alice");
    expect(iamUserNameOfArn("arn:aws-us-gov:iam::111122223333:user/bob")).toBe("bob");
    expect(iamUserNameOfArn("arn:aws:sts::111122223333:assumed-role/admin/alice")).toBeUndefined();
    expect(iamUserNameOfArn("arn:aws:iam::111122223333:root")).toBeUndefined();
  });

  it("is false for the caller's own name and true for anyone else's", () => {
    expect(notCaller.test("alice", undefined, { subject: alice })).toBe(false);
    expect(notCaller.test("mallory", undefined, { subject: alice })).toBe(true);
  });

  it("treats roles and root as never being the user", () => {
    const role = calledBy("arn:aws:sts::111122223333:assumed-role/admin/alice", "AssumedRole");
    expect(notCaller.test("alice", undefined, { subject: role })).toBe(true);
    expect(notCaller.test("alice", undefined, { subject: calledBy("arn:aws:iam::111122223333:root", "Root") })).toBe(true);
  });

  it("needs a non-empty name and a CloudTrail subject", () => {
    expect(notCaller.test("", undefined, { subject: alice })).toBe(false);
    expect(notCaller.test(undefined, undefined, { subject: alice })).toBe(false);
    const template = { ...alice, source: "template", context: {} } as Subject;
    expect(notCaller.test("mallory", undefined, { subject: template })).toBe(false);
  });
});

describe("policy-allows-public", () => {
  const allowsPublic = op("policy-allows-public");
  const subject = calledBy("x", "IAMUser");
  const statement = (extra: Record<string, unknown>) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", ...extra });

  it.each([
    ["Principal *", { Statement: [statement({ Principal: "*" })] }],
    ["AWS *", { Statement: statement({ Principal: { AWS: "*" } }) }],
    ["AWS list with *", { Statement: [statement({ Principal: { AWS: ["arn:aws:iam::1:root", "*"] } })] }],
    ["empty Condition", { Statement: [statement({ Principal: "*", Condition: {} })] }],
    ["a JSON string", JSON.stringify({ Statement: [statement({ Principal: "*" })] })],
  ])("public: %s", (_name, policy) => {
    expect(allowsPublic.test(policy, undefined, { subject })).toBe(true);
  });

  it.each([
    ["a named account", { Statement: [statement({ Principal: { AWS: "arn:aws:iam::1:root" } })] }],
    ["a condition", { Statement: [statement({ Principal: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } })] }],
    ["Deny to everyone", { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*" }] }],
    ["a service principal", { Statement: [statement({ Principal: { Service: "cloudtrail.amazonaws.com" } })] }],
    ["not JSON", "{not json"],
    ["nothing", undefined],
  ])("not public: %s", (_name, policy) => {
    expect(allowsPublic.test(policy, undefined, { subject })).toBe(false);
  });

  it("names the public actions", () => {
    const policy = { Statement: [statement({ Principal: "*" }), statement({ Principal: "*", Action: ["s3:PutObject"] })] };
    expect(publicStatements(policy)).toHaveLength(2);
    expect(allowsPublic.explain!(policy, undefined, { subject })).toBe("allows s3:GetObject, s3:PutObject to everyone");
  });
});

describe("selectors-drop-management-writes", () => {
  it("basic selectors: management writes need one selector with management events and All/WriteOnly", () => {
    expect(selectorsDropManagementWrites({ eventSelectors: [{ includeManagementEvents: true, readWriteType: "All" }] })).toBe(false);
    expect(selectorsDropManagementWrites({ eventSelectors: [{ includeManagementEvents: true, readWriteType: "WriteOnly" }] })).toBe(false);
    expect(selectorsDropManagementWrites({ eventSelectors: [{ readWriteType: "All" }] })).toBe(false);
    expect(selectorsDropManagementWrites({ eventSelectors: [{ includeManagementEvents: false, readWriteType: "All" }] })).toBe(true);
    expect(selectorsDropManagementWrites({ eventSelectors: [{ includeManagementEvents: true, readWriteType: "ReadOnly" }] })).toBe(true);
    expect(selectorsDropManagementWrites({ eventSelectors: [] })).toBe(true);
    // A data-only selector beside a management one changes nothing.
    expect(
      selectorsDropManagementWrites({
        eventSelectors: [
          { includeManagementEvents: false, readWriteType: "All", dataResources: [{ type: "AWS::S3::Object", values: [] }] },
          { includeManagementEvents: true, readWriteType: "All" },
        ],
      }),
    ).toBe(false);
  });

  it("advanced selectors: eventCategory Management without readOnly true", () => {
    const management = { field: "eventCategory", equals: ["Management"] };
    expect(selectorsDropManagementWrites({ advancedEventSelectors: [{ fieldSelectors: [management] }] })).toBe(false);
    expect(selectorsDropManagementWrites({ advancedEventSelectors: [{ fieldSelectors: [management, { field: "readOnly", equals: ["false"] }] }] })).toBe(false);
    expect(selectorsDropManagementWrites({ advancedEventSelectors: [{ fieldSelectors: [management, { field: "readOnly", equals: ["true"] }] }] })).toBe(true);
    expect(selectorsDropManagementWrites({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Data"] }] }] })).toBe(true);
  });

  it("says nothing about a request without selectors", () => {
    expect(selectorsDropManagementWrites({ trailName: "t" })).toBeUndefined();
    expect(selectorsDropManagementWrites(null)).toBeUndefined();
  });
});
