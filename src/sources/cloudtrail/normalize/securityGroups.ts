/**
 * Security group changes → `AWS::EC2::SecurityGroup`, and one `AWS::EC2::SecurityGroupIngress` /
 * `...Egress` per permission × address range, the same shape a template's rules take.
 *
 * Authorize* records come in two request forms (flat `cidrIp`/`ipProtocol`/ports from the CLI, and
 * `ipPermissions.items[]` from SDKs); newer responses also list the created rules in
 * `securityGroupRuleSet`, uniformly for both forms. The response is what AWS actually created, so it
 * wins when present; the request is the fallback for older records.
 */
import { ownGet, type JsonObject } from "../../../util/objects";
import { cfnTags, defined, mergeTags, num, objectsOf, protocol, str, tagsFromSpecifications, text } from "./shapes";
import type { NormalizerEntry, NormalizeInput, SubjectSink } from "./types";

type Direction = "ingress" | "egress";

const TYPE: Record<Direction, string> = {
  ingress: "AWS::EC2::SecurityGroupIngress",
  egress: "AWS::EC2::SecurityGroupEgress",
};

/** CloudFormation names the peer properties differently for each direction. */
const PEER: Record<Direction, { group: string; prefixList: string }> = {
  ingress: { group: "SourceSecurityGroupId", prefixList: "SourcePrefixListId" },
  egress: { group: "DestinationSecurityGroupId", prefixList: "DestinationPrefixListId" },
};

interface RuleBase {
  GroupId: string;
  IpProtocol: string | undefined;
  FromPort: number | undefined;
  ToPort: number | undefined;
}

function emitRule(sink: SubjectSink, direction: Direction, base: RuleBase, peer: Record<string, unknown>): void {
  sink.emit(TYPE[direction], base.GroupId, defined({ ...base, ...peer }));
}

/** `responseElements.securityGroupRuleSet.items[]` → rules; false when the response lists none. */
function fromRuleSet(input: NormalizeInput, direction: Direction, sink: SubjectSink): boolean {
  const items = objectsOf(ownGet(ownGet(input.responseElements, "securityGroupRuleSet"), "items"));
  if (items.length === 0) return false;
  for (const item of items) {
    const groupId = text(item.groupId) ?? text(ownGet(input.requestParameters, "groupId"));
    if (groupId === undefined) continue;
    const itemDirection: Direction = item.isEgress === true ? "egress" : item.isEgress === false ? "ingress" : direction;
    const referenced = ownGet(item, "referencedGroupInfo");
    emitRule(
      sink,
      itemDirection,
      { GroupId: groupId, IpProtocol: protocol(item.ipProtocol), FromPort: num(item.fromPort), ToPort: num(item.toPort) },
      {
        CidrIp: str(item.cidrIpv4),
        CidrIpv6: str(item.cidrIpv6),
        [PEER[itemDirection].prefixList]: str(item.prefixListId),
        [PEER[itemDirection].group]: str(ownGet(referenced, "groupId")),
        SourceSecurityGroupOwnerId: itemDirection === "ingress" ? str(ownGet(referenced, "userId")) : undefined,
        Description: str(item.description),
        SecurityGroupRuleId: str(item.securityGroupRuleId),
      },
    );
  }
  return true;
}

/** One permission of the structured form → one rule per range / group / prefix list it names. */
function fromPermission(sink: SubjectSink, direction: Direction, groupId: string, permission: JsonObject): void {
  const base: RuleBase = {
    GroupId: groupId,
    IpProtocol: protocol(permission.ipProtocol),
    FromPort: num(permission.fromPort),
    ToPort: num(permission.toPort),
  };
  const peer = PEER[direction];
  let emitted = 0;
  for (const range of objectsOf(permission.ipRanges)) {
    emitRule(sink, direction, base, { CidrIp: str(range.cidrIp), Description: str(range.description) });
    emitted++;
  }
  for (const range of objectsOf(permission.ipv6Ranges)) {
    emitRule(sink, direction, base, { CidrIpv6: str(range.cidrIpv6), Description: str(range.description) });
    emitted++;
  }
  for (const list of objectsOf(permission.prefixListIds)) {
    emitRule(sink, direction, base, { [peer.prefixList]: str(list.prefixListId), Description: str(list.description) });
    emitted++;
  }
  for (const group of objectsOf(permission.groups)) {
    emitRule(sink, direction, base, {
      [peer.group]: str(group.groupId),
      SourceSecurityGroupName: direction === "ingress" ? str(group.groupName) : undefined,
      SourceSecurityGroupOwnerId: direction === "ingress" ? str(group.userId) : undefined,
      Description: str(group.description),
    });
    emitted++;
  }
  // A permission with no peer at all still opens something; let rules see it.
  if (emitted === 0) emitRule(sink, direction, base, {});
}

function fromRequest(input: NormalizeInput, direction: Direction, sink: SubjectSink): void {
  const request = input.requestParameters;
  if (request === undefined) return;
  // Default-VPC calls may name the group instead of giving its id.
  const groupId = text(request.groupId) ?? text(request.groupName);
  if (groupId === undefined) {
    sink.problem("security group change names no groupId or groupName");
    return;
  }
  for (const permission of objectsOf(request.ipPermissions)) fromPermission(sink, direction, groupId, permission);
  // The flat (CLI) form: one range, carried at the top level next to an empty `ipPermissions: {}`.
  if (request.cidrIp !== undefined || request.ipProtocol !== undefined || request.sourceSecurityGroupName !== undefined) {
    emitRule(
      sink,
      direction,
      { GroupId: groupId, IpProtocol: protocol(request.ipProtocol), FromPort: num(request.fromPort), ToPort: num(request.toPort) },
      {
        CidrIp: str(request.cidrIp),
        SourceSecurityGroupName: str(request.sourceSecurityGroupName),
        SourceSecurityGroupOwnerId: str(request.sourceSecurityGroupOwnerId),
      },
    );
  }
}

function authorize(direction: Direction) {
  return (input: NormalizeInput, sink: SubjectSink): void => {
    if (!fromRuleSet(input, direction, sink)) fromRequest(input, direction, sink);
  };
}

/**
 * ModifySecurityGroupRules uses PascalCase inside `ModifySecurityGroupRulesRequest` (a shape no public
 * record confirms; parsed defensively). The request does not say whether a rule is ingress or egress, so
 * the rule is reported as ingress — the direction whose openness matters — with its rule id kept.
 */
function modifyRules(input: NormalizeInput, sink: SubjectSink): void {
  const request = ownGet(input.requestParameters, "ModifySecurityGroupRulesRequest") ?? input.requestParameters;
  const groupId = text(ownGet(request, "GroupId")) ?? text(ownGet(request, "groupId"));
  if (groupId === undefined) {
    sink.problem("ModifySecurityGroupRules names no GroupId");
    return;
  }
  const updates = ownGet(request, "SecurityGroupRule") ?? ownGet(request, "SecurityGroupRules");
  const list = Array.isArray(updates) || ownGet(updates, "items") !== undefined ? objectsOf(updates) : objectsOf([updates]);
  for (const update of list) {
    const rule = ownGet(update, "SecurityGroupRule");
    emitRule(
      sink,
      "ingress",
      {
        GroupId: groupId,
        IpProtocol: protocol(ownGet(rule, "IpProtocol")),
        FromPort: num(ownGet(rule, "FromPort")),
        ToPort: num(ownGet(rule, "ToPort")),
      },
      {
        CidrIp: str(ownGet(rule, "CidrIpv4")),
        CidrIpv6: str(ownGet(rule, "CidrIpv6")),
        SourcePrefixListId: str(ownGet(rule, "PrefixListId")),
        SourceSecurityGroupId: str(ownGet(rule, "ReferencedGroupId")),
        Description: str(ownGet(rule, "Description")),
        SecurityGroupRuleId: str(ownGet(update, "SecurityGroupRuleId")),
      },
    );
  }
}

function createSecurityGroup({ requestParameters, responseElements }: NormalizeInput, sink: SubjectSink): void {
  const groupId = text(ownGet(responseElements, "groupId"));
  if (groupId === undefined) {
    sink.problem("CreateSecurityGroup response has no groupId");
    return;
  }
  const tags = mergeTags(
    tagsFromSpecifications(requestParameters, "security-group"),
    cfnTags(ownGet(responseElements, "tagSet")),
  );
  sink.emit(
    "AWS::EC2::SecurityGroup",
    groupId,
    defined({
      GroupName: str(ownGet(requestParameters, "groupName")),
      GroupDescription: str(ownGet(requestParameters, "groupDescription")),
      VpcId: str(ownGet(requestParameters, "vpcId")),
      Tags: tags,
    }),
  );
}

export const securityGroupNormalizers: NormalizerEntry[] = [
  { eventSource: "ec2.amazonaws.com", eventName: "AuthorizeSecurityGroupIngress", normalize: authorize("ingress") },
  { eventSource: "ec2.amazonaws.com", eventName: "AuthorizeSecurityGroupEgress", normalize: authorize("egress") },
  { eventSource: "ec2.amazonaws.com", eventName: "ModifySecurityGroupRules", normalize: modifyRules },
  { eventSource: "ec2.amazonaws.com", eventName: "CreateSecurityGroup", normalize: createSecurityGroup },
];
