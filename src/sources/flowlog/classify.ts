/**
 * What an ENI belongs to, from the signals public tools use (flowlogs.md §4): the attached instance
 * first, then `InterfaceType`, description prefixes, and requester id. No AWS document gives a
 * complete mapping, so unknown managed interfaces fall back to `aws:managed`, others to
 * `ec2:network-interface`. `InterfaceType` is an open string (`natGateway` in the SDK enum,
 * `nat_gateway` in the filter docs — both are accepted).
 */
import type { NetworkInterface } from "@aws-sdk/client-ec2";

export type EndpointType =
  | "ec2:instance"
  | "lambda:function"
  | "rds:db"
  | "redshift:cluster"
  | "elasticache:cluster"
  | "elb:application"
  | "elb:network"
  | "elb:gateway"
  | "elb:classic"
  | "ec2:nat-gateway"
  | "ec2:vpc-endpoint"
  | "ec2:gateway-load-balancer-endpoint"
  | "ec2:transit-gateway"
  | "ecs:task"
  | "efs:mount-target"
  | "eks:cluster"
  | "api-gateway:vpc-link"
  | "aws:managed"
  | "ec2:network-interface"
  // Endpoints with no interface in the inventory:
  | "aws:service"
  | "internet"
  | "private";

export interface InterfaceClass {
  type: EndpointType;
  /** The owning resource's id where the signals give it (instance id, function name, nat-..., vpce-...). */
  resourceId?: string;
  /** ARN of the owning resource where it can be formed, else of the network interface. */
  arn?: string;
}

export interface ArnParts {
  partition: string;
  region: string;
  accountId: string;
}

/** `us-east-1b` → `us-east-1`; `us-west-2-lax-1a` (Local Zone) → `us-west-2`. */
export function regionOfZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  const match = /^([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)/.exec(zone);
  return match?.[1];
}

export function partitionOf(region: string | undefined): string {
  if (region?.startsWith("cn-")) return "aws-cn";
  if (region?.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

const UUID_SUFFIX = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function classifyInterface(eni: NetworkInterface, arn: ArnParts): InterfaceClass {
  const description = eni.Description ?? "";
  const interfaceType: string = eni.InterfaceType ?? "";
  const requester = eni.RequesterId ?? "";
  const { partition, region, accountId } = arn;
  const prefix = (service: string) => `arn:${partition}:${service}:${region}:${accountId}`;
  const eniArn = eni.NetworkInterfaceId ? `${prefix("ec2")}:network-interface/${eni.NetworkInterfaceId}` : undefined;

  const instanceId = eni.Attachment?.InstanceId;
  if (instanceId) return { type: "ec2:instance", resourceId: instanceId, arn: `${prefix("ec2")}:instance/${instanceId}` };

  if (interfaceType === "lambda" || description.startsWith("AWS Lambda VPC ENI") || eni.Attachment?.InstanceOwnerId === "aws-lambda") {
    const fromDescription = description.startsWith("AWS Lambda VPC ENI-")
      ? description.slice("AWS Lambda VPC ENI-".length).replace(UUID_SUFFIX, "")
      : undefined;
    const fromRequester = requester.includes(":") ? requester.slice(requester.lastIndexOf(":") + 1) : undefined;
    const name = fromDescription || fromRequester;
    return { type: "lambda:function", resourceId: name, arn: name ? `${prefix("lambda")}:function:${name}` : eniArn };
  }

  const elb = /^ELB (app|net|gwy)\/([^/]+)\/([^/\s]+)/.exec(description);
  if (elb) {
    const type = elb[1] === "app" ? "elb:application" : elb[1] === "net" ? "elb:network" : "elb:gateway";
    const id = `${elb[1]}/${elb[2]}/${elb[3]}`;
    return { type, resourceId: id, arn: `${prefix("elasticloadbalancing")}:loadbalancer/${id}` };
  }
  if (interfaceType === "network_load_balancer") return { type: "elb:network", arn: eniArn };
  if (interfaceType === "gateway_load_balancer") return { type: "elb:gateway", arn: eniArn };
  if (description.startsWith("ELB ")) {
    const name = description.slice(4).trim();
    return { type: "elb:classic", resourceId: name, arn: `${prefix("elasticloadbalancing")}:loadbalancer/${name}` };
  }

  const nat = /^Interface for NAT Gateway (nat-[0-9a-f]+)/.exec(description);
  if (nat || interfaceType === "nat_gateway" || interfaceType === "natGateway") {
    const id = nat?.[1];
    return { type: "ec2:nat-gateway", resourceId: id, arn: id ? `${prefix("ec2")}:natgateway/${id}` : eniArn };
  }

  const vpce = /^VPC Endpoint Interface:? (vpce-[0-9a-f]+)/.exec(description);
  if (interfaceType === "gateway_load_balancer_endpoint") {
    return { type: "ec2:gateway-load-balancer-endpoint", resourceId: vpce?.[1], arn: vpce ? `${prefix("ec2")}:vpc-endpoint/${vpce[1]}` : eniArn };
  }
  if (vpce || interfaceType === "vpc_endpoint") {
    const id = vpce?.[1];
    return { type: "ec2:vpc-endpoint", resourceId: id, arn: id ? `${prefix("ec2")}:vpc-endpoint/${id}` : eniArn };
  }

  if (description === "RDSNetworkInterface" || requester === "amazon-rds") return { type: "rds:db", arn: eniArn };
  if (description === "RedshiftNetworkInterface" || requester === "amazon-redshift") return { type: "redshift:cluster", arn: eniArn };
  const cache = /^ElastiCache[ +](\S+)/.exec(description);
  if (cache || requester === "amazon-elasticache") {
    const id = cache?.[1];
    return { type: "elasticache:cluster", resourceId: id, arn: id ? `${prefix("elasticache")}:cluster:${id}` : eniArn };
  }

  if (/^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:attachment\//.test(description)) return { type: "ecs:task", resourceId: description, arn: description };

  const efs = /^EFS mount target for (fs-[0-9a-f]+)/.exec(description);
  if (efs || interfaceType === "efs") {
    const id = efs?.[1];
    return { type: "efs:mount-target", resourceId: id, arn: id ? `${prefix("elasticfilesystem")}:file-system/${id}` : eniArn };
  }
  if (interfaceType === "transit_gateway") return { type: "ec2:transit-gateway", arn: eniArn };
  if (description.startsWith("Amazon EKS ")) return { type: "eks:cluster", resourceId: description.slice("Amazon EKS ".length), arn: eniArn };
  if (interfaceType === "api_gateway_managed") return { type: "api-gateway:vpc-link", arn: eniArn };

  if (eni.RequesterManaged || (interfaceType !== "" && interfaceType !== "interface")) return { type: "aws:managed", arn: eniArn };
  return { type: "ec2:network-interface", resourceId: eni.NetworkInterfaceId, arn: eniArn };
}
