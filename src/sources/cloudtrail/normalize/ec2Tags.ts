/**
 * EC2 CreateTags / DeleteTags → one subject per tagged resource with `AddedTags` / `RemovedTags`.
 * Keyed on `ec2.amazonaws.com`: EFS emits the same event names with a different shape.
 */
import { ownGet } from "../../../util/objects";
import { cfnTags, objectsOf, text } from "./shapes";
import type { NormalizerEntry, NormalizeInput, SubjectSink } from "./types";

/** EC2 resource id prefixes, longest first so `tgw-attach-` wins over `tgw-`. */
const ID_PREFIXES: ReadonlyArray<readonly [string, string]> = (
  [
    ["i-", "AWS::EC2::Instance"],
    ["sg-", "AWS::EC2::SecurityGroup"],
    ["sgr-", "Parapet::EC2::SecurityGroupRule"],
    ["vol-", "AWS::EC2::Volume"],
    ["vpc-", "AWS::EC2::VPC"],
    ["vpce-", "AWS::EC2::VPCEndpoint"],
    ["subnet-", "AWS::EC2::Subnet"],
    // AMIs and snapshots have no CloudFormation resource type.
    ["ami-", "Parapet::EC2::Image"],
    ["snap-", "Parapet::EC2::Snapshot"],
    ["eni-", "AWS::EC2::NetworkInterface"],
    ["igw-", "AWS::EC2::InternetGateway"],
    ["eigw-", "AWS::EC2::EgressOnlyInternetGateway"],
    ["nat-", "AWS::EC2::NatGateway"],
    ["rtb-", "AWS::EC2::RouteTable"],
    ["acl-", "AWS::EC2::NetworkAcl"],
    ["eipalloc-", "AWS::EC2::EIP"],
    ["lt-", "AWS::EC2::LaunchTemplate"],
    ["dopt-", "AWS::EC2::DHCPOptions"],
    ["pcx-", "AWS::EC2::VPCPeeringConnection"],
    ["tgw-", "AWS::EC2::TransitGateway"],
    ["tgw-attach-", "AWS::EC2::TransitGatewayAttachment"],
    ["tgw-rtb-", "AWS::EC2::TransitGatewayRouteTable"],
    ["cgw-", "AWS::EC2::CustomerGateway"],
    ["vgw-", "AWS::EC2::VPNGateway"],
    ["vpn-", "AWS::EC2::VPNConnection"],
    ["key-", "AWS::EC2::KeyPair"],
    ["fl-", "AWS::EC2::FlowLog"],
    ["pl-", "AWS::EC2::PrefixList"],
    ["sfr-", "AWS::EC2::SpotFleet"],
    ["fleet-", "AWS::EC2::EC2Fleet"],
    ["cr-", "AWS::EC2::CapacityReservation"],
    ["h-", "AWS::EC2::Host"],
  ] as const
)
  .slice()
  .sort((a, b) => b[0].length - a[0].length);

export const UNKNOWN_EC2_RESOURCE = "Parapet::EC2::Resource";

/** The resource type an EC2 id names, from its prefix. */
export function ec2TypeOfId(id: string): string {
  for (const [prefix, type] of ID_PREFIXES) if (id.startsWith(prefix)) return type;
  return UNKNOWN_EC2_RESOURCE;
}

function tagChange(property: "AddedTags" | "RemovedTags") {
  return ({ requestParameters }: NormalizeInput, sink: SubjectSink): void => {
    // DeleteTags may name a key without a value ("remove whatever value it has"): keep Value absent then.
    const tags = cfnTags(ownGet(requestParameters, "tagSet"), property === "RemovedTags");
    // DeleteTags without a tag list removes every user tag; the keys are unknown, so say so.
    const properties: Record<string, unknown> =
      property === "RemovedTags" && tags.length === 0 ? { RemovedTags: tags, RemovedAllTags: true } : { [property]: tags };
    for (const resource of objectsOf(ownGet(requestParameters, "resourcesSet"))) {
      const id = text(resource.resourceId);
      if (id === undefined) continue;
      sink.emit(ec2TypeOfId(id), id, { ...properties });
    }
  };
}

export const ec2TagNormalizers: NormalizerEntry[] = [
  { eventSource: "ec2.amazonaws.com", eventName: "CreateTags", normalize: tagChange("AddedTags") },
  { eventSource: "ec2.amazonaws.com", eventName: "DeleteTags", normalize: tagChange("RemovedTags") },
];
