import { OPERATORS } from "../../../src/engine/operators/registry";
import {
  actionsGrantAll,
  isWildcardAction,
  isWildcardPrincipal,
  policyComplexity,
  secretProblem,
  statementComplexity,
} from "../../../src/engine/operators/cfnPolicy";
import type { Subject } from "../../../src/engine/model";

const parameters = {
  Hidden: { NoEcho: "TRUE" },
  HiddenWithDefault: { NoEcho: true, Default: "" },
  Shown: { Default: "x" },
  NoEchoFalse: { NoEcho: "false" },
  NullDefault: { NoEcho: true, Default: null },
};

function templateSubject(): Subject {
  return {
    type: "AWS::RDS::DBInstance",
    id: "Db",
    properties: {},
    source: "template",
    context: { template: { logicalId: "Db", resourceType: "AWS::RDS::DBInstance", parameters } },
    location: { file: "t.yaml", pointer: "" },
  };
}

describe("secret classification (§A5)", () => {
  it.each([
    ["literal", true],
    ["", true],
    [" {{resolve:secretsmanager:s}}", true],
    ["{{resolve:secretsmanager:s", true],
    ["{{resolve:ssm:p:1}}", true],
    ["{{resolve:secretsmanager:s:SecretString:password}}", false],
    ["{{resolve:ssm-secure:p:1}}", false],
    ["${Hidden}", true],
    [{ Ref: "Hidden" }, false],
    [{ Ref: "NullDefault" }, false],
    [{ Ref: "HiddenWithDefault" }, true],
    [{ Ref: "Shown" }, true],
    [{ Ref: "NoEchoFalse" }, true],
    [{ Ref: "SomeSecretResource" }, true],
    [{ Ref: "AWS::StackName" }, true],
    [{ Ref: "AWS::NoValue" }, false],
    [{ Ref: "__proto__" }, true],
    [{ "Fn::GetAtt": ["Secret", "Arn"] }, false],
    [{ "Fn::ImportValue": "x" }, false],
    [12345, false],
    [true, false],
    [["a"], false],
  ])("%j insecure: %s", (value, insecure) => {
    expect(secretProblem(value, parameters) !== undefined).toBe(insecure);
  });

  it("the operator reads the subject's declared parameters and explains without quoting the value", () => {
    const op = OPERATORS.get("secret-insecure")!;
    if (op.kind !== "value") throw new Error("value operator expected");
    const ctx = { subject: templateSubject() };
    expect(op.test({ Ref: "Hidden" }, undefined, ctx)).toBe(false);
    expect(op.test({ Ref: "Shown" }, undefined, ctx)).toBe(true);
    expect(op.explain!({ Ref: "Shown" }, undefined, ctx)).toContain("parameter Shown");
    expect(op.explain!("hunter2", undefined, ctx)).not.toContain("hunter2");
  });

  it("a subject without template context treats every parameter Ref as insecure", () => {
    const op = OPERATORS.get("secret-insecure")!;
    const subject = { ...templateSubject(), source: "cloudtrail", context: {} } as Subject;
    expect(op.kind === "value" && op.test({ Ref: "Hidden" }, undefined, { subject })).toBe(true);
  });
});

describe("IAM element tests (§A6.3)", () => {
  it.each([
    ["*", true],
    ["s3:*", true],
    ["*:*", true],
    ["sts:*", true],
    [":*", false],
    ["s3:Get*", false],
    ["s3:*Object", false],
    ["s3*", false],
    [{ Ref: "A" }, false],
  ])("wildcard action %j: %s", (value, expected) => expect(isWildcardAction(value)).toBe(expected));

  it.each([
    ["*", true],
    ["arn:aws:iam::*:root", true],
    [{ AWS: "*" }, true],
    [{ Service: "*" }, true],
    [{ CanonicalUser: "*" }, true],
    [{ AWS: ["arn:aws:iam::123456789012:root", "arn:aws:iam::*:root"] }, true],
    [{ AWS: "arn:aws:iam::123456789012:root" }, false],
    [{ AWS: { Ref: "Account" } }, false],
    [{ AWS: { nested: "*" } }, false],
    [{ Ref: "P" }, false],
  ])("wildcard principal %j: %s", (value, expected) => expect(isWildcardPrincipal(value)).toBe(expected));

  it("grants-all needs every required action from one Action list", () => {
    const logs = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];
    expect(actionsGrantAll(["logs:*"], logs)).toBe(true);
    expect(actionsGrantAll("*", logs)).toBe(true);
    expect(actionsGrantAll(["logs:Create*", "logs:*Events"], logs)).toBe(true);
    expect(actionsGrantAll(["logs:CreateLogGroup", "logs:CreateLogStream"], logs)).toBe(false);
    expect(actionsGrantAll(["iam:Pa*Role"], ["iam:PassRole"])).toBe(true);
    expect(actionsGrantAll(["iam:passrole"], ["iam:PassRole"])).toBe(true);
    expect(actionsGrantAll(["iam:GetRole"], ["iam:PassRole"])).toBe(false);
  });

  it("rejects a grants-all value that is not a list of actions", () => {
    const op = OPERATORS.get("iam-action-grants-all")!;
    expect(() => op.prepare!(["PassRole"])).toThrow(/IAM actions/);
    expect(() => op.prepare!([])).toThrow();
  });
});

describe("SPCM complexity (§A6.5)", () => {
  it("scores the reference Deny example 17", () => {
    const statement = {
      Effect: "Deny",
      Action: ["s3:GetObject", "*"],
      Resource: ["arn:aws:s3:::b", "arn:aws:ec2:::x"],
      Condition: {
        "ForAllValues:StringEquals": { "aws:TagKeys": ["${aws:username}"] },
        StringLikeIfExists: { "s3:prefix": "${*}x" },
        Null: { "aws:TokenIssueTime": "true" },
      },
    };
    expect(statementComplexity(statement)).toBe(17);
  });

  it("scores 13 services on Resource * as 25", () => {
    const services = ["s3", "ec2", "iam", "sqs", "sns", "kms", "logs", "lambda", "dynamodb", "rds", "sts", "ecr", "ecs"];
    const statement = { Effect: "Allow", Action: services.map((s) => `${s}:Get*`), Resource: ["*"] };
    expect(policyComplexity([statement])).toBe(25);
  });

  it("counts NotAction/NotResource, extra resource services and a single-map Statement", () => {
    expect(statementComplexity({ Effect: "Allow", NotAction: ["s3:Get*"], NotResource: ["arn:aws:sqs:us-east-1:1:q"] })).toBe(1 + 1 + 1 + 2 + 1);
    expect(policyComplexity({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b"] })).toBe(1);
    expect(statementComplexity({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["bucket-name"] })).toBe(1 + 2 + 1);
    expect(policyComplexity("not a statement")).toBe(0);
  });

  it("the operator compares against its threshold", () => {
    const op = OPERATORS.get("iam-policy-complexity-gte")!;
    const statements = [{ Effect: "Deny", Action: ["s3:GetObject"], Resource: ["*"] }];
    if (op.kind !== "value") throw new Error("value operator expected");
    const subject = templateSubject();
    expect(op.test(statements, op.prepare!(2), { subject })).toBe(true);
    expect(op.test(statements, op.prepare!(3), { subject })).toBe(false);
    expect(() => op.prepare!(0)).toThrow();
  });
});
