/**
 * Enriched flows → subjects (docs/subjects.md), so the rules written for templates and CloudTrail
 * also fire on traffic:
 * - `Parapet::VPC::Flow` for every flow — a conversation, or a NODATA/SKIPDATA record (properties =
 *   the enriched flow) — except the client end's capture of a connection the server end's interface
 *   logged too;
 * - `AWS::EC2::Instance` for each instance seen at either end (Tags as a CloudFormation list), once
 *   per call;
 * - `AWS::EC2::SecurityGroupIngress` for each accepted inbound flow from a public address (observed
 *   ingress: `CidrIp` `<src>/32` or `CidrIpv6` `<src>/128`, the server port, the protocol number),
 *   once per distinct (interface, source, protocol, port) per call.
 *
 * `context.flow.observation` names what was seen without its time (flows: the conversation; observed
 * ingress: group, protocol, port and source), so alerts tell distinct traffic on one subject id apart and
 * merge the same traffic seen in later windows.
 */
import type { FlowContext, Location, SubjectOf } from "../../engine/model";
import type { EnrichedFlow, EnrichedTraffic, Endpoint } from "./enrich";

export type FlowSubject = SubjectOf<"flowlog">;

export const FLOW_TYPE = "Parapet::VPC::Flow";

const PORT_PROTOCOLS = new Set([6, 17, 132]);

function flowContext(flow: EnrichedFlow): FlowContext {
  const start = Number(flow.Start);
  const end = Number(flow.End);
  return {
    interfaceId: flow.InterfaceId,
    accountId: flow.AccountId,
    region: flow.Region,
    start: flow.Start === "" ? undefined : start,
    end: flow.End === "" ? undefined : end,
    action: flow.LogStatus === "OK" ? flow.Action : undefined,
    logStatus: flow.LogStatus,
  };
}

function location(file: string, line: number | undefined): Location {
  return line === undefined ? { file, pointer: "" } : { file, pointer: `/${line}`, line };
}

/**
 * A conversation without its time: `<interface>:<protocol>:<client>-<server>:<server port>:<action>`
 * (no client port: a conversation spans many ephemeral ones); gaps: `<interface>:<status>`.
 */
export function flowObservation(flow: EnrichedFlow): string {
  const iface = flow.InterfaceId ?? "unknown-interface";
  if (flow.LogStatus !== "OK") return `${iface}:${flow.LogStatus}`;
  return `${iface}:${flow.Protocol}:${flow.Client.Addr}-${flow.Server.Addr}:${flow.DstPort ?? "-"}:${flow.Action ?? "-"}`;
}

/** The observation and its start: `<interface>:<protocol>:<client>-<server>:<port>:<action>:<start>`; gaps `<interface>:<status>:<start>`. */
export function flowSubjectId(flow: EnrichedFlow): string {
  return `${flowObservation(flow)}:${flow.Start}`;
}

function instanceSubject(endpoint: Endpoint, context: FlowContext, where: Location): FlowSubject {
  const properties: Record<string, unknown> = {
    Tags: Object.entries(endpoint.Tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
  if (endpoint.SubnetId !== undefined) properties.SubnetId = endpoint.SubnetId;
  if (endpoint.SecurityGroupIds !== undefined) properties.SecurityGroupIds = [...endpoint.SecurityGroupIds];
  if (endpoint.AvailabilityZone !== undefined) properties.AvailabilityZone = endpoint.AvailabilityZone;
  return {
    type: "AWS::EC2::Instance",
    id: endpoint.InstanceId!,
    properties,
    source: "flowlog",
    context: { flow: { ...context, interfaceId: endpoint.InterfaceId ?? context.interfaceId } },
    location: where,
  };
}

/** True for an accepted connection into the capturing interface from an internet address. */
export function isObservedIngress(flow: EnrichedTraffic): boolean {
  // "inbound" means the capturing interface is the server (its IPv6 address may itself be public).
  return flow.Action === "ACCEPT" && flow.Direction === "inbound" && flow.Client.Public;
}

function ingressSubject(flow: EnrichedTraffic, context: FlowContext, where: Location): FlowSubject {
  const source = flow.Client.Addr;
  const v6 = source.includes(":");
  const groupId = flow.Server.SecurityGroupIds?.[0];
  const hasPorts = flow.DstPort !== undefined && PORT_PROTOCOLS.has(flow.ProtocolNumber ?? -1);
  // The id is the group (as for template and CloudTrail rules); what tells two observations into one
  // group apart goes into the context, where alert identity reads it.
  const id = groupId ?? flow.Server.InterfaceId ?? flow.InterfaceId ?? flow.Server.Addr;
  const observation = `${id}:${flow.Protocol}:${hasPorts ? flow.DstPort : "-"}:${source}`;
  const properties: Record<string, unknown> = {
    IpProtocol: flow.ProtocolNumber === undefined ? "-1" : String(flow.ProtocolNumber),
    [v6 ? "CidrIpv6" : "CidrIp"]: `${source}/${v6 ? 128 : 32}`,
    Description: `observed in flow logs: ${flow.Protocol} from ${source} to ${flow.Server.Addr}`,
  };
  // Ports mean something for TCP, UDP and SCTP only; ICMP records carry 0.
  if (hasPorts) {
    properties.FromPort = flow.DstPort;
    properties.ToPort = flow.DstPort;
  }
  if (groupId !== undefined) properties.GroupId = groupId;
  return {
    type: "AWS::EC2::SecurityGroupIngress",
    id,
    properties,
    source: "flowlog",
    context: { flow: { ...context, observation } },
    location: where,
  };
}

/** A connection as the VPC of the interface that captured it sees it: the same from either end. */
function connectionKey(flow: EnrichedTraffic, capturing: Endpoint): string {
  return `${capturing.VpcId ?? ""}|${flow.ProtocolNumber}|${flow.Client.Addr}|${flow.Server.Addr}|${flow.DstPort}|${flow.Action}`;
}

export function flowsToSubjects(flows: readonly EnrichedFlow[], file: string): FlowSubject[] {
  const subjects: FlowSubject[] = [];
  const instances = new Set<string>();
  const ingress = new Set<string>();
  // A connection between two interfaces that both log is one flow subject, the server end's capture:
  // its findings, and the alerts they become, do not depend on which capture the file lists first.
  const capturedByServer = new Set<string>();
  for (const flow of flows) {
    if (flow.LogStatus === "OK" && flow.Direction === "inbound") capturedByServer.add(connectionKey(flow, flow.Server));
  }
  for (const flow of flows) {
    const context = flowContext(flow);
    const where = location(file, flow.Lines[0]);
    const observation = flowObservation(flow);
    const seenByServer = flow.LogStatus === "OK" && flow.Direction === "outbound" && capturedByServer.has(connectionKey(flow, flow.Client));
    if (!seenByServer) {
      subjects.push({
        type: FLOW_TYPE,
        id: `${observation}:${flow.Start}`,
        properties: flow as unknown as Record<string, unknown>,
        source: "flowlog",
        context: { flow: { ...context, observation } },
        location: where,
      });
    }
    if (flow.LogStatus !== "OK") continue;
    for (const endpoint of [flow.Client, flow.Server]) {
      if (endpoint.Type === "ec2:instance" && endpoint.InstanceId !== undefined && !instances.has(endpoint.InstanceId)) {
        instances.add(endpoint.InstanceId);
        subjects.push(instanceSubject(endpoint, context, where));
      }
    }
    if (isObservedIngress(flow)) {
      const key = `${flow.Server.InterfaceId ?? flow.Server.Addr}|${flow.Client.Addr}|${flow.ProtocolNumber}|${flow.DstPort}`;
      if (!ingress.has(key)) {
        ingress.add(key);
        subjects.push(ingressSubject(flow, context, where));
      }
    }
  }
  return subjects;
}
