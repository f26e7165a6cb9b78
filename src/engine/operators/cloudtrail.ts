/**
 * Operators for account-event rules: checks that read a CloudTrail request as a whole (a policy
 * document, a trail's event selectors) or compare a request field with the caller.
 */
import { isObject, ownGet, type JsonObject } from "../../util/objects";
import { valueOperator, type Operator, type OperatorContext } from "./types";

/** The IAM user name of an ARN such as `arn:aws:iam::123:user/path/alice`, or undefined for any other caller. */
export function iamUserNameOfArn(arn: string): string | undefined {
  const match = /^arn:aws[\w-]*:iam::\d*:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match?.[1];
}

/** True when `userName` names an IAM user other than the one who made the call (roles, root and federated callers always differ). */
export function namesOtherThanCaller(userName: unknown, context: OperatorContext): boolean {
  if (typeof userName !== "string" || userName === "") return false;
  const { subject } = context;
  if (subject.source !== "cloudtrail" || subject.context.event === undefined) return false;
  const caller = iamUserNameOfArn(subject.context.event.actor);
  return caller !== userName;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A policy as CloudTrail carries it: a parsed object or a JSON string. */
function policyObject(value: unknown): JsonObject | undefined {
  if (isObject(value)) return value;
  if (typeof value !== "string" || value.length > 1_000_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `*`, `{AWS: "*"}` or `{AWS: [..., "*"]}`: everyone, including anonymous callers. */
function principalIsEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  return asList(ownGet(principal, "AWS")).some((p) => p === "*");
}

function isEmptyCondition(condition: unknown): boolean {
  return condition === undefined || condition === null || (isObject(condition) && Object.keys(condition).length === 0);
}

/**
 * The statements of a resource policy that allow everyone without any condition — what AWS's own
 * public-policy evaluation would call public (a condition on source VPC, account or org makes it not).
 */
export function publicStatements(policy: unknown): JsonObject[] {
  const document = policyObject(policy);
  if (document === undefined) return [];
  return asList(ownGet(document, "Statement")).filter(
    (s): s is JsonObject =>
      isObject(s) &&
      ownGet(s, "Effect") === "Allow" &&
      principalIsEveryone(ownGet(s, "Principal")) &&
      isEmptyCondition(ownGet(s, "Condition")),
  );
}

function field(object: unknown, name: string): unknown {
  // CloudTrail spells request fields in camelCase; the API reference in PascalCase. Accept both.
  return ownGet(object, name) ?? ownGet(object, name.charAt(0).toUpperCase() + name.slice(1));
}

/** A basic event selector records management write events unless it excludes them or is read-only. */
function basicSelectorRecordsManagementWrites(selector: unknown): boolean {
  if (!isObject(selector)) return false;
  const include = field(selector, "includeManagementEvents");
  const readWrite = field(selector, "readWriteType");
  return include !== false && include !== "false" && (readWrite === undefined || readWrite === "All" || readWrite === "WriteOnly");
}

/** An advanced selector records management writes when it selects `eventCategory = Management` and does not restrict to `readOnly = true`. */
function advancedSelectorRecordsManagementWrites(selector: unknown): boolean {
  const fieldSelectors = asList(field(selector, "fieldSelectors")).filter(isObject);
  const equalsOf = (name: string): string[] =>
    fieldSelectors.filter((f) => field(f, "field") === name).flatMap((f) => asList(field(f, "equals")).map(String));
  return equalsOf("eventCategory").includes("Management") && !equalsOf("readOnly").includes("true");
}

/**
 * True when a PutEventSelectors request leaves the trail recording no management write events — the
 * API calls that change an account. Undefined when the request carries no selectors at all.
 */
export function selectorsDropManagementWrites(request: unknown): boolean | undefined {
  const basic = field(request, "eventSelectors");
  const advanced = field(request, "advancedEventSelectors");
  if (Array.isArray(advanced) && advanced.length > 0) return !advanced.some(advancedSelectorRecordsManagementWrites);
  if (Array.isArray(basic)) return !basic.some(basicSelectorRecordsManagementWrites);
  return undefined;
}

export const cloudTrailOperators: Operator[] = [
  valueOperator<undefined>({
    name: "not-caller",
    description:
      "A user name that is not the calling IAM user's own (CloudTrail subjects; a role, root or federated caller is never the user).",
    valueSchema: null,
    test: (actual, _value, context) => namesOtherThanCaller(actual, context),
    explain: (actual, _value, context) =>
      context.subject.source === "cloudtrail" ? `for ${String(actual)}, called by ${context.subject.context.event?.actor ?? "unknown"}` : "",
  }),
  valueOperator<undefined>({
    name: "policy-allows-public",
    description:
      "A resource policy (object or JSON string) with a statement that allows everyone (Principal `*` or AWS `*`) without a Condition.",
    valueSchema: null,
    test: (actual) => publicStatements(actual).length > 0,
    explain: (actual) => {
      const statements = publicStatements(actual);
      const actions = [...new Set(statements.flatMap((s) => asList(ownGet(s, "Action")).map(String)))];
      return `allows ${actions.join(", ") || "actions"} to everyone`;
    },
  }),
  valueOperator<undefined>({
    name: "selectors-drop-management-writes",
    description:
      "A PutEventSelectors request (basic or advanced selectors) after which the trail records no management write events.",
    valueSchema: null,
    test: (actual) => selectorsDropManagementWrites(actual) === true,
    explain: () => "management write events are no longer recorded",
  }),
];
