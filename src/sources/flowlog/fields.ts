/**
 * The catalogue of VPC flow log fields (versions 2–8, flowlogs.md §1.2) and the parsed record type.
 * A field's record key is its AWS name in camelCase (`account-id` → `accountId`, `pkt-srcaddr` →
 * `pktSrcaddr`), so a user who knows the AWS names can guess every key.
 */

export type FlowAction = "ACCEPT" | "REJECT";
export type LogStatus = "OK" | "NODATA" | "SKIPDATA";

/** How a field's text is turned into a value; `-` always means "missing" (undefined). */
export type FieldKind = "int" | "string" | "action" | "status";

/** One parsed flow log record. Every field is optional: custom formats may leave any of them out. */
export interface FlowRecord {
  /** 1-based line number in the file (or log event number in a CloudWatch Logs payload). */
  line: number;
  // v2 (default format)
  version?: number;
  accountId?: string;
  interfaceId?: string;
  srcaddr?: string;
  dstaddr?: string;
  srcport?: number;
  dstport?: number;
  protocol?: number;
  packets?: number;
  bytes?: number;
  start?: number;
  end?: number;
  action?: FlowAction;
  logStatus?: LogStatus;
  // v3
  vpcId?: string;
  subnetId?: string;
  instanceId?: string;
  tcpFlags?: number;
  type?: string;
  pktSrcaddr?: string;
  pktDstaddr?: string;
  // v4
  region?: string;
  azId?: string;
  sublocationType?: string;
  sublocationId?: string;
  // v5
  pktSrcAwsService?: string;
  pktDstAwsService?: string;
  flowDirection?: string;
  trafficPath?: number;
  // v6 (transit gateway)
  resourceType?: string;
  tgwId?: string;
  tgwAttachmentId?: string;
  tgwSrcVpcAccountId?: string;
  tgwDstVpcAccountId?: string;
  tgwSrcVpcId?: string;
  tgwDstVpcId?: string;
  tgwSrcSubnetId?: string;
  tgwDstSubnetId?: string;
  tgwSrcEni?: string;
  tgwDstEni?: string;
  tgwSrcAzId?: string;
  tgwDstAzId?: string;
  tgwPairAttachmentId?: string;
  packetsLostNoRoute?: number;
  packetsLostBlackhole?: number;
  packetsLostMtuExceeded?: number;
  packetsLostTtlExpired?: number;
  // v7 (ECS)
  ecsClusterArn?: string;
  ecsClusterName?: string;
  ecsContainerInstanceArn?: string;
  ecsContainerInstanceId?: string;
  ecsContainerId?: string;
  ecsSecondContainerId?: string;
  ecsServiceName?: string;
  ecsTaskDefinitionArn?: string;
  ecsTaskArn?: string;
  ecsTaskId?: string;
  // v8
  rejectReason?: string;
  /** Fields this catalogue does not know (a newer format version), by their AWS name. */
  other?: Record<string, string>;
}

export type FlowRecordKey = Exclude<keyof FlowRecord, "line" | "other">;

export interface FieldSpec {
  /** The AWS field name as written in a format string or header line. */
  name: string;
  key: FlowRecordKey;
  kind: FieldKind;
  /** The format version that introduced the field. */
  version: number;
}

const INT_FIELDS = new Set([
  "version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "tcp-flags", "traffic-path",
  "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
]);

const FIELDS_BY_VERSION: ReadonlyArray<readonly [number, readonly string[]]> = [
  [2, ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
    "bytes", "start", "end", "action", "log-status"]],
  [3, ["vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr"]],
  [4, ["region", "az-id", "sublocation-type", "sublocation-id"]],
  [5, ["pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path"]],
  [6, ["resource-type", "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni",
    "tgw-src-az-id", "tgw-dst-az-id", "tgw-pair-attachment-id", "packets-lost-no-route", "packets-lost-blackhole",
    "packets-lost-mtu-exceeded", "packets-lost-ttl-expired"]],
  [7, ["ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
    "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn",
    "ecs-task-id"]],
  [8, ["reject-reason"]],
];

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function kindOf(name: string): FieldKind {
  if (name === "action") return "action";
  if (name === "log-status") return "status";
  return INT_FIELDS.has(name) ? "int" : "string";
}

/** Every known field, by AWS name. */
export const FIELDS: ReadonlyMap<string, FieldSpec> = new Map(
  FIELDS_BY_VERSION.flatMap(([version, names]) =>
    names.map((name) => [name, { name, key: camelCase(name) as FlowRecordKey, kind: kindOf(name), version }] as const),
  ),
);

/** The default (version 2) format, in order. */
export const DEFAULT_FORMAT: readonly string[] = FIELDS_BY_VERSION[0]![1];
