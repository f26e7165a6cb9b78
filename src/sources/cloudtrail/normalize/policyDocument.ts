/**
 * IAM policy documents as CloudTrail records them: a JSON string in requestParameters, a URL-encoded
 * JSON string in some responseElements (`%7B%22Statement...`), occasionally an object. Decodes all
 * three and splits the document into `Parapet::IAM::PolicyStatement` properties.
 */
import { isObject, ownGet, type JsonObject } from "../../../util/objects";
import { str } from "./shapes";

/** IAM's own limits are ≤ 131,072 characters; anything far larger is not a policy. */
const MAX_POLICY_CHARS = 1_000_000;

export type DecodedPolicy = { ok: true; document: JsonObject } | { ok: false; error: string };

export function decodePolicyDocument(raw: unknown): DecodedPolicy {
  if (isObject(raw)) return { ok: true, document: raw };
  if (typeof raw !== "string") return { ok: false, error: "policy document is missing or not a string" };
  if (raw.length > MAX_POLICY_CHARS) return { ok: false, error: `policy document is ${raw.length} characters, over the ${MAX_POLICY_CHARS} limit` };
  const trimmed = raw.trim();
  let text = trimmed;
  if (!trimmed.startsWith("{")) {
    // URL-encoded JSON. `+` stays a plus: IAM encodes spaces as %20, and `+` can be literal in conditions.
    try {
      text = decodeURIComponent(trimmed);
    } catch {
      return { ok: false, error: "policy document is neither JSON nor URL-encoded JSON" };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `policy document is not valid JSON (${(err as Error).message})` };
  }
  return isObject(parsed) ? { ok: true, document: parsed } : { ok: false, error: "policy document is not a JSON object" };
}

export type PolicyKind = "trust" | "identity" | "resource";

export interface PolicyOwner {
  kind: PolicyKind;
  /** CloudFormation type of the bearer: `AWS::IAM::User`, `AWS::IAM::Role`, `AWS::IAM::ManagedPolicy`, ... */
  ownerType: string;
  /** The bearer's id: user/role/group name (what `Ref` gives), or the managed policy ARN. */
  ownerId: string;
  policyName?: string;
}

function asList(value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Statement properties with Action/Resource etc. always lists; `Statement` may be one object or many. */
export function policyStatements(document: JsonObject, owner: PolicyOwner): Record<string, unknown>[] {
  const raw = ownGet(document, "Statement");
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: Record<string, unknown>[] = [];
  for (const statement of statements) {
    if (!isObject(statement)) continue;
    const properties: Record<string, unknown> = {
      Effect: ownGet(statement, "Effect"),
      Action: asList(ownGet(statement, "Action")),
      NotAction: asList(ownGet(statement, "NotAction")),
      Resource: asList(ownGet(statement, "Resource")),
      NotResource: asList(ownGet(statement, "NotResource")),
      Principal: ownGet(statement, "Principal"),
      NotPrincipal: ownGet(statement, "NotPrincipal"),
      Condition: ownGet(statement, "Condition"),
      Sid: str(ownGet(statement, "Sid")),
      PolicyKind: owner.kind,
      OwnerType: owner.ownerType,
      OwnerId: owner.ownerId,
      PolicyName: owner.policyName,
    };
    for (const key of Object.keys(properties)) if (properties[key] === undefined) delete properties[key];
    out.push(properties);
  }
  return out;
}
