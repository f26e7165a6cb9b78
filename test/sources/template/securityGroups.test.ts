import type { TemplateSubject as Subject } from "../../../src/sources/template";
import { only, subjectsOf } from "./helpers";

const gathered = (subjects: Subject[], type: string) =>
  subjects.filter((s) => s.type === type).map((s) => ({ id: s.id, origin: s.properties["Parapet::Origin"], cidr: s.properties["CidrIp"] }));

const TEMPLATE = `
Parameters:
  GroupParam: {Type: String}
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - {id: W2, reason: load balancer}
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {CidrIp: 0.0.0.0/0, IpProtocol: tcp, FromPort: 80, ToPort: 80}
        - !Ref AWS::NoValue
      SecurityGroupEgress: {CidrIp: 10.0.0.0/8, IpProtocol: "-1"}
  Other:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: o
  AttachedByRef:
    Type: AWS::EC2::SecurityGroupIngress
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - {id: W9, reason: ignored by cfn_nag for attached rules}
    Properties: {GroupId: !Ref Group, CidrIp: 1.0.0.0/8, IpProtocol: tcp}
  AttachedByGetAtt:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !GetAtt Other.GroupId, CidrIp: 2.0.0.0/8, IpProtocol: tcp}
  ExternalLiteral:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-12345678, CidrIp: 3.0.0.0/8, IpProtocol: tcp}
  ExternalOtherAttribute:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Other.VpcId, CidrIp: 4.0.0.0/8, IpProtocol: tcp}
  DroppedParam:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref GroupParam, CidrIp: 5.0.0.0/8, IpProtocol: tcp}
`;

describe("security-group gathering (§A7)", () => {
  test("inline, attached and external entries; parameter-referenced ones dropped", () => {
    const subjects = subjectsOf(TEMPLATE);
    expect(gathered(subjects, "AWS::EC2::SecurityGroupIngress")).toEqual([
      { id: "Group", origin: "inline", cidr: "0.0.0.0/0" },
      { id: "Group", origin: "inline", cidr: undefined },
      { id: "Group", origin: "attached", cidr: "1.0.0.0/8" },
      { id: "ExternalLiteral", origin: "standalone", cidr: "3.0.0.0/8" },
      { id: "ExternalOtherAttribute", origin: "standalone", cidr: "4.0.0.0/8" },
    ]);
    expect(gathered(subjects, "AWS::EC2::SecurityGroupEgress")).toEqual([
      { id: "Group", origin: "inline", cidr: "10.0.0.0/8" },
      { id: "Other", origin: "attached", cidr: "2.0.0.0/8" },
    ]);
  });

  test("every standalone resource is also a subject of its own under a Parapet type (for W36)", () => {
    const subjects = subjectsOf(TEMPLATE);
    expect(subjects.filter((s) => s.type === "Parapet::EC2::StandaloneSecurityGroupIngress").map((s) => s.id)).toEqual([
      "AttachedByRef",
      "ExternalLiteral",
      "ExternalOtherAttribute",
      "DroppedParam",
    ]);
    expect(only(subjects, "Parapet::EC2::StandaloneSecurityGroupEgress").id).toBe("AttachedByGetAtt");
  });

  test("a NoValue entry is still an entry; the group's own subject keeps its inline lists", () => {
    const subjects = subjectsOf(TEMPLATE);
    const noValue = subjects.filter((s) => s.type === "AWS::EC2::SecurityGroupIngress")[1]!;
    expect(noValue.properties).toEqual({ Ref: "AWS::NoValue", GroupId: { Ref: "Group" }, "Parapet::Origin": "inline" });
    expect(only(subjects, "AWS::EC2::SecurityGroup", "Group").properties["SecurityGroupIngress"]).toHaveLength(2);
  });

  test("attached entries carry the group's suppressions, not their own; inline entries are located where written", () => {
    const subjects = subjectsOf(TEMPLATE);
    const attached = subjects.find((s) => s.type === "AWS::EC2::SecurityGroupIngress" && s.properties["Parapet::Origin"] === "attached")!;
    expect(attached.suppressions?.map((s) => s.rule)).toEqual(["W2"]);
    expect(attached.context.template?.logicalId).toBe("AttachedByRef");
    expect(attached.location).toMatchObject({ pointer: "/Resources/AttachedByRef", line: 22 });
    const inline = subjects.find((s) => s.type === "AWS::EC2::SecurityGroupIngress")!;
    expect(inline.location).toEqual({ file: "t.yaml", pointer: "/Resources/Group/Properties/SecurityGroupIngress/0", line: 14, column: 11 });
    const standalone = only(subjects, "Parapet::EC2::StandaloneSecurityGroupIngress", "AttachedByRef");
    expect(standalone.suppressions?.map((s) => s.rule)).toEqual(["W9"]);
  });

  test("with parameter values, a parameter GroupId becomes external", () => {
    const subjects = subjectsOf(TEMPLATE, { parameterValues: { GroupParam: "sg-1" } });
    const external = subjects.filter((s) => s.type === "AWS::EC2::SecurityGroupIngress" && s.id === "DroppedParam");
    expect(external).toHaveLength(1);
    expect(external[0]!.properties["GroupId"]).toBe("sg-1");
  });

  test("no inline egress and nothing attached: the group has no egress subjects; [] yields none either", () => {
    const subjects = subjectsOf("Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: g, SecurityGroupEgress: []}\n");
    expect(subjects.filter((s) => s.type === "AWS::EC2::SecurityGroupEgress")).toEqual([]);
  });

  test("an Fn::If entry takes the true branch by default", () => {
    const subjects = subjectsOf(
      "Conditions:\n  C: !Equals [a, a]\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupIngress:\n        - !If [C, {CidrIp: 0.0.0.0/0}, {CidrIp: 10.0.0.1/32}]\n",
    );
    expect(only(subjects, "AWS::EC2::SecurityGroupIngress").properties["CidrIp"]).toBe("0.0.0.0/0");
  });
});
