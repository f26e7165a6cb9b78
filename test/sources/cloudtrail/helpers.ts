import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subject } from "../../../src/engine/model";
import { recordsToSubjects, API_CALL_TYPE } from "../../../src/sources/cloudtrail";

export const SAMPLES = join(__dirname, "../../fixtures/cloudtrail-samples");
export const STRATUS = join(__dirname, "../../fixtures/conformance/cloudtrail/stratus");
export const EVENTS = join(__dirname, "../../fixtures/events");

export function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SAMPLES, name), "utf8"));
}

export function event(name: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS, name), "utf8"));
}

/** Subjects of one record, ApiCall aside, as [type, id, properties]. */
export function normalizeOne(record: unknown): { resources: Array<[string, string, Record<string, unknown>]>; all: Subject[]; errors: string[] } {
  const { subjects, errors } = recordsToSubjects([record], "test.json");
  return {
    resources: subjects.filter((s) => s.type !== API_CALL_TYPE).map((s) => [s.type, s.id, s.properties]),
    all: subjects,
    errors: errors.map((e) => e.message),
  };
}

/** A minimal valid record for synthetic cases. */
export function record(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", accountId: "111122223333", userName: "alice" },
    eventTime: "2024-08-01T12:00:00Z",
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters: null,
    responseElements: null,
    eventID: "00000000-0000-4000-8000-000000000001",
    readOnly: false,
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
    ...overrides,
  };
}
