import type { PathSegment } from "../../parse/pointer";
import { isObject, ownGet, type JsonObject } from "../../util/objects";
import type { Deriver, TemplateSubject } from "./subjects";
import type { ResolvedResource } from "./types";

/**
 * IAM-style policy documents (reference §A6) as subjects:
 *  - `Parapet::IAM::PolicyDocument`: one per document, for whole-document rules (W76 complexity);
 *  - `Parapet::IAM::PolicyStatement`: one per statement, Action/NotAction/Resource/NotResource as lists.
 * Both carry OwnerType (the bearer's resource type), OwnerId (its logical id), PolicyKind and, where the
 * policy has one, PolicyName. Documents are read after intrinsic resolution, so `Fn::If` has been applied.
 */

export const POLICY_DOCUMENT = "Parapet::IAM::PolicyDocument";
export const POLICY_STATEMENT = "Parapet::IAM::PolicyStatement";

/**
 * `trust`: a role's AssumeRolePolicyDocument. `identity`: role inline policies, IAM Policy/ManagedPolicy.
 * `resource`: policies attached to a resource (bucket, queue, topic, key, ...). `iot`: IoT policies.
 * `user-group`: inline policies of IAM users and groups (cfn_nag analyses none of their content).
 */
export type PolicyKind = "trust" | "identity" | "resource" | "iot" | "user-group";

interface DocumentSite {
  /** Path below Properties (resolved names). */
  path: PathSegment[];
  document: unknown;
  kind: PolicyKind;
  policyName?: unknown;
}

/** Single-document bearers: resource type -> [property, kind, property holding the policy's name]. */
const SINGLE_DOCUMENT: Readonly<Record<string, readonly [string, PolicyKind, string?]>> = {
  "AWS::IAM::Policy": ["PolicyDocument", "identity", "PolicyName"],
  "AWS::IAM::ManagedPolicy": ["PolicyDocument", "identity", "ManagedPolicyName"],
  "AWS::S3::BucketPolicy": ["PolicyDocument", "resource"],
  "AWS::SQS::QueuePolicy": ["PolicyDocument", "resource"],
  "AWS::SNS::TopicPolicy": ["PolicyDocument", "resource"],
  "AWS::KMS::Key": ["KeyPolicy", "resource"],
  "AWS::IoT::Policy": ["PolicyDocument", "iot", "PolicyName"],
  // Further resource policies cfn_nag does not read; rules select them by OwnerType.
  "AWS::ECR::Repository": ["RepositoryPolicyText", "resource"],
  "AWS::SecretsManager::ResourcePolicy": ["ResourcePolicy", "resource"],
  "AWS::Elasticsearch::Domain": ["AccessPolicies", "resource"],
  "AWS::OpenSearchService::Domain": ["AccessPolicies", "resource"],
  "AWS::S3::AccessPoint": ["Policy", "resource"],
  "AWS::EFS::FileSystem": ["FileSystemPolicy", "resource"],
};

const INLINE_POLICY_KIND: Readonly<Record<string, PolicyKind>> = {
  "AWS::IAM::Role": "identity",
  "AWS::IAM::User": "user-group",
  "AWS::IAM::Group": "user-group",
};

const LIST_KEYS = ["Action", "NotAction", "Resource", "NotResource"] as const;

function documentSites(resource: ResolvedResource): DocumentSite[] {
  const props = resource.properties;
  const sites: DocumentSite[] = [];
  const single = SINGLE_DOCUMENT[resource.type];
  if (single) {
    const [property, kind, nameProperty] = single;
    if (props[property] !== undefined) {
      sites.push({ path: [property], document: props[property], kind, policyName: nameProperty ? props[nameProperty] : undefined });
    }
  }
  if (resource.type === "AWS::IAM::Role" && props["AssumeRolePolicyDocument"] !== undefined) {
    sites.push({ path: ["AssumeRolePolicyDocument"], document: props["AssumeRolePolicyDocument"], kind: "trust" });
  }
  const inlineKind = INLINE_POLICY_KIND[resource.type];
  const policies = props["Policies"];
  if (inlineKind && Array.isArray(policies)) {
    policies.forEach((policy, i) => {
      // cfn_nag ignores inline policies without a PolicyName entirely.
      if (!isObject(policy) || !Object.prototype.hasOwnProperty.call(policy, "PolicyName")) return;
      sites.push({ path: ["Policies", i, "PolicyDocument"], document: policy["PolicyDocument"], kind: inlineKind, policyName: policy["PolicyName"] });
    });
  }
  return sites;
}

export function policySubjects(resource: ResolvedResource, derive: Deriver): TemplateSubject[] {
  const out: TemplateSubject[] = [];
  for (const site of documentSites(resource)) {
    // A document written as a JSON string yields no statements (as in cfn_nag).
    if (!isObject(site.document)) continue;
    const owner: JsonObject = {
      OwnerType: resource.type,
      OwnerId: resource.logicalId,
      PolicyKind: site.kind,
      ...(site.policyName !== undefined && site.policyName !== null ? { PolicyName: site.policyName } : {}),
    };
    const statements = statementsOf(site.document);
    out.push(
      derive(resource, {
        type: POLICY_DOCUMENT,
        properties: { ...site.document, Statement: statements.map((s) => s.statement), ...owner },
        propertyPath: site.path,
      }),
    );
    for (const { statement, path } of statements) {
      out.push(
        derive(resource, {
          type: POLICY_STATEMENT,
          properties: { ...statement, ...owner },
          propertyPath: [...site.path, ...path],
        }),
      );
    }
  }
  return out;
}

/** `Statement` may be one map or a list; non-map elements are skipped. */
function statementsOf(document: JsonObject): Array<{ statement: JsonObject; path: PathSegment[] }> {
  const raw = ownGet(document, "Statement");
  if (isObject(raw)) return [{ statement: normalizeStatement(raw), path: ["Statement"] }];
  if (!Array.isArray(raw)) return [];
  const out: Array<{ statement: JsonObject; path: PathSegment[] }> = [];
  raw.forEach((item, i) => {
    if (isObject(item)) out.push({ statement: normalizeStatement(item), path: ["Statement", i] });
  });
  return out;
}

/** Action/NotAction/Resource/NotResource always lists when present (a single value becomes a one-element list). */
export function normalizeStatement(statement: JsonObject): JsonObject {
  const out: JsonObject = { ...statement };
  for (const key of LIST_KEYS) {
    const value = out[key];
    if (value === undefined || value === null) delete out[key];
    else if (!Array.isArray(value)) out[key] = [value];
  }
  return out;
}
