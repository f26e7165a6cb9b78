import { isObject } from "../../util/objects";
import type { Deriver, TemplateSubject } from "./subjects";
import type { ResolvedResource } from "./types";

/**
 * Network-ACL entry linking (reference §A8): an `AWS::EC2::NetworkAclEntry` belongs to NACL X of the
 * template when its NetworkAclId is `Ref X` or `GetAtt X.<any attribute>`. Each linked entry becomes a
 * `Parapet::EC2::LinkedNetworkAclEntry` subject (id: the entry's logical id; suppressions: the NACL's,
 * as in cfn_nag where F79/W71 are suppressed on the NetworkAcl) with the entry's properties plus:
 *   `Parapet::NetworkAcl`            the owning NACL's logical id
 *   `Parapet::Side`                  `egress` (Egress true-like), `ingress` (absent or false-like), `none` (anything else)
 *   `Parapet::DuplicateRuleNumber`   another entry of the same NACL and side has an identical RuleNumber (type-sensitive)
 * Entries pointing at literals, imports or parameters belong to no NACL and yield no linked subject.
 */

export const NETWORK_ACL = "AWS::EC2::NetworkAcl";
export const NETWORK_ACL_ENTRY = "AWS::EC2::NetworkAclEntry";
export const LINKED_ENTRY = "Parapet::EC2::LinkedNetworkAclEntry";

type Side = "egress" | "ingress" | "none";

export function linkedNetworkAclEntries(resources: readonly ResolvedResource[], derive: Deriver): TemplateSubject[] {
  const acls = new Map<string, ResolvedResource>();
  for (const r of resources) if (r.type === NETWORK_ACL) acls.set(r.logicalId, r);
  if (acls.size === 0) return [];

  const linked: Array<{ entry: ResolvedResource; acl: ResolvedResource; side: Side; ruleKey: string }> = [];
  for (const entry of resources) {
    if (entry.type !== NETWORK_ACL_ENTRY) continue;
    const aclId = referencedId(entry.properties["NetworkAclId"]);
    const acl = aclId === undefined ? undefined : acls.get(aclId);
    if (!acl) continue;
    const side = sideOf(entry.properties["Egress"]);
    linked.push({ entry, acl, side, ruleKey: `${acl.logicalId}\u0000${side}\u0000${typedKey(entry.properties["RuleNumber"])}` });
  }

  const counts = new Map<string, number>();
  for (const l of linked) if (l.side !== "none") counts.set(l.ruleKey, (counts.get(l.ruleKey) ?? 0) + 1);

  return linked.map(({ entry, acl, side, ruleKey }) =>
    derive(entry, {
      type: LINKED_ENTRY,
      properties: {
        ...entry.properties,
        "Parapet::NetworkAcl": acl.logicalId,
        "Parapet::Side": side,
        "Parapet::DuplicateRuleNumber": side !== "none" && (counts.get(ruleKey) ?? 0) > 1,
      },
      suppressions: acl.suppressions,
    }),
  );
}

function referencedId(value: unknown): string | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
  if (typeof value["Ref"] === "string") return value["Ref"];
  const getAtt = value["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return getAtt[0];
  if (typeof getAtt === "string") return getAtt.split(".")[0];
  return undefined;
}

function sideOf(egress: unknown): Side {
  if (egress === undefined || egress === null) return "ingress";
  if (typeof egress === "boolean" || typeof egress === "string") {
    const text = String(egress).toLowerCase();
    if (text === "true") return "egress";
    if (text === "false") return "ingress";
  }
  return "none";
}

/** `100` and `"100"` are different rule numbers, as in cfn_nag. */
function typedKey(value: unknown): string {
  return `${typeof value}:${JSON.stringify(value) ?? ""}`;
}

/**
 * Entries whose TCP/UDP port ranges overlap another entry of the same ACL (by the exact
 * `NetworkAclId` value), address family and direction (cfn_nag W72). The fact is a relation between
 * entries, so the adapter computes it once per template and records it on each entry as
 * `Parapet::OverlappingEntries` (the logical ids of the other entries); rules then read a property.
 */
export function markOverlappingPortRanges(resources: readonly ResolvedResource[]): void {
  const groups = new Map<string, Array<{ entry: ResolvedResource; from: number; to: number }>>();
  for (const entry of resources) {
    if (entry.type !== NETWORK_ACL_ENTRY) continue;
    const p = entry.properties;
    const protocol = typeof p["Protocol"] === "number" || typeof p["Protocol"] === "string" ? String(p["Protocol"]) : "";
    if (protocol !== "6" && protocol !== "17") continue;
    const range = isObject(p["PortRange"]) ? p["PortRange"] : undefined;
    const from = portNumber(range?.["From"]);
    const to = portNumber(range?.["To"]);
    if (from === undefined || to === undefined) continue;
    const family = p["Ipv6CidrBlock"] !== undefined ? "v6" : "v4";
    const side = sideOf(p["Egress"]) === "egress" ? "egress" : "other";
    const key = `${JSON.stringify(p["NetworkAclId"]) ?? ""}\u0000${family}\u0000${side}`;
    const list = groups.get(key) ?? [];
    list.push({ entry, from, to });
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    for (const a of list) {
      const others = list.filter((b) => b !== a && (within(a.from, b) || within(a.to, b) || within(b.from, a) || within(b.to, a)));
      if (others.length) a.entry.properties["Parapet::OverlappingEntries"] = others.map((b) => b.entry.logicalId);
    }
  }
}

function within(port: number, range: { from: number; to: number }): boolean {
  return range.from <= port && port <= range.to;
}

/** cfn_nag's reading: a number, or a string whose integer value is non-zero (so "0" and "x" are excluded). */
function portNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string") {
    const n = parseInt(value, 10);
    return Number.isFinite(n) && n !== 0 ? n : undefined;
  }
  return undefined;
}
