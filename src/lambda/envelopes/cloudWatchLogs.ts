/**
 * CloudWatch Logs subscription payloads (base64 of gzip of JSON), delivered directly
 * (`awslogs.data`) or one per Kinesis record (`kinesis.data`) by a subscription to a stream.
 * A payload that does not decode is malformed for good (a permanent data error); a control message
 * is CloudWatch Logs checking the destination and carries nothing to evaluate.
 */
import type { CloudWatchLogsEvent, KinesisStreamRecord } from "aws-lambda";
import { cloudWatchLabel, decodeCloudWatchLogsPayload, type CloudWatchLogsPayload } from "../../sources/flowlog";
import { messageOf } from "../../util/errors";
import { isRecord, unrecognized } from "./objects";

export type LogsDelivery =
  | { kind: "data"; label: string; payload: CloudWatchLogsPayload }
  | { kind: "control"; label: string; payload: CloudWatchLogsPayload }
  | { kind: "malformed"; label: string; reason: string };

/** The payload of a subscription invoking the function directly, labelled `cloudwatch:<group>/<stream>`. Any other event is unrecognized. */
export function parseSubscriptionEvent(event: unknown): LogsDelivery {
  const data = isRecord(event) && isRecord(event.awslogs) ? (event as Partial<CloudWatchLogsEvent>).awslogs?.data : undefined;
  if (typeof data !== "string") throw unrecognized("expected a CloudWatch Logs subscription event with awslogs.data");
  const decoded = decode(data, "awslogs.data");
  return decoded.kind === "malformed" ? decoded : { ...decoded, label: cloudWatchLabel(decoded.payload) };
}

/** The payload one Kinesis record carries, labelled `kinesis:<sequence number>`. */
export function parseKinesisRecord(record: KinesisStreamRecord): LogsDelivery {
  const label = `kinesis:${record.kinesis?.sequenceNumber ?? record.eventID}`;
  const data = record.kinesis?.data;
  if (typeof data !== "string") return { kind: "malformed", label, reason: "the record has no data" };
  return decode(data, label);
}

function decode(data: string, label: string): Extract<LogsDelivery, { kind: "malformed" }> | { kind: "data" | "control"; label: string; payload: CloudWatchLogsPayload } {
  let payload: CloudWatchLogsPayload;
  try {
    payload = decodeCloudWatchLogsPayload(data, label);
  } catch (err) {
    return { kind: "malformed", label, reason: messageOf(err).replace(`${label}: `, "") };
  }
  return { kind: payload.messageType === "DATA_MESSAGE" ? "data" : "control", label, payload };
}
