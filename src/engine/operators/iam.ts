import { toList } from "./basic";
import { OperatorValueError, valueOperator, type Operator } from "./types";

const patternCache = new Map<string, RegExp>();

/** IAM wildcard pattern (`*` any run, `?` one character) as an anchored regex. */
export function iamPattern(pattern: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? "i:" : "s:") + pattern;
  let re = patternCache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, caseInsensitive ? "is" : "s");
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(key, re);
  }
  return re;
}

/** True when some pattern in the policy (`granted`) covers the concrete `action`. IAM actions are case-insensitive. */
export function actionGranted(granted: unknown, action: string): boolean {
  return toList(granted).some((p) => typeof p === "string" && iamPattern(p, true).test(action));
}

/** ARNs are case-sensitive. */
export function resourceGranted(granted: unknown, resource: string): boolean {
  return toList(granted).some((p) => typeof p === "string" && iamPattern(p, false).test(resource));
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new OperatorValueError("expected a list of strings");
  }
  return value;
}

const stringListSchema = { type: "array", items: { type: "string" }, minItems: 1 };

export const iamOperators: Operator[] = [
  valueOperator<string[]>({
    name: "iam-action-grants",
    description:
      "An IAM Action (string or list, with * and ? wildcards) that allows at least one of the concrete actions in `value` (case-insensitive).",
    valueSchema: stringListSchema,
    prepare: stringList,
    test: (actual, actions) => actions.some((a) => actionGranted(actual, a)),
    explain: (actual, actions) => `grants ${actions.filter((a) => actionGranted(actual, a)).join(", ")}`,
  }),
  valueOperator<string[]>({
    name: "iam-resource-grants",
    description: "An IAM Resource (string or list, with wildcards) that covers at least one of the ARNs in `value`.",
    valueSchema: stringListSchema,
    prepare: stringList,
    test: (actual, arns) => arns.some((arn) => resourceGranted(actual, arn)),
  }),
];
