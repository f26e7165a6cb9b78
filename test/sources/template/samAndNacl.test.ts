import type { TemplateSubject as Subject } from "../../../src/sources/template";
import { only, subjectsOf } from "./helpers";

const summary = (subjects: Subject[]) => subjects.map((s) => `${s.type} ${s.id}`);

describe("SAM functions (§C7)", () => {
  const template = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    ReservedConcurrentExecutions: 5
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      cfn_nag:
        rules_to_suppress: [{id: W89, reason: no VPC needed}]
    Properties:
      Handler: app.handler
      CodeUri: s3://bucket/key.zip
      VpcConfig: {SubnetIds: [s]}
      Policies:
        - AdministratorAccess
        - SQSPollerPolicy: {QueueName: q}
        - Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
  WithRole:
    Type: AWS::Serverless::Function
    Properties:
      Handler: h
      Role: arn:aws:iam::123456789012:role/r
`;

  test("generates the Lambda function, its role with inline policy statements, and the implicit API", () => {
    const subjects = subjectsOf(template);
    expect(summary(subjects)).toEqual([
      "AWS::Serverless::Function Fn",
      "AWS::Lambda::Function Fn",
      "AWS::IAM::Role FnRole",
      "Parapet::IAM::PolicyDocument FnRole",
      "Parapet::IAM::PolicyStatement FnRole",
      "Parapet::IAM::PolicyDocument FnRole",
      "Parapet::IAM::PolicyStatement FnRole",
      "AWS::ApiGateway::RestApi ServerlessRestApi",
      "AWS::ApiGateway::Deployment ServerlessRestApiDeployment",
      "AWS::ApiGateway::Stage ServerlessRestApiProdStage",
      "AWS::Serverless::Function WithRole",
      "AWS::Lambda::Function WithRole",
    ]);
    const fn = only(subjects, "AWS::Lambda::Function", "Fn");
    expect(fn.properties).toEqual({
      Handler: "app.handler",
      Runtime: "python3.12",
      ReservedConcurrentExecutions: 5,
      Code: { S3Bucket: "bucket", S3Key: "key.zip" },
      Role: { "Fn::GetAtt": ["FnRole", "Arn"] },
    });
    expect(fn.location).toMatchObject({ pointer: "/Resources/Fn", line: 9 });
    expect(fn.suppressions?.map((s) => s.rule)).toEqual(["W89"]);
    const role = only(subjects, "AWS::IAM::Role", "FnRole");
    expect(role.properties["ManagedPolicyArns"]).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    expect(role.properties["Policies"]).toEqual([{ PolicyName: "FnRolePolicy2", PolicyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }]);
    expect(role.suppressions?.map((s) => s.rule)).toEqual(["W89"]);
    expect(only(subjects, "AWS::ApiGateway::Stage").suppressions).toBeUndefined();
    expect(only(subjects, "AWS::Lambda::Function", "WithRole").properties["Role"]).toBe("arn:aws:iam::123456789012:role/r");
  });

  test("without the exact transform string nothing is generated", () => {
    const subjects = subjectsOf(template.replace("Transform: AWS::Serverless-2016-10-31", "Transform: [AWS::Serverless-2016-10-31]"));
    expect(summary(subjects)).toEqual(["AWS::Serverless::Function Fn", "AWS::Serverless::Function WithRole"]);
  });
});

describe("network-ACL entry linking (§A8)", () => {
  const template = `
Parameters:
  AclParam: {Type: String}
Resources:
  Acl:
    Type: AWS::EC2::NetworkAcl
    Metadata:
      cfn_nag:
        rules_to_suppress: [{id: F79, reason: r}]
    Properties: {VpcId: vpc-1}
  In1:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Egress: false, Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8}
  In2:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !GetAtt Acl.Id, RuleNumber: 100, Protocol: 6, RuleAction: deny, CidrBlock: 10.0.0.0/8}
  In3:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: "100", Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8}
  Out1:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Egress: "TRUE", Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8}
  Unknown:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Egress: !Ref AclParam, Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8}
  Elsewhere:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref AclParam, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8}
`;

  test("entries linked to a NACL of the template, with side and duplicate-rule-number facts", () => {
    const subjects = subjectsOf(template);
    const linked = subjects.filter((s) => s.type === "Parapet::EC2::LinkedNetworkAclEntry");
    expect(linked.map((s) => [s.id, s.properties["Parapet::NetworkAcl"], s.properties["Parapet::Side"], s.properties["Parapet::DuplicateRuleNumber"]])).toEqual([
      ["In1", "Acl", "ingress", true],
      ["In2", "Acl", "ingress", true],
      ["In3", "Acl", "ingress", false],
      ["Out1", "Acl", "egress", false],
      ["Unknown", "Acl", "none", false],
    ]);
    // Suppression for F79/W71 is placed on the NetworkAcl, as in cfn_nag.
    expect(linked[0]!.suppressions?.map((s) => s.rule)).toEqual(["F79"]);
    expect(linked[0]!.location).toMatchObject({ pointer: "/Resources/In1", line: 12 });
    // The entries themselves remain ordinary resource subjects.
    expect(subjects.filter((s) => s.type === "AWS::EC2::NetworkAclEntry")).toHaveLength(6);
  });
});
