/** The `context.event` facts every CloudTrail subject carries, derived once per record. */
import type { EventContext } from "../../engine/model";
import { isObject, ownGet, type JsonObject } from "../../util/objects";
import { redactedExcerpt } from "./excerpt";
import { str, text } from "./normalize/shapes";

export function eventContext(record: JsonObject): EventContext {
  const identity = ownGet(record, "userIdentity");
  const params = record.requestParameters;
  let excerpt: string | undefined | null = null;
  const ctx: EventContext = {
    eventId: str(record.eventID) ?? "",
    eventName: str(record.eventName) ?? "",
    eventSource: str(record.eventSource) ?? "",
    eventTime: str(record.eventTime) ?? "",
    awsRegion: str(record.awsRegion) ?? "",
    accountId: text(record.recipientAccountId) ?? text(ownGet(identity, "accountId")) ?? "",
    actor: actorOf(identity),
    actorType: actorTypeOf(identity),
    // Rendered on first read (an alert, a report), not for every write in a file: most subjects never
    // produce a finding, and the excerpt was the largest per-record cost. It is an own, enumerable
    // property, so JSON.stringify, spreads and structuredClone all see the value.
    get requestExcerpt(): string | undefined {
      if (excerpt === null) excerpt = redactedExcerpt(params);
      return excerpt;
    },
    set requestExcerpt(value: string | undefined) {
      excerpt = value;
    },
  };
  const sourceIPAddress = str(record.sourceIPAddress);
  if (sourceIPAddress !== undefined) ctx.sourceIPAddress = sourceIPAddress;
  const userAgent = str(record.userAgent);
  if (userAgent !== undefined) ctx.userAgent = userAgent;
  const errorCode = text(record.errorCode);
  if (errorCode !== undefined) ctx.errorCode = errorCode;
  const errorMessage = text(record.errorMessage);
  if (errorMessage !== undefined) ctx.errorMessage = errorMessage;
  const mfa = mfaOf(record, identity);
  if (mfa !== undefined) ctx.mfaAuthenticated = mfa;
  return ctx;
}

/**
 * The best identity string for the caller: the assumed-role session ARN, the user ARN, the root ARN;
 * then whatever the identity does carry (service principals, bare account ids). Never assumes `arn`.
 */
export function actorOf(identity: unknown): string {
  if (!isObject(identity)) return "unknown";
  const arn = text(ownGet(identity, "arn"));
  if (arn !== undefined) return arn;
  const type = str(ownGet(identity, "type"));
  const accountId = text(ownGet(identity, "accountId"));
  if (type === "Root" && accountId !== undefined) return `arn:aws:iam::${accountId}:root`;
  const issuer = text(ownGet(ownGet(ownGet(identity, "sessionContext"), "sessionIssuer"), "arn"));
  return (
    issuer ??
    text(ownGet(identity, "userName")) ??
    text(ownGet(identity, "invokedBy")) ??
    text(ownGet(identity, "principalId")) ??
    accountId ??
    "unknown"
  );
}

export function actorTypeOf(identity: unknown): string {
  const type = text(ownGet(identity, "type"));
  if (type !== undefined) return type;
  // AwsServiceEvent records carry only {accountId, invokedBy}.
  return text(ownGet(identity, "invokedBy")) !== undefined ? "AWSService" : "Unknown";
}

function mfaOf(record: JsonObject, identity: unknown): boolean | undefined {
  if (record.eventName === "ConsoleLogin") {
    const used = ownGet(record.additionalEventData, "MFAUsed");
    if (used === "Yes") return true;
    if (used === "No") return false;
  }
  const flag = ownGet(ownGet(ownGet(identity, "sessionContext"), "attributes"), "mfaAuthenticated");
  if (flag === true || flag === "true") return true;
  if (flag === false || flag === "false") return false;
  return undefined;
}
