import { readdirSync } from "node:fs";
import { API_CALL_TYPE } from "../../../src/sources/cloudtrail";
import { normalizeOne, sample, SAMPLES } from "./helpers";

const apiCall = (name: string) => normalizeOne(sample(name)).all.filter((s) => s.type === API_CALL_TYPE);

describe("CloudTrail samples → subjects", () => {
  test("RunInstances: one instance with tags from tagSpecificationSet as a CFN list", () => {
    const { resources, errors } = normalizeOne(sample("RunInstances_success_tagSpecificationSet.invictus.json"));
    expect(errors).toEqual([]);
    expect(resources).toHaveLength(1);
    const [type, id, props] = resources[0]!;
    expect([type, id]).toEqual(["AWS::EC2::Instance", "i-05c30218156bcc246"]);
    expect(props).toMatchObject({
      ImageId: "ami-029eb80bc237bec6f",
      InstanceType: "t3.micro",
      SubnetId: "subnet-08752c8d74ae2c324",
      SecurityGroupIds: ["sg-06ac05dd4c4a2ecbd"],
      MetadataOptions: { HttpTokens: "optional" },
      Tags: [{ Key: "StratusRedTeam", Value: "true" }],
    });
  });

  test.each([
    "RunInstances_failed_InvalidParameterValue.invictus.json",
    "RunInstances_failed_AssumedRole_noTags.invictus.json",
  ])("failed call %s yields only the ApiCall, with its errorCode", (name) => {
    const { resources, all } = normalizeOne(sample(name));
    expect(resources).toEqual([]);
    expect(all).toHaveLength(1);
    expect(all[0]!.type).toBe(API_CALL_TYPE);
    expect(all[0]!.properties.errorCode).toMatch(/^Client\./);
    expect(all[0]!.source === "cloudtrail" && all[0]!.context.event?.errorCode).toMatch(/^Client\./);
  });

  test("AssumedRole actor is the session ARN", () => {
    const [call] = apiCall("RunInstances_failed_AssumedRole_noTags.invictus.json");
    const event = call!.source === "cloudtrail" ? call!.context.event : undefined;
    expect(event).toMatchObject({
      actor: "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2lui-role-pcccexdthk/aws-go-sdk-1688990797103471741",
      actorType: "AssumedRole",
      accountId: "123837392027",
      mfaAuthenticated: false,
    });
  });

  test("CreateTags on an AMI: AddedTags on a Parapet::EC2::Image", () => {
    expect(normalizeOne(sample("CreateTags_ec2.invictus.json")).resources).toEqual([
      ["Parapet::EC2::Image", "ami-0aa1d83d0b0985c86", { AddedTags: [{ Key: "StratusRedTeam", Value: "true" }] }],
    ]);
  });

  test.each([
    ["AuthorizeSecurityGroupIngress_ipPermissions_0.0.0.0-0.invictus.json", "sg-04cfb7a4712d75b00", 443, "0.0.0.0/0", "TLS from Internet"],
    ["AuthorizeSecurityGroupIngress_flat_cidrIp_port22.invictus.json", "sg-04cfb7a4712d75b00", 22, "0.0.0.0/0", undefined],
    ["AuthorizeSecurityGroupIngress_flat_anonymized.stratus.json", "sg-003dc7f1f1c686164", 22, "208.236.235.254/0", undefined],
  ])("%s → one SecurityGroupIngress", (name, groupId, port, cidr, description) => {
    const { resources } = normalizeOne(sample(name));
    expect(resources).toHaveLength(1);
    const [type, id, props] = resources[0]!;
    expect(type).toBe("AWS::EC2::SecurityGroupIngress");
    expect(id).toBe(groupId);
    expect(props).toMatchObject({ GroupId: groupId, IpProtocol: "tcp", FromPort: port, ToPort: port, CidrIp: cidr });
    expect(props.Description).toBe(description);
  });

  test("CreateSecurityGroup → SecurityGroup with tags", () => {
    expect(normalizeOne(sample("CreateSecurityGroup_with_tags.invictus.json")).resources).toEqual([
      [
        "AWS::EC2::SecurityGroup",
        "sg-04cfb7a4712d75b00",
        {
          GroupName: "stratus-red-team-open-sg-sg",
          GroupDescription: "Allow TLS inbound traffic",
          VpcId: "vpc-0e568b18707c87afa",
          Tags: [
            { Key: "StratusRedTeam", Value: "true" },
            { Key: "Name", Value: "stratus-red-team-open-sg-sg" },
          ],
        },
      ],
    ]);
  });

  test("CreateUser → AWS::IAM::User with tags", () => {
    const { resources } = normalizeOne(sample("CreateUser.invictus.json"));
    expect(resources).toEqual([
      [
        "AWS::IAM::User",
        "malicious-iam-user",
        expect.objectContaining({ UserName: "malicious-iam-user", Tags: [{ Key: "StratusRedTeam", Value: "true" }] }),
      ],
    ]);
  });

  test("CreateAccessKey → AccessKey for another user, with its creator", () => {
    const { resources } = normalizeOne(sample("CreateAccessKey.invictus.json"));
    expect(resources).toEqual([
      [
        "AWS::IAM::AccessKey",
        "AKIATFQR7NSCQLA2F4OD",
        {
          UserName: "malicious-iam-user",
          Status: "Active",
          AccessKeyId: "AKIATFQR7NSCQLA2F4OD",
          CreatedBy: "arn:aws:iam::123837392027:user/bert-jan",
          CreatedByType: "IAMUser",
          CreatedByUserName: "bert-jan",
          CreatedForOtherUser: true,
        },
      ],
    ]);
  });

  test("AttachUserPolicy → attachment and the user's ManagedPolicyArns", () => {
    const { resources } = normalizeOne(sample("AttachUserPolicy_AdministratorAccess.invictus.json"));
    expect(resources).toEqual([
      [
        "Parapet::IAM::PolicyAttachment",
        "malicious-iam-user",
        { PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess", OwnerType: "AWS::IAM::User", OwnerId: "malicious-iam-user", Attached: true },
      ],
      ["AWS::IAM::User", "malicious-iam-user", { UserName: "malicious-iam-user", ManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }],
    ]);
  });

  test("CreateRole → role with decoded trust policy and a trust statement", () => {
    const { resources } = normalizeOne(sample("CreateRole.invictus.json"));
    const statement = resources.find(([t]) => t === "Parapet::IAM::PolicyStatement");
    expect(statement).toEqual([
      "Parapet::IAM::PolicyStatement",
      "stratus-red-team-backdoor-r-role",
      {
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Principal: { Service: "ec2.amazonaws.com" },
        Sid: "",
        PolicyKind: "trust",
        OwnerType: "AWS::IAM::Role",
        OwnerId: "stratus-red-team-backdoor-r-role",
      },
    ]);
    const role = resources.find(([t]) => t === "AWS::IAM::Role");
    expect(role?.[2]).toMatchObject({ RoleName: "stratus-red-team-backdoor-r-role", AssumeRolePolicyDocument: { Version: "2012-10-17" } });
  });

  test("PutUserPolicy → UserPolicy and identity statements with list-normalized fields", () => {
    const { resources } = normalizeOne(sample("PutUserPolicy.panther.json"));
    const statements = resources.filter(([t]) => t === "Parapet::IAM::PolicyStatement");
    expect(statements).toHaveLength(1);
    expect(statements[0]![2]).toMatchObject({
      Effect: "Deny",
      Resource: ["*"],
      PolicyKind: "identity",
      OwnerType: "AWS::IAM::User",
      OwnerId: "compromised_user",
      PolicyName: "AWSCompromisedKeyQuarantineV3",
    });
    expect(statements[0]![2].Action).toContain("iam:CreateAccessKey");
    expect(resources.map(([t]) => t)).toContain("AWS::IAM::UserPolicy");
  });

  test.each([
    ["ConsoleLogin_success_noMFA.invictus.json", "Success", false],
    ["ConsoleLogin_success.stratus.json", "Success", false],
    ["ConsoleLogin_failure.panther.json", "Failure", true],
  ])("%s → ConsoleLogin subject and ApiCall", (name, result, mfa) => {
    const { resources, all } = normalizeOne(sample(name));
    expect(resources).toEqual([["Parapet::CloudTrail::ConsoleLogin", expect.any(String), expect.objectContaining({ Result: result, MFAUsed: mfa })]]);
    expect(all.filter((s) => s.type === API_CALL_TYPE)).toHaveLength(1);
  });

  test("failed read-only calls yield nothing at all", () => {
    expect(normalizeOne(sample("Error_AccessDenied.invictus.json")).all).toEqual([]);
    expect(normalizeOne(sample("Error_Client.UnauthorizedOperation.invictus.json")).all).toEqual([]);
  });

  test("ApiCall carries the record's own fields and the event context", () => {
    const [call] = apiCall("CreateAccessKey.invictus.json");
    expect(call).toMatchObject({
      type: API_CALL_TYPE,
      id: "8c282c0b-00d1-4369-95b7-cb50b6eee620",
      source: "cloudtrail",
      location: { file: "test.json", pointer: "/Records/0" },
      properties: {
        eventName: "CreateAccessKey",
        eventSource: "iam.amazonaws.com",
        readOnly: false,
        recipientAccountId: "123837392027",
        requestParameters: { userName: "malicious-iam-user" },
      },
      context: {
        event: {
          eventId: "8c282c0b-00d1-4369-95b7-cb50b6eee620",
          eventTime: "2023-07-10T12:24:50Z",
          awsRegion: "us-east-1",
          accountId: "123837392027",
          actor: "arn:aws:iam::123837392027:user/bert-jan",
          actorType: "IAMUser",
          sourceIPAddress: "192.168.10.20",
          requestExcerpt: '{"userName":"malicious-iam-user"}',
        },
      },
    });
  });

  test("every sample record normalizes without errors", () => {
    for (const name of readdirSync(SAMPLES).filter((f) => f.endsWith(".json"))) {
      const raw = sample(name);
      const { errors } = normalizeOne(raw.detail ?? raw);
      expect([name, errors]).toEqual([name, []]);
    }
  });
});
