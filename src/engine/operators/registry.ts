import { basicOperators } from "./basic";
import { cfnPolicyOperators } from "./cfnPolicy";
import { cfnResourceOperators } from "./cfnResource";
import { cidrOperators } from "./cidr";
import { cloudTrailOperators } from "./cloudtrail";
import { iamOperators } from "./iam";
import { portOperators } from "./ports";
import { tagOperators } from "./tags";
import { timeOperators } from "./time";
import type { Operator } from "./types";

/**
 * Every operator a rule file may name. A new kind of check is a new operator here; a new rule is
 * a new YAML file. The rule-file JSON Schema is generated from this list.
 */
export const OPERATORS: ReadonlyMap<string, Operator> = buildRegistry([
  ...basicOperators,
  ...cidrOperators,
  ...portOperators,
  ...timeOperators,
  ...iamOperators,
  ...tagOperators,
  ...cfnPolicyOperators,
  ...cfnResourceOperators,
  ...cloudTrailOperators,
]);

function buildRegistry(list: Operator[]): Map<string, Operator> {
  const map = new Map<string, Operator>();
  for (const op of list) {
    if (map.has(op.name)) throw new Error(`duplicate operator ${op.name}`);
    map.set(op.name, op);
  }
  return map;
}
