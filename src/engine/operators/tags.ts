import { isObject } from "../../util/objects";
import { scalarText } from "./basic";
import { OperatorValueError, valueOperator, type Operator, type OperatorContext } from "./types";

export interface TagRequirement {
  key: string;
  allowedValues?: ReadonlySet<string>;
  pattern?: RegExp;
}

export interface TagPolicy {
  required: TagRequirement[];
  byType: ReadonlyMap<string, TagRequirement[]>;
}

/** Tags as CloudFormation writes them (`[{Key, Value}]`) or as a plain map (SAM, SSM) → Map. */
export function tagMap(tags: unknown): Map<string, string | undefined | typeof UNKNOWN_VALUE> {
  const map = new Map<string, string | undefined | typeof UNKNOWN_VALUE>();
  const valueOf = (v: unknown) => (isObject(v) || Array.isArray(v) ? UNKNOWN_VALUE : scalarText(v));
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (isObject(tag) && typeof tag.Key === "string") map.set(tag.Key, valueOf(tag.Value));
    }
  } else if (isObject(tags)) {
    for (const [key, value] of Object.entries(tags)) map.set(key, valueOf(value));
  }
  return map;
}

function parseRequirements(list: unknown, where: string): TagRequirement[] {
  if (!Array.isArray(list)) throw new OperatorValueError(`${where} must be a list of {key, allowedValues?, pattern?}`);
  return list.map((item) => {
    if (!isObject(item) || typeof item.key !== "string") throw new OperatorValueError(`${where} entries need a key`);
    let pattern: RegExp | undefined;
    if (typeof item.pattern === "string") {
      try {
        pattern = new RegExp(item.pattern, "u");
      } catch (err) {
        throw new OperatorValueError(`tag ${item.key}: invalid pattern: ${(err as Error).message}`);
      }
    }
    return {
      key: item.key,
      allowedValues: Array.isArray(item.allowedValues) ? new Set(item.allowedValues.map(String)) : undefined,
      pattern,
    };
  });
}

export function parseTagPolicy(value: unknown): TagPolicy {
  if (!isObject(value)) throw new OperatorValueError("expected the tagging configuration {required, byType}");
  const byType = new Map<string, TagRequirement[]>();
  if (isObject(value.byType)) {
    for (const [type, list] of Object.entries(value.byType)) byType.set(type, parseRequirements(list, `byType.${type}`));
  }
  return { required: parseRequirements(value.required ?? [], "required"), byType };
}

function requirementsFor(policy: TagPolicy, context: OperatorContext): TagRequirement[] {
  const extra = policy.byType.get(context.subject.type);
  return extra ? [...policy.required, ...extra] : policy.required;
}

/** A tag whose value is an unresolved intrinsic (`!Ref Environment`): present, value unknown. */
export const UNKNOWN_VALUE = Symbol("unknown tag value");

function valueProblem(req: TagRequirement, value: string | undefined | typeof UNKNOWN_VALUE): string | undefined {
  if (value === UNKNOWN_VALUE) return undefined; // cannot judge a value we cannot see

  if (req.allowedValues && (value === undefined || !req.allowedValues.has(value))) {
    return `${req.key}=${value ?? ""} (allowed: ${[...req.allowedValues].join(", ")})`;
  }
  if (req.pattern && (value === undefined || !req.pattern.test(value))) return `${req.key}=${value ?? ""} (must match ${req.pattern.source})`;
  return undefined;
}

/** Missing keys and bad values of a resource's tags against the policy for its type. */
export function tagProblems(tags: unknown, policy: TagPolicy, context: OperatorContext): { missing: string[]; invalid: string[] } {
  const map = tagMap(tags);
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const req of requirementsFor(policy, context)) {
    if (!map.has(req.key)) {
      missing.push(req.key);
      continue;
    }
    const problem = valueProblem(req, map.get(req.key));
    if (problem) invalid.push(problem);
  }
  return { missing, invalid };
}

/** The operator reads `Tags` from the properties object, so a resource without a Tags property counts as untagged. */
function tagsOf(actual: unknown): unknown {
  return isObject(actual) && "Tags" in actual ? actual.Tags : actual;
}

const policySchema = { type: "object" };

export const tagOperators: Operator[] = [
  valueOperator<TagPolicy>({
    name: "tags-missing-required",
    description:
      "Applied to `properties`: the resource lacks a required tag, or a required tag has a value that is not allowed. `value` is the tagging configuration.",
    valueSchema: policySchema,
    prepare: parseTagPolicy,
    test: (actual, policy, context) => {
      const { missing, invalid } = tagProblems(tagsOf(actual), policy, context);
      return missing.length > 0 || invalid.length > 0;
    },
    explain: (actual, policy, context) => {
      const { missing, invalid } = tagProblems(tagsOf(actual), policy, context);
      const parts = [];
      if (missing.length) parts.push(`missing ${missing.join(", ")}`);
      if (invalid.length) parts.push(`invalid ${invalid.join("; ")}`);
      return parts.join("; ");
    },
  }),
  valueOperator<TagPolicy>({
    name: "tags-remove-required",
    description: "A list of removed tags ({Key}) that includes a tag required for the subject's type.",
    valueSchema: policySchema,
    prepare: parseTagPolicy,
    test: (actual, policy, context) => removedRequired(actual, policy, context).length > 0,
    explain: (actual, policy, context) => `removed ${removedRequired(actual, policy, context).join(", ")}`,
  }),
  valueOperator<TagPolicy>({
    name: "tags-invalid-values",
    description: "A list of tags ({Key, Value}) that sets a required tag to a value that is not allowed.",
    valueSchema: policySchema,
    prepare: parseTagPolicy,
    test: (actual, policy, context) => invalidValues(actual, policy, context).length > 0,
    explain: (actual, policy, context) => `invalid ${invalidValues(actual, policy, context).join("; ")}`,
  }),
];

function removedRequired(actual: unknown, policy: TagPolicy, context: OperatorContext): string[] {
  const removed = tagMap(actual);
  return requirementsFor(policy, context)
    .map((r) => r.key)
    .filter((key) => removed.has(key));
}

function invalidValues(actual: unknown, policy: TagPolicy, context: OperatorContext): string[] {
  const tags = tagMap(actual);
  const out: string[] = [];
  for (const req of requirementsFor(policy, context)) {
    if (!tags.has(req.key)) continue;
    const problem = valueProblem(req, tags.get(req.key));
    if (problem) out.push(problem);
  }
  return out;
}
