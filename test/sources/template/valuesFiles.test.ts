import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConditionValuesFile, readParameterValuesFile } from "../../../src/sources/template";
import { UserError } from "../../../src/util/errors";

const dir = mkdtempSync(join(tmpdir(), "parapet-values-"));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("parameter-values files", () => {
  test("cfn_nag's {Parameters: {...}} form; values become strings", () => {
    expect(readParameterValuesFile(file("p1.json", '{"Parameters": {"A": "x", "B": 5, "C": true}, "Other": 1}'))).toEqual({ A: "x", B: "5", C: "true" });
  });

  test("the AWS CLI [{ParameterKey, ParameterValue}] form, extra keys ignored", () => {
    const path = file("p2.json", '[{"ParameterKey": "AWS::Region", "ParameterValue": "eu-west-1", "UsePreviousValue": false}, {"ParameterKey": "B", "ParameterValue": "y"}]');
    expect(readParameterValuesFile(path)).toEqual({ "AWS::Region": "eu-west-1", B: "y" });
  });

  test("__proto__ entries do nothing", () => {
    const values = readParameterValuesFile(file("p3.json", '{"Parameters": {"__proto__": {"polluted": 1}, "A": "x"}}'));
    expect(values).toEqual({ A: "x" });
    expect(({} as any).polluted).toBeUndefined();
  });

  test.each([
    ["wrong shape", '{"A": "x"}', /expected \{"Parameters"/],
    ["list entry without ParameterKey", '[{"ParameterValue": "x"}]', /entry 0 .*ParameterKey/],
    ["invalid JSON", '{"Parameters": {', /not valid JSON/],
  ])("%s is a UserError naming the file", (_name, content, message) => {
    const path = file(`bad-${_name.replace(/\W/g, "")}.json`, content);
    expect(() => readParameterValuesFile(path)).toThrow(UserError);
    expect(() => readParameterValuesFile(path)).toThrow(message);
    expect(() => readParameterValuesFile(path)).toThrow(path);
  });

  test("a missing file is a UserError", () => {
    expect(() => readParameterValuesFile(join(dir, "nope.json"))).toThrow(/cannot read parameter values file .*nope.json: ENOENT/);
  });
});

describe("condition-values files", () => {
  test("only JSON booleans count", () => {
    expect(readConditionValuesFile(file("c1.json", '{"A": true, "B": false, "C": "false", "D": 0}'))).toEqual({ A: true, B: false });
  });

  test("a non-object is a UserError", () => {
    const path = file("c2.json", "[true]");
    expect(() => readConditionValuesFile(path)).toThrow(UserError);
    expect(() => readConditionValuesFile(path)).toThrow(/expected a JSON object/);
  });
});
