import { isObject, ownGet, type JsonObject } from "../../util/objects";
import type { Resolver } from "./intrinsics";
import type { ResolvedResource } from "./types";

/**
 * The part of the SAM transform cfn_nag models (reference §C7), so rules written for CloudFormation
 * types apply to what a SAM function creates. Only with `Transform: AWS::Serverless-2016-10-31`
 * (exactly that string), only `AWS::Serverless::Function`:
 *  - an `AWS::Lambda::Function` with the same logical id: Handler, Runtime, ReservedConcurrentExecutions
 *    and Code (from CodeUri/InlineCode), each from the function or else `Globals.Function`; Role from the
 *    function, else `GetAtt <Id>Role.Arn`. Other properties are not carried over (as in cfn_nag);
 *  - without a Role, the role `<Id>Role` (`AWS::IAM::Role`): Lambda trust policy, ManagedPolicyArns =
 *    AWSLambdaBasicExecutionRole + `arn:aws:iam::aws:policy/<name>` per string in Policies, and an inline
 *    policy `<Id>RolePolicy<n>` per map in Policies whose first key does not contain `Policy`
 *    (SAM policy templates are not expanded);
 *  - when any function has an `Api` event: ServerlessRestApi, ServerlessRestApiDeployment (StageName
 *    `Stage`, with a StageDescription.AccessLogSetting) and ServerlessRestApiProdStage (no access logging).
 * Generated resources are located at the function's `Type` line; the function and its role inherit the
 * function's Metadata (and so its suppressions), the API resources do not.
 */

export const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";
export const SAM_FUNCTION = "AWS::Serverless::Function";

const BASIC_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

export function usesSamTransform(root: JsonObject): boolean {
  return root["Transform"] === SAM_TRANSFORM;
}

export function expandSamFunctions(root: JsonObject, resources: readonly ResolvedResource[], resolver: Resolver): ResolvedResource[] {
  if (!usesSamTransform(root)) return [];
  const globalsRaw = ownGet(ownGet(root, "Globals"), "Function");
  const globals = isObject(globalsRaw) ? (resolver.resolve(globalsRaw) as JsonObject) : {};
  const out: ResolvedResource[] = [];
  let api: ResolvedResource | undefined;
  for (const fn of resources) {
    if (fn.type !== SAM_FUNCTION) continue;
    const props = fn.properties;
    const pick = (key: string): unknown => (props[key] !== undefined ? props[key] : globals[key]);
    const roleId = `${fn.logicalId}Role`;
    const lambda: JsonObject = {};
    for (const key of ["Handler", "Runtime", "ReservedConcurrentExecutions"]) {
      const value = pick(key);
      if (value !== undefined) lambda[key] = value;
    }
    const code = codeFrom(pick("CodeUri"), pick("InlineCode"));
    if (code !== undefined) lambda["Code"] = code;
    lambda["Role"] = props["Role"] !== undefined ? props["Role"] : { "Fn::GetAtt": [roleId, "Arn"] };
    out.push(generated(fn, fn.logicalId, "AWS::Lambda::Function", lambda, true));
    if (props["Role"] === undefined) out.push(generated(fn, roleId, "AWS::IAM::Role", roleProperties(roleId, props["Policies"]), true));
    if (!api && hasApiEvent(props["Events"])) {
      api = fn;
      out.push(...implicitApi(fn));
    }
  }
  return out;
}

function codeFrom(codeUri: unknown, inlineCode: unknown): unknown {
  if (inlineCode !== undefined) return { ZipFile: inlineCode };
  if (typeof codeUri === "string") {
    const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(codeUri);
    return s3 ? { S3Bucket: s3[1], S3Key: s3[2] } : codeUri;
  }
  if (isObject(codeUri)) {
    const code: JsonObject = { S3Bucket: codeUri["Bucket"], S3Key: codeUri["Key"] };
    if (codeUri["Version"] !== undefined) code["S3ObjectVersion"] = codeUri["Version"];
    return code;
  }
  return codeUri;
}

function roleProperties(roleId: string, policies: unknown): JsonObject {
  const list = policies === undefined || policies === null ? [] : Array.isArray(policies) ? policies : [policies];
  const managed: unknown[] = [BASIC_EXECUTION_ROLE];
  const inline: JsonObject[] = [];
  list.forEach((policy, i) => {
    if (typeof policy === "string") managed.push(`arn:aws:iam::aws:policy/${policy}`);
    else if (isObject(policy) && !(Object.keys(policy)[0] ?? "").includes("Policy")) {
      inline.push({ PolicyName: `${roleId}Policy${i}`, PolicyDocument: policy });
    }
  });
  return {
    AssumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com"] }, Action: ["sts:AssumeRole"] }],
    },
    ManagedPolicyArns: managed,
    ...(inline.length > 0 ? { Policies: inline } : {}),
  };
}

function hasApiEvent(events: unknown): boolean {
  return isObject(events) && Object.values(events).some((e) => isObject(e) && e["Type"] === "Api");
}

function implicitApi(fn: ResolvedResource): ResolvedResource[] {
  return [
    generated(fn, "ServerlessRestApi", "AWS::ApiGateway::RestApi", { Name: "ServerlessRestApi" }, false),
    generated(
      fn,
      "ServerlessRestApiDeployment",
      "AWS::ApiGateway::Deployment",
      {
        RestApiId: { Ref: "ServerlessRestApi" },
        StageName: "Stage",
        StageDescription: { AccessLogSetting: { DestinationArn: "", Format: "" } },
      },
      false,
    ),
    generated(
      fn,
      "ServerlessRestApiProdStage",
      "AWS::ApiGateway::Stage",
      { DeploymentId: { Ref: "ServerlessRestApiDeployment" }, RestApiId: { Ref: "ServerlessRestApi" }, StageName: "Prod" },
      false,
    ),
  ];
}

function generated(fn: ResolvedResource, logicalId: string, type: string, properties: JsonObject, inherit: boolean): ResolvedResource {
  return {
    logicalId,
    type,
    properties,
    sourceKeys: new Map(),
    suppressions: inherit ? fn.suppressions : [],
    location: fn.location,
    context: {
      logicalId,
      resourceType: type,
      parameters: fn.context.parameters,
      ...(inherit && fn.context.metadata !== undefined ? { metadata: fn.context.metadata } : {}),
    },
    generatedFrom: fn.logicalId,
  };
}
