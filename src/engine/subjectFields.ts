/**
 * What a rule may name: the subject types that exist and the top-level fields of each one's
 * `properties` and `context`, so that a typo in a rule (`types: [AWS::S3::Buckett]`,
 * `{{properties.BucketNme}}`) is an error at load instead of a rule that never fires or a message
 * that always says "(none)".
 *
 * CloudFormation types and their properties come from the resource specification snapshot
 * (`data/cfn-resource-types.json`, refreshed by `npm run generate:cfn-types`); parapet's own subject
 * types and what the sources add to CloudFormation types are listed here, as docs/subjects.md
 * describes them. A source that adds a field must add it here too (test/engine/subjectFields.test.ts
 * runs the sources over real inputs and fails on any field missing from this file).
 */
import { readFileSync } from "node:fs";
import { dataFile } from "../paths";
import type { EventContext, FlowContext, TemplateContext } from "./model";
import type { EnrichedGap, EnrichedTraffic } from "../sources/flowlog/enrich";

interface ResourceTypeSnapshot {
  source: string;
  /** Type name → its property names, separated by spaces. */
  types: Record<string, string>;
}

let snapshot: ResourceTypeSnapshot | undefined;
let specTypes: Map<string, string> | undefined;
const specProperties = new Map<string, ReadonlySet<string>>();

/**
 * Type name → its property names as one string. Loaded on first use (about 10 ms): most runs (built-in
 * rules from the bundle, no `tagging` in the user's file) never need it.
 */
function resourceSpecification(): Map<string, string> {
  if (!specTypes) {
    // Read as JSON at run time rather than bundled: 240 kB that every run would otherwise parse as code.
    snapshot ??= JSON.parse(readFileSync(dataFile("cfn-resource-types.json"), "utf8")) as ResourceTypeSnapshot;
    specTypes = new Map(Object.entries(snapshot.types));
  }
  return specTypes;
}

/** A CloudFormation type's property names, split on first use of that type. */
function specPropertiesOf(type: string): ReadonlySet<string> | undefined {
  let properties = specProperties.get(type);
  if (!properties) {
    const names = resourceSpecification().get(type);
    if (names === undefined) return undefined;
    properties = new Set(names ? names.split(" ") : []);
    specProperties.set(type, properties);
  }
  return properties;
}

/** Where the CloudFormation type list came from (`@aws-cdk/aws-service-spec@<version>`), for messages and docs. */
export function resourceSpecificationSource(): string {
  resourceSpecification();
  return snapshot!.source;
}

/** `Custom::Anything` is a custom resource: CloudFormation accepts any name and any properties. */
const CUSTOM_RESOURCE = /^Custom::[A-Za-z0-9_@-]+$/;

/** Properties every tag-changing CloudTrail event gives the EC2 resource it names (CreateTags / DeleteTags). */
const TAG_CHANGES = ["AddedTags", "RemovedTags", "RemovedAllTags"] as const;

/** Security-group rules: what the template and CloudTrail sources add to CloudFormation's properties. */
const SECURITY_GROUP_RULE_EXTRAS = ["Parapet::Origin", "SecurityGroupRuleId", "SourcePrefixListId", "DestinationPrefixListId", "SourceSecurityGroupId", "DestinationSecurityGroupId"];

/** Fields the sources add to CloudFormation resource types (docs/subjects.md). */
const CLOUDFORMATION_EXTRAS: Record<string, readonly string[]> = {
  "AWS::EC2::SecurityGroupIngress": SECURITY_GROUP_RULE_EXTRAS,
  "AWS::EC2::SecurityGroupEgress": SECURITY_GROUP_RULE_EXTRAS,
  // CloudTrail RunInstances: MetadataOptions as the request gives it (a launch-template property in CloudFormation).
  "AWS::EC2::Instance": ["MetadataOptions"],
  "AWS::EC2::NetworkAclEntry": ["Parapet::OverlappingEntries"],
  "AWS::IAM::AccessKey": ["AccessKeyId", "CreatedBy", "CreatedByType", "CreatedByUserName", "CreatedForOtherUser"],
  "AWS::IAM::User": ["Arn"],
  "AWS::IAM::Role": ["Arn"],
  "AWS::IAM::ManagedPolicy": ["SetAsDefault"],
};

/** Every key of T, listed once: the compiler fails when a field is added to T and not here. */
function keysOf<T>(keys: Record<keyof T, true>): string[] {
  return Object.keys(keys);
}

const STATEMENT_FIELDS = ["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition", "Sid", "PolicyKind", "OwnerType", "OwnerId", "PolicyName"];

const FLOW_FIELDS = [
  ...keysOf<EnrichedTraffic>({
    LogStatus: true, Protocol: true, Uploaded: true, Downloaded: true, Start: true, End: true, Action: true, Client: true, Server: true,
    ProtocolNumber: true, SrcPort: true, DstPort: true, UploadedPackets: true, DownloadedPackets: true, Direction: true, ClientBy: true,
    InterfaceId: true, AccountId: true, Region: true, CrossAz: true, TcpFlags: true, TrafficPath: true, Paired: true, Lines: true, Records: true,
  }),
  ...keysOf<EnrichedGap>({ LogStatus: true, Start: true, End: true, InterfaceId: true, AccountId: true, Region: true, Interface: true, Lines: true }),
];

/** parapet's own subject types (`Parapet::...`): properties, or the CloudFormation type whose properties they carry plus extras. */
const PARAPET_TYPES: Record<string, { properties: readonly string[]; like?: string }> = {
  "Parapet::IAM::PolicyStatement": { properties: STATEMENT_FIELDS },
  "Parapet::IAM::PolicyDocument": { properties: ["Version", "Id", "Statement", "OwnerType", "OwnerId", "PolicyKind", "PolicyName"] },
  "Parapet::IAM::PolicyAttachment": { properties: ["PolicyArn", "OwnerType", "OwnerId", "Attached"] },
  "Parapet::CloudTrail::ApiCall": {
    properties: [
      "eventName", "eventSource", "eventType", "readOnly", "userIdentity", "requestParameters", "responseElements",
      "additionalEventData", "errorCode", "errorMessage", "recipientAccountId", "sourceIPAddress", "userAgent",
    ],
  },
  "Parapet::CloudTrail::ConsoleLogin": { properties: ["Result", "MFAUsed", "LoginTo", "UserType", "UserName"] },
  "Parapet::VPC::Flow": { properties: FLOW_FIELDS },
  "Parapet::EC2::LinkedNetworkAclEntry": {
    like: "AWS::EC2::NetworkAclEntry",
    properties: ["Parapet::NetworkAcl", "Parapet::Side", "Parapet::DuplicateRuleNumber", "Parapet::OverlappingEntries"],
  },
  "Parapet::EC2::StandaloneSecurityGroupIngress": { like: "AWS::EC2::SecurityGroupIngress", properties: [] },
  "Parapet::EC2::StandaloneSecurityGroupEgress": { like: "AWS::EC2::SecurityGroupEgress", properties: [] },
  "Parapet::EC2::SecurityGroupRule": { properties: TAG_CHANGES },
  "Parapet::EC2::Image": { properties: TAG_CHANGES },
  "Parapet::EC2::Snapshot": { properties: TAG_CHANGES },
  "Parapet::EC2::Resource": { properties: TAG_CHANGES },
  "Parapet::Template::Problem": { properties: ["Message", "Severity"] },
  "Parapet::Template::Suppression": { properties: ["Rule", "Reason", "RuleKnown"] },
};

/** `context.<source part>.<field>`: what each source puts in a subject's context. */
export const CONTEXT_FIELDS: Record<string, readonly string[]> = {
  template: keysOf<TemplateContext>({ logicalId: true, resourceType: true, parameters: true, metadata: true }),
  event: keysOf<EventContext>({
    eventId: true, eventName: true, eventSource: true, eventTime: true, awsRegion: true, accountId: true, actor: true, actorType: true,
    sourceIPAddress: true, userAgent: true, errorCode: true, errorMessage: true, mfaAuthenticated: true, requestExcerpt: true,
  }),
  flow: keysOf<FlowContext>({ interfaceId: true, accountId: true, region: true, start: true, end: true, action: true, logStatus: true, observation: true }),
};

/** Top-level fields of every subject (src/engine/model.ts `Subject`). */
export const SUBJECT_FIELDS = ["type", "id", "source", "properties", "context", "location"] as const;

/** True for a type a rule can name: CloudFormation's (including SAM's), `Custom::...`, parapet's own. */
export function isKnownSubjectType(type: string): boolean {
  return type in PARAPET_TYPES || CUSTOM_RESOURCE.test(type) || resourceSpecification().has(type);
}

/** Every type name a rule can name, for "did you mean" suggestions. */
export function knownSubjectTypes(): string[] {
  return [...resourceSpecification().keys(), ...Object.keys(PARAPET_TYPES)];
}

/** True for a CloudFormation resource type (configuration names only these: `tagging.resourceTypes`). */
export function isCloudFormationType(type: string): boolean {
  return CUSTOM_RESOURCE.test(type) || resourceSpecification().has(type);
}

export function cloudFormationTypes(): string[] {
  return [...resourceSpecification().keys()];
}

/** Top-level property names subjects of this type can carry; undefined when any name may occur (custom resources). */
export function propertiesOf(type: string): ReadonlySet<string> | undefined {
  if (CUSTOM_RESOURCE.test(type)) return undefined;
  const own = PARAPET_TYPES[type];
  const base = own ? (own.like ? specPropertiesOf(own.like) : undefined) : specPropertiesOf(type);
  if (!own && !base) return undefined;
  const extras = own ? own.properties : [...(CLOUDFORMATION_EXTRAS[type] ?? []), ...(isTaggedByCloudTrail(type) ? TAG_CHANGES : [])];
  return new Set([...(base ?? []), ...extras]);
}

/** EC2 resources CloudTrail's CreateTags / DeleteTags name (by id prefix): they get AddedTags / RemovedTags. */
function isTaggedByCloudTrail(type: string): boolean {
  return type.startsWith("AWS::EC2::");
}
