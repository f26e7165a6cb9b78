import { readFileSync } from "node:fs";
import { UserError } from "../../util/errors";
import { isObject, isPrototypeKey } from "../../util/objects";
import type { ConditionValues, ParameterValues } from "./types";

/**
 * Parameter-values and condition-values files, in the formats cfn_nag accepts:
 *   parameters: `{"Parameters": {"Name": "value"}}` or the AWS CLI list `[{"ParameterKey": ..., "ParameterValue": ...}]`
 *   conditions: `{"CondName": true, "Other": false}` (only JSON booleans count)
 */

export function readParameterValuesFile(path: string): ParameterValues {
  return parseParameterValues(readJson(path, "parameter values"), path);
}

export function readConditionValuesFile(path: string): ConditionValues {
  return parseConditionValues(readJson(path, "condition values"), path);
}

export function parseParameterValues(value: unknown, where = "parameter values"): ParameterValues {
  const out: ParameterValues = {};
  const put = (key: unknown, v: unknown) => {
    if (typeof key !== "string" || isPrototypeKey(key) || v === undefined || v === null) return;
    out[key] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  };
  if (Array.isArray(value)) {
    value.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry["ParameterKey"] !== "string") {
        throw new UserError(`${where}: entry ${i} must be an object with a string "ParameterKey" (AWS CLI format)`);
      }
      put(entry["ParameterKey"], entry["ParameterValue"]);
    });
    return out;
  }
  if (isObject(value) && isObject(value["Parameters"])) {
    for (const [key, v] of Object.entries(value["Parameters"])) put(key, v);
    return out;
  }
  throw new UserError(
    `${where}: expected {"Parameters": {"Name": "value", ...}} or [{"ParameterKey": "Name", "ParameterValue": "value"}, ...]`,
  );
}

export function parseConditionValues(value: unknown, where = "condition values"): ConditionValues {
  if (!isObject(value)) throw new UserError(`${where}: expected a JSON object such as {"IsProduction": true}`);
  const out: ConditionValues = {};
  for (const [key, v] of Object.entries(value)) {
    // cfn_nag honours only JSON booleans; a string "false" is ignored rather than guessed at.
    if (typeof v === "boolean" && !isPrototypeKey(key)) out[key] = v;
  }
  return out;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${what} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
