import { isObject, type JsonObject } from "../../util/objects";
import { copyPlain } from "./intrinsics";
import type { Deriver, TemplateSubject } from "./subjects";
import type { ResolvedResource } from "./types";

/**
 * Security-group ingress/egress gathering exactly as cfn_nag does it (reference §A7):
 *  - inline entries of an `AWS::EC2::SecurityGroup` -> one subject each, id = the group's logical id;
 *  - a standalone `...Ingress`/`...Egress` whose GroupId is `Ref`/`GetAtt X.GroupId` to a group X of the
 *    template -> attached: id = X, X's suppressions (suppressing on the standalone resource does not hide it);
 *  - a standalone one whose GroupId is anything else -> external: its own id;
 *  - `Ref`/`GetAtt ...GroupId` to something that is not a group of the template -> dropped.
 * Each carries `Parapet::Origin` (`inline` | `attached` | `standalone`).
 * Every standalone resource is also emitted under its own id as `Parapet::EC2::StandaloneSecurityGroupIngress`
 * / `...Egress`, for rules that judge the resource itself whatever it is attached to (W36).
 */

export const SECURITY_GROUP = "AWS::EC2::SecurityGroup";
export const INGRESS = "AWS::EC2::SecurityGroupIngress";
export const EGRESS = "AWS::EC2::SecurityGroupEgress";
export const STANDALONE_TYPES: Readonly<Record<string, string>> = {
  [INGRESS]: "Parapet::EC2::StandaloneSecurityGroupIngress",
  [EGRESS]: "Parapet::EC2::StandaloneSecurityGroupEgress",
};

export const ORIGIN = "Parapet::Origin";

const INLINE_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ["SecurityGroupIngress", INGRESS],
  ["SecurityGroupEgress", EGRESS],
];

/** Subjects for one resource's part in the gathering; empty for resources that take no part. */
export function securityGroupSubjects(
  resource: ResolvedResource,
  groups: ReadonlyMap<string, ResolvedResource>,
  derive: Deriver,
): TemplateSubject[] {
  if (resource.type === SECURITY_GROUP) return inlineEntries(resource, derive);
  if (resource.type !== INGRESS && resource.type !== EGRESS) return [];

  const out: TemplateSubject[] = [
    derive(resource, { type: STANDALONE_TYPES[resource.type]!, properties: resource.properties }),
  ];
  const target = referencedGroup(resource.properties["GroupId"]);
  if (target === undefined) {
    out.push(derive(resource, { type: resource.type, properties: { ...resource.properties, [ORIGIN]: "standalone" } }));
    return out;
  }
  const group = groups.get(target);
  if (group) {
    out.push(
      derive(resource, {
        type: resource.type,
        id: group.logicalId,
        properties: { ...resource.properties, [ORIGIN]: "attached" },
        suppressions: group.suppressions,
      }),
    );
  }
  return out;
}

function inlineEntries(group: ResolvedResource, derive: Deriver): TemplateSubject[] {
  const out: TemplateSubject[] = [];
  for (const [property, type] of INLINE_PROPERTIES) {
    const value = group.properties[property];
    if (value === undefined || value === null) continue;
    // A single map counts as a one-element list; a `{Ref: AWS::NoValue}` entry is still an entry.
    const entries = Array.isArray(value) ? value : [value];
    entries.forEach((entry, i) => {
      const written = isObject(entry) ? (copyPlain(entry) as JsonObject) : {};
      out.push(
        derive(group, {
          type,
          properties: { ...written, GroupId: { Ref: group.logicalId }, [ORIGIN]: "inline" },
          propertyPath: Array.isArray(value) ? [property, i] : [property],
        }),
      );
    });
  }
  return out;
}

/**
 * The logical id a GroupId names as a group (`Ref X`, `GetAtt [X, GroupId]`, `GetAtt "X.GroupId"`),
 * or undefined when it names no logical id that way (literal, import, Sub, other attribute).
 */
function referencedGroup(groupId: unknown): string | undefined {
  if (!isObject(groupId) || Object.keys(groupId).length !== 1) return undefined;
  const ref = groupId["Ref"];
  if (typeof ref === "string") return ref;
  const getAtt = groupId["Fn::GetAtt"];
  const [id, attribute] = Array.isArray(getAtt)
    ? getAtt
    : typeof getAtt === "string"
      ? [getAtt.slice(0, getAtt.indexOf(".")), getAtt.slice(getAtt.indexOf(".") + 1)]
      : [];
  return typeof id === "string" && attribute === "GroupId" ? id : undefined;
}
