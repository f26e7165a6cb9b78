import type { TemplateSubject as Subject } from "../../../src/sources/template";
import { subjectsOf } from "./helpers";

const statements = (subjects: Subject[]) => subjects.filter((s) => s.type === "Parapet::IAM::PolicyStatement");
const documents = (subjects: Subject[]) => subjects.filter((s) => s.type === "Parapet::IAM::PolicyDocument");

const TEMPLATE = `
Conditions:
  Wide: !Equals [a, a]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          Effect: Allow
          Principal: {Service: lambda.amazonaws.com}
          Action: sts:AssumeRole
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: !If [Wide, "*", arn:aws:s3:::b/*]
              - Effect: Deny
                NotAction: iam:*
                NotResource: arn:aws:iam::*:role/x
        - PolicyDocument:
            Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: mp
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: arn:aws:s3:::b/*}]}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: kms:*, Resource: "*"}]}
  StringDocument:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [q]
      PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "*"}]}'
  User:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: userpolicy
          PolicyDocument: {Statement: {Effect: Allow, Action: ec2:*, Resource: "*"}}
  IotPolicy:
    Type: AWS::IoT::Policy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: iot:*, Resource: "*"}]}
`;

describe("IAM policy documents (§A6)", () => {
  const subjects = subjectsOf(TEMPLATE);

  test("statements of every bearer, with kind and owner; inline policies without PolicyName and string documents ignored", () => {
    expect(statements(subjects).map((s) => [s.id, s.properties["PolicyKind"], s.properties["OwnerType"], s.properties["PolicyName"]])).toEqual([
      ["Role", "trust", "AWS::IAM::Role", undefined],
      ["Role", "identity", "AWS::IAM::Role", "inline"],
      ["Role", "identity", "AWS::IAM::Role", "inline"],
      ["Managed", "identity", "AWS::IAM::ManagedPolicy", "mp"],
      ["BucketPolicy", "resource", "AWS::S3::BucketPolicy", undefined],
      ["Key", "resource", "AWS::KMS::Key", undefined],
      ["User", "user-group", "AWS::IAM::User", "userpolicy"],
      ["IotPolicy", "iot", "AWS::IoT::Policy", undefined],
    ]);
  });

  test("Action/NotAction/Resource/NotResource become lists; Principal is kept as written; Fn::If resolved", () => {
    const [trust, allow, deny] = statements(subjects);
    expect(trust!.properties).toMatchObject({ Effect: "Allow", Action: ["sts:AssumeRole"], Principal: { Service: "lambda.amazonaws.com" }, OwnerId: "Role" });
    expect(allow!.properties).toMatchObject({ Action: ["s3:GetObject", "s3:PutObject"], Resource: ["*"] });
    expect(deny!.properties).toMatchObject({ Effect: "Deny", NotAction: ["iam:*"], NotResource: ["arn:aws:iam::*:role/x"] });
    expect(deny!.properties).not.toHaveProperty("Action");
  });

  test("statements are located where written", () => {
    const allow = statements(subjects)[1]!;
    expect(allow.location).toEqual({ file: "t.yaml", pointer: "/Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0", line: 18, column: 17 });
  });

  test("one document subject per document, with normalised statements for whole-document rules", () => {
    expect(documents(subjects).map((d) => [d.id, d.properties["PolicyKind"], (d.properties["Statement"] as unknown[]).length])).toEqual([
      ["Role", "trust", 1],
      ["Role", "identity", 2],
      ["Managed", "identity", 1],
      ["BucketPolicy", "resource", 1],
      ["Key", "resource", 1],
      ["User", "user-group", 1],
      ["IotPolicy", "iot", 1],
    ]);
    const inline = documents(subjects)[1]!;
    expect(inline.properties).toMatchObject({ Version: "2012-10-17", OwnerType: "AWS::IAM::Role", OwnerId: "Role", PolicyName: "inline" });
    expect((inline.properties["Statement"] as any)[1].NotAction).toEqual(["iam:*"]);
  });
});
