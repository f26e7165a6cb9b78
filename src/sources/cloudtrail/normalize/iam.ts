/**
 * IAM writes → CloudFormation-shaped IAM subjects plus one `Parapet::IAM::PolicyStatement` per statement
 * of every policy document the call put in place. Users, roles and groups are identified by name (what
 * `Ref` returns in a template), managed policies by ARN, access keys by key id.
 */
import { ownGet } from "../../../util/objects";
import { decodePolicyDocument, policyStatements, type PolicyOwner } from "./policyDocument";
import { cfnTags, defined, num, str, text } from "./shapes";
import type { NormalizeInput, NormalizerEntry, SubjectSink } from "./types";

const IAM = "iam.amazonaws.com";
const STATEMENT = "Parapet::IAM::PolicyStatement";

type Principal = "user" | "role" | "group";
const PRINCIPAL: Record<Principal, { type: string; nameKey: string; cfnName: string }> = {
  user: { type: "AWS::IAM::User", nameKey: "userName", cfnName: "UserName" },
  role: { type: "AWS::IAM::Role", nameKey: "roleName", cfnName: "RoleName" },
  group: { type: "AWS::IAM::Group", nameKey: "groupName", cfnName: "GroupName" },
};

/** Decodes a document and emits its statements; returns the decoded document (or undefined). */
function emitStatements(raw: unknown, owner: PolicyOwner, sink: SubjectSink): unknown {
  const decoded = decodePolicyDocument(raw);
  if (!decoded.ok) {
    sink.problem(`${owner.ownerType} ${owner.ownerId}: ${decoded.error}`);
    return undefined;
  }
  for (const statement of policyStatements(decoded.document, owner)) sink.emit(STATEMENT, owner.ownerId, statement);
  return decoded.document;
}

/** PutUserPolicy / PutRolePolicy / PutGroupPolicy → `AWS::IAM::<X>Policy` + statements. */
function putInlinePolicy(principal: Principal) {
  const { type, nameKey, cfnName } = PRINCIPAL[principal];
  const policyType = `${type}Policy`;
  return ({ requestParameters }: NormalizeInput, sink: SubjectSink): void => {
    const owner = text(ownGet(requestParameters, nameKey));
    const policyName = str(ownGet(requestParameters, "policyName"));
    if (owner === undefined) return sink.problem(`request has no ${nameKey}`);
    const document = emitStatements(
      ownGet(requestParameters, "policyDocument"),
      { kind: "identity", ownerType: type, ownerId: owner, policyName },
      sink,
    );
    if (document !== undefined) {
      sink.emit(policyType, `${owner}/${policyName ?? ""}`, defined({ [cfnName]: owner, PolicyName: policyName, PolicyDocument: document }));
    }
  };
}

/**
 * Attach/Detach<X>Policy → `Parapet::IAM::PolicyAttachment` (both directions, so "admin policy attached"
 * and "policy detached" are plain data rules), and on attach the bearer with its `ManagedPolicyArns`.
 */
function managedPolicyAttachment(principal: Principal, attached: boolean) {
  const { type, nameKey, cfnName } = PRINCIPAL[principal];
  return ({ requestParameters }: NormalizeInput, sink: SubjectSink): void => {
    const owner = text(ownGet(requestParameters, nameKey));
    const policyArn = str(ownGet(requestParameters, "policyArn"));
    if (owner === undefined) return sink.problem(`request has no ${nameKey}`);
    sink.emit(
      "Parapet::IAM::PolicyAttachment",
      owner,
      defined({ PolicyArn: policyArn, OwnerType: type, OwnerId: owner, Attached: attached }),
    );
    if (attached && policyArn !== undefined) sink.emit(type, owner, { [cfnName]: owner, ManagedPolicyArns: [policyArn] });
  };
}

function createUser({ requestParameters, responseElements }: NormalizeInput, sink: SubjectSink): void {
  const user = ownGet(responseElements, "user");
  const name = text(ownGet(user, "userName")) ?? text(ownGet(requestParameters, "userName"));
  if (name === undefined) return sink.problem("CreateUser names no user");
  sink.emit(
    "AWS::IAM::User",
    name,
    defined({
      UserName: name,
      Path: str(ownGet(user, "path")) ?? str(ownGet(requestParameters, "path")),
      Arn: str(ownGet(user, "arn")),
      PermissionsBoundary: str(ownGet(requestParameters, "permissionsBoundary")),
      Tags: cfnTags(ownGet(requestParameters, "tags") ?? ownGet(user, "tags")),
    }),
  );
}

/** CreateAccessKey: who the key is for, and who made it (a key made for someone else is a classic backdoor). */
function createAccessKey({ requestParameters, responseElements, record, event }: NormalizeInput, sink: SubjectSink): void {
  const key = ownGet(responseElements, "accessKey");
  const keyId = text(ownGet(key, "accessKeyId"));
  // Without userName the caller made a key for itself.
  const identity = ownGet(record, "userIdentity");
  const callerName = text(ownGet(identity, "userName"));
  const userName = text(ownGet(key, "userName")) ?? text(ownGet(requestParameters, "userName")) ?? callerName;
  if (keyId === undefined && userName === undefined) return sink.problem("CreateAccessKey names no key or user");
  sink.emit(
    "AWS::IAM::AccessKey",
    keyId ?? `${userName}/new-access-key`,
    defined({
      UserName: userName,
      Status: str(ownGet(key, "status")),
      AccessKeyId: keyId,
      CreatedBy: event.actor,
      CreatedByType: event.actorType,
      CreatedByUserName: callerName,
      // True only when the caller is an IAM user other than the key's owner (roles and root are not users).
      CreatedForOtherUser: event.actorType === "IAMUser" && userName !== undefined ? userName !== callerName : undefined,
    }),
  );
}

/** Create/UpdateLoginProfile → the user with its `LoginProfile` (console password). */
function loginProfile({ requestParameters, responseElements }: NormalizeInput, sink: SubjectSink): void {
  const profile = ownGet(responseElements, "loginProfile");
  const name = text(ownGet(profile, "userName")) ?? text(ownGet(requestParameters, "userName"));
  if (name === undefined) return sink.problem("login profile change names no user");
  const reset = ownGet(requestParameters, "passwordResetRequired") ?? ownGet(profile, "passwordResetRequired");
  sink.emit("AWS::IAM::User", name, {
    UserName: name,
    LoginProfile: defined({ PasswordResetRequired: typeof reset === "boolean" ? reset : undefined }),
  });
}

function createRole({ requestParameters, responseElements }: NormalizeInput, sink: SubjectSink): void {
  const role = ownGet(responseElements, "role");
  const name = text(ownGet(requestParameters, "roleName")) ?? text(ownGet(role, "roleName"));
  if (name === undefined) return sink.problem("CreateRole names no role");
  // The request's copy is a JSON string; the response's is URL-encoded. Either will do.
  const trust = emitStatements(
    ownGet(requestParameters, "assumeRolePolicyDocument") ?? ownGet(role, "assumeRolePolicyDocument"),
    { kind: "trust", ownerType: "AWS::IAM::Role", ownerId: name },
    sink,
  );
  sink.emit(
    "AWS::IAM::Role",
    name,
    defined({
      RoleName: name,
      Path: str(ownGet(requestParameters, "path")),
      Arn: str(ownGet(role, "arn")),
      AssumeRolePolicyDocument: trust,
      MaxSessionDuration: num(ownGet(requestParameters, "maxSessionDuration")),
      Description: str(ownGet(requestParameters, "description")),
      PermissionsBoundary: str(ownGet(requestParameters, "permissionsBoundary")),
      Tags: cfnTags(ownGet(requestParameters, "tags")),
    }),
  );
}

function updateAssumeRolePolicy({ requestParameters }: NormalizeInput, sink: SubjectSink): void {
  const name = text(ownGet(requestParameters, "roleName"));
  if (name === undefined) return sink.problem("UpdateAssumeRolePolicy names no role");
  const trust = emitStatements(
    ownGet(requestParameters, "policyDocument"),
    { kind: "trust", ownerType: "AWS::IAM::Role", ownerId: name },
    sink,
  );
  if (trust !== undefined) sink.emit("AWS::IAM::Role", name, { RoleName: name, AssumeRolePolicyDocument: trust });
}

function createPolicy({ requestParameters, responseElements }: NormalizeInput, sink: SubjectSink): void {
  const policy = ownGet(responseElements, "policy");
  const name = str(ownGet(requestParameters, "policyName")) ?? str(ownGet(policy, "policyName"));
  const arn = text(ownGet(policy, "arn")) ?? name;
  if (arn === undefined) return sink.problem("CreatePolicy names no policy");
  const document = emitStatements(
    ownGet(requestParameters, "policyDocument"),
    { kind: "identity", ownerType: "AWS::IAM::ManagedPolicy", ownerId: arn, policyName: name },
    sink,
  );
  sink.emit(
    "AWS::IAM::ManagedPolicy",
    arn,
    defined({
      ManagedPolicyName: name,
      Path: str(ownGet(requestParameters, "path")),
      Description: str(ownGet(requestParameters, "description")),
      PolicyDocument: document,
    }),
  );
}

function createPolicyVersion({ requestParameters }: NormalizeInput, sink: SubjectSink): void {
  const arn = text(ownGet(requestParameters, "policyArn"));
  if (arn === undefined) return sink.problem("CreatePolicyVersion names no policyArn");
  const document = emitStatements(
    ownGet(requestParameters, "policyDocument"),
    { kind: "identity", ownerType: "AWS::IAM::ManagedPolicy", ownerId: arn },
    sink,
  );
  if (document !== undefined) {
    sink.emit(
      "AWS::IAM::ManagedPolicy",
      arn,
      defined({ PolicyDocument: document, SetAsDefault: ownGet(requestParameters, "setAsDefault") === true }),
    );
  }
}

function entry(eventName: string, normalize: NormalizerEntry["normalize"]): NormalizerEntry {
  return { eventSource: IAM, eventName, normalize };
}

export const iamNormalizers: NormalizerEntry[] = [
  entry("CreateUser", createUser),
  entry("CreateAccessKey", createAccessKey),
  entry("CreateLoginProfile", loginProfile),
  entry("UpdateLoginProfile", loginProfile),
  entry("PutUserPolicy", putInlinePolicy("user")),
  entry("PutRolePolicy", putInlinePolicy("role")),
  entry("PutGroupPolicy", putInlinePolicy("group")),
  entry("AttachUserPolicy", managedPolicyAttachment("user", true)),
  entry("AttachRolePolicy", managedPolicyAttachment("role", true)),
  entry("AttachGroupPolicy", managedPolicyAttachment("group", true)),
  entry("DetachUserPolicy", managedPolicyAttachment("user", false)),
  entry("DetachRolePolicy", managedPolicyAttachment("role", false)),
  entry("DetachGroupPolicy", managedPolicyAttachment("group", false)),
  entry("CreateRole", createRole),
  entry("UpdateAssumeRolePolicy", updateAssumeRolePolicy),
  entry("CreatePolicy", createPolicy),
  entry("CreatePolicyVersion", createPolicyVersion),
];
