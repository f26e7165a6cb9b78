/**
 * Operators for the IAM-policy and secret rules of the cfn_nag rule pack (reference §A5, §A6).
 * Each mirrors one shared mechanic of cfn_nag so the rule files stay declarative.
 */
import { isObject, ownGet } from "../../util/objects";
import { scalarText, toList } from "./basic";
import { actionGranted } from "./iam";
import { OperatorValueError, valueOperator, type Operator, type OperatorContext } from "./types";

// ---------------------------------------------------------------------------------------------
// §A5 secrets

const DYNAMIC_REFERENCE_PREFIXES = ["{{resolve:secretsmanager:", "{{resolve:ssm-secure:"] as const;

/** Why a secret-bearing property is insecure; `undefined` when it is acceptable. */
export type SecretProblem =
  | { kind: "plaintext" }
  | { kind: "parameter-default"; parameter: string }
  | { kind: "parameter-echoed"; parameter: string }
  | { kind: "not-a-parameter"; target: string };

type ParameterFacts = Readonly<Record<string, { NoEcho?: unknown; Default?: unknown }>>;

function declaredParameters(context: OperatorContext | undefined): ParameterFacts {
  const subject = context?.subject;
  if (subject?.source !== "template") return {};
  return subject.context.template?.parameters ?? {};
}

/**
 * cfn_nag's classification of a secret value: a dynamic reference to Secrets Manager / SSM SecureString,
 * a `Ref` to a NoEcho parameter without a Default, `Ref: AWS::NoValue`, or any non-`Ref` intrinsic
 * (GetAtt, ImportValue) is acceptable; plain strings and other `Ref`s are not.
 */
export function secretProblem(value: unknown, parameters: ParameterFacts): SecretProblem | undefined {
  if (typeof value === "string") {
    const dynamic = DYNAMIC_REFERENCE_PREFIXES.some((p) => value.startsWith(p)) && value.endsWith("}}");
    return dynamic ? undefined : { kind: "plaintext" };
  }
  if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, "Ref")) return undefined;
  const target = value["Ref"];
  if (target === "AWS::NoValue") return undefined;
  const name = typeof target === "string" ? target : String(scalarText(target) ?? "?");
  const declared = typeof target === "string" ? ownGet(parameters, target) : undefined;
  if (!isObject(declared)) return { kind: "not-a-parameter", target: name };
  if (scalarText(declared["NoEcho"])?.toLowerCase() !== "true") return { kind: "parameter-echoed", parameter: name };
  if (declared["Default"] !== undefined && declared["Default"] !== null) return { kind: "parameter-default", parameter: name };
  return undefined;
}

function describeSecretProblem(problem: SecretProblem): string {
  switch (problem.kind) {
    case "plaintext":
      return "is written in the template (not a secretsmanager / ssm-secure dynamic reference)";
    case "parameter-default":
      return `comes from parameter ${problem.parameter}, which has a Default`;
    case "parameter-echoed":
      return `comes from parameter ${problem.parameter}, which is not NoEcho`;
    case "not-a-parameter":
      return `refers to ${problem.target}, which is not a NoEcho parameter`;
  }
}

// ---------------------------------------------------------------------------------------------
// §A6.3 element tests

/** cfn_nag's wildcard action: exactly `*`, or `<something>:*` (`s3:*`, `*:*`); `s3:Get*` is not one. */
export function isWildcardAction(value: unknown): boolean {
  return typeof value === "string" && (value === "*" || /^[\s\S]+:\*$/.test(value));
}

/**
 * cfn_nag's wildcard principal: a string containing `*`, or a map with a string value (or a list
 * element of a value) containing `*`. Non-string entries (unresolved intrinsics) are ignored.
 * A bare list (invalid IAM; cfn_nag aborts) is read like a map's value list.
 */
export function isWildcardPrincipal(principal: unknown): boolean {
  const hasStar = (v: unknown) => typeof v === "string" && v.includes("*");
  if (typeof principal === "string") return hasStar(principal);
  if (Array.isArray(principal)) return principal.some(hasStar);
  if (!isObject(principal)) return false;
  return Object.values(principal).some((v) => (Array.isArray(v) ? v.some(hasStar) : hasStar(v)));
}

/** True when every action in `required` is granted by some element of `actions` (IAM wildcard semantics). */
export function actionsGrantAll(actions: unknown, required: readonly string[]): boolean {
  const list = toList(actions);
  return required.every((action) => actionGranted(list, action));
}

// ---------------------------------------------------------------------------------------------
// §A6.5 SPCM policy complexity

const POLICY_VARIABLE = /\$\{[^}]*\}/;
const ESCAPED_LITERALS = /\$\{[$*?]\}/g;

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function actionService(action: unknown): unknown {
  if (typeof action !== "string") return action;
  return action === "*" ? "*" : action.split(":")[0];
}

function resourceService(resource: unknown): unknown {
  if (typeof resource !== "string") return resource;
  if (resource === "*") return "*";
  const parts = resource.split(":");
  return parts.length > 2 ? parts[2] : "none";
}

/** Distinct values by JSON identity (non-strings count as themselves). */
function distinct(values: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const v of values) seen.set(typeof v === "string" ? `s:${v}` : `j:${JSON.stringify(v)}`, v);
  return [...seen.values()];
}

function isStarOnly(list: unknown[]): boolean {
  return list.length === 1 && list[0] === "*";
}

function conditionScore(condition: unknown): number {
  if (!isObject(condition)) return 0;
  let score = 0;
  const operators = Object.keys(condition);
  for (const op of operators) {
    score += 2;
    if (op.startsWith("ForAllValues") || op.startsWith("ForAnyValues")) score += 2;
    if (op.endsWith("IfExists")) score += 1;
    const block = condition[op];
    if (!isObject(block)) continue;
    for (const value of Object.values(block)) {
      for (const item of asList(value)) {
        if (typeof item === "string" && POLICY_VARIABLE.test(item.replace(ESCAPED_LITERALS, ""))) score += 1;
      }
    }
  }
  if (operators.includes("Null")) score += 1;
  return score;
}

/** The SPCM score cfn_nag gives one statement (reference §A6.5). */
export function statementComplexity(statement: unknown): number {
  if (!isObject(statement)) return 0;
  let score = 1 + (statement["Effect"] === "Deny" ? 1 : 0);
  const action = asList(statement["Action"]);
  const notAction = asList(statement["NotAction"]);
  const resource = asList(statement["Resource"]);
  const notResource = asList(statement["NotResource"]);
  if (notAction.length > 0) score += 1;
  if (notResource.length > 0) score += 1;

  const actions = action.length > 0 ? action : notAction;
  const resources = resource.length > 0 ? resource : notResource;
  const actionServices = actions.map(actionService);
  const resourceServices = resources.map(resourceService);
  const notStar = (v: unknown) => v !== "*";

  const allServices = distinct([...actionServices, ...resourceServices].filter(notStar));
  score += 2 * Math.max(allServices.length - 1, 0);

  if (!isStarOnly(resources) && !isStarOnly(actions)) {
    const actionSet = distinct(actionServices.filter(notStar)).map((v) => JSON.stringify(v));
    const extra = distinct(resourceServices.filter(notStar)).filter((v) => !actionSet.includes(JSON.stringify(v)));
    score += extra.length;
  }
  if (actionServices.includes("*") && actionServices.length > 1) score += 1;
  if (resourceServices.includes("*") && resourceServices.length > 1) score += 1;
  return score + conditionScore(statement["Condition"]);
}

/** Sum over the statements (a list, or a single statement map). */
export function policyComplexity(statements: unknown): number {
  return asList(statements).reduce<number>((sum, s) => sum + statementComplexity(s), 0);
}

// ---------------------------------------------------------------------------------------------

function actionList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v.includes(":"))) {
    throw new OperatorValueError("expected a non-empty list of IAM actions (service:Action)");
  }
  return value;
}

export const cfnPolicyOperators: Operator[] = [
  valueOperator<void>({
    name: "secret-insecure",
    description:
      "A secret-bearing property that is not protected: plain text (anything but a {{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}} dynamic reference), or a Ref to a parameter that is not NoEcho or has a Default, or a Ref to anything but a parameter. Ref AWS::NoValue and other intrinsics (GetAtt, ImportValue) pass. Template subjects only (reads context.template.parameters).",
    valueSchema: null,
    test: (actual, _value, context) => secretProblem(actual, declaredParameters(context)) !== undefined,
    explain: (actual, _value, context) => {
      const problem = secretProblem(actual, declaredParameters(context));
      return problem ? describeSecretProblem(problem) : "";
    },
  }),
  valueOperator<void>({
    name: "iam-action-wildcard",
    description: "An IAM action that grants a whole service or everything: exactly `*`, or `service:*` (cfn_nag's test; `s3:Get*` is not one).",
    valueSchema: null,
    test: (actual) => isWildcardAction(actual),
    explain: (actual) => `wildcard action ${String(actual)}`,
  }),
  valueOperator<void>({
    name: "iam-principal-wildcard",
    description:
      "An IAM Principal that names everyone: a string containing `*`, or a map ({AWS|Service|Federated|CanonicalUser: ...}) with a string or list element containing `*`.",
    valueSchema: null,
    test: (actual) => isWildcardPrincipal(actual),
    explain: () => "allows a * principal",
  }),
  valueOperator<string[]>({
    name: "iam-action-grants-all",
    description:
      "An IAM Action list (string or list, with * and ? wildcards, case-insensitive) that allows every one of the concrete actions in `value`.",
    valueSchema: { type: "array", items: { type: "string" }, minItems: 1 },
    prepare: actionList,
    test: (actual, required) => actionsGrantAll(actual, required),
    explain: (_actual, required) => `grants ${required.join(", ")}`,
  }),
  valueOperator<number>({
    name: "iam-policy-complexity-gte",
    description:
      "A policy's Statement (list or single map) whose SPCM complexity score (cfn_nag's W76 metric: services, Deny/Not* elements, condition operators and policy variables) is at least `value`.",
    valueSchema: { type: "integer", minimum: 1 },
    prepare: (value) => {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new OperatorValueError("expected a positive integer threshold");
      return value;
    },
    test: (actual, threshold) => policyComplexity(actual) >= threshold,
    explain: (actual, threshold) => `scores ${policyComplexity(actual)} (threshold ${threshold})`,
  }),
];
