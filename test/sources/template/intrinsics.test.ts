import { propsOf, subjectsOf } from "./helpers";
import type { TemplateOptions } from "../../../src/sources/template/types";

const HEADER = `
Parameters:
  CidrParam: {Type: String, Default: 0.0.0.0/0}
  NoDefault: {Type: String}
  NumberParam: {Type: Number, Default: 5}
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Mappings:
  RegionMap:
    us-east-1: {Ami: ami-east}
    eu-west-1: {Ami: ami-west}
  EnvMap:
    prod: {Size: 10}
`;

/** Resolved `Properties` of a single `Custom::T` resource whose properties are `body`. */
function resolved(body: string, options: TemplateOptions = {}): Record<string, unknown> {
  const text = `${HEADER}Resources:\n  R:\n    Type: Custom::T\n    Properties:\n${body
    .trim()
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n")}\n`;
  return propsOf(subjectsOf(text, options), "Custom::T");
}

const WITH_VALUES: TemplateOptions = { parameterValues: {} };

describe("Ref (§A2, §C3)", () => {
  test("parameters stay unresolved without parameter values; Defaults are not used", () => {
    expect(resolved("A: !Ref CidrParam\nB: !Ref AWS::Region\nC: !Ref AWS::NoValue\nD: !Ref SomeResource")).toEqual({
      A: { Ref: "CidrParam" },
      B: { Ref: "AWS::Region" },
      C: { Ref: "AWS::NoValue" },
      D: { Ref: "SomeResource" },
    });
  });

  test("with parameter values: file value, else Default (as a string), else unchanged; pseudo parameters defined", () => {
    const props = resolved(
      "A: !Ref CidrParam\nB: !Ref NoDefault\nC: !Ref NumberParam\nD: !Ref AWS::Region\nE: !Ref AWS::Partition\nF: !Ref AWS::NoValue\nG: !Ref SomeResource\nH: !Ref AWS::AccountId",
      { parameterValues: { CidrParam: "10.0.0.0/8", "AWS::Region": "eu-west-1" } },
    );
    expect(props).toEqual({
      A: "10.0.0.0/8",
      B: { Ref: "NoDefault" },
      C: "5",
      D: "eu-west-1",
      E: "aws",
      F: { Ref: "AWS::NoValue" },
      G: { Ref: "SomeResource" },
      H: "111111111111",
    });
  });

  test("an empty parameter-values file switches Defaults on", () => {
    expect(resolved("A: !Ref CidrParam", WITH_VALUES)).toEqual({ A: "0.0.0.0/0" });
  });
});

describe("Fn::If (§C4)", () => {
  test("declared conditions are true by default, undeclared ones false, at any depth", () => {
    expect(resolved("A: !If [IsDev, yes-branch, no-branch]\nB: [1, !If [Nope, x, y]]\nC: {D: {E: !If [IsProd, !Ref AWS::NoValue, z]}}")).toEqual({
      A: "yes-branch",
      B: [1, "y"],
      C: { D: { E: { Ref: "AWS::NoValue" } } },
    });
  });

  test("a condition-values file overrides declared conditions", () => {
    expect(resolved("A: !If [IsProd, t, f]\nB: !If [IsDev, t, f]", { conditionValues: { IsProd: false } })).toEqual({ A: "f", B: "t" });
  });

  test("a properties-level Fn::If is merged into the properties", () => {
    expect(resolved("Fn::If: [IsProd, {A: 1, B: 2}, {C: 3}]\nD: 4")).toEqual({ A: 1, B: 2, D: 4 });
    expect(resolved("Fn::If: [IsProd, {A: 1}, {C: 3}]\nD: 4", { conditionValues: { IsProd: false } })).toEqual({ C: 3, D: 4 });
  });

  test("Fn::Transform keys inside Properties are ignored", () => {
    expect(resolved("Fn::Transform: {Name: AWS::Include}\nA: 1")).toEqual({ A: 1 });
  });
});

describe("other functions (§A2)", () => {
  test("FindInMap resolves literal keys and keys that resolve; otherwise stays", () => {
    expect(resolved("A: !FindInMap [EnvMap, prod, Size]\nB: !FindInMap [RegionMap, !Ref AWS::Region, Ami]\nC: !FindInMap [EnvMap, nope, Size]")).toEqual({
      A: 10,
      B: { "Fn::FindInMap": ["RegionMap", { Ref: "AWS::Region" }, "Ami"] },
      C: { "Fn::FindInMap": ["EnvMap", "nope", "Size"] },
    });
    expect(resolved("B: !FindInMap [RegionMap, !Ref AWS::Region, Ami]\nE: !FindInMap [EnvMap, !Ref Env, Size]", WITH_VALUES)).toEqual({
      B: "ami-east",
      E: 10,
    });
  });

  test("Sub replaces what resolves and keeps the rest as literal text", () => {
    expect(
      resolved('A: !Sub "literal"\nB: !Sub "${NoDefault}"\nC: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}"\nD: !Sub ["${x}-${y}", {x: !Ref Env, y: plain}]'),
    ).toEqual({
      A: "literal",
      B: "${NoDefault}",
      C: "arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}",
      D: "${x}-plain",
    });
    expect(resolved('C: !Sub "arn:${AWS::Partition}:s3:::${Bucket.Arn}"\nD: !Sub ["${x}", {x: !Ref Env}]', WITH_VALUES)).toEqual({
      C: "arn:aws:s3:::${Bucket.Arn}",
      D: "prod",
    });
  });

  test("Join joins, rendering unresolved objects as cfn_nag's text form", () => {
    expect(resolved('A: !Join ["", ["{{resolve:secretsmanager:", !Ref Secret, ":SecretString:password}}"]]\nB: !Join [",", [a, 1, true]]\nC: !Join [",", !Ref ListParam]')).toEqual({
      A: '{{resolve:secretsmanager:{"Ref"=>"Secret"}:SecretString:password}}',
      B: "a,1,true",
      C: { "Fn::Join": [",", { Ref: "ListParam" }] },
    });
    expect(resolved('A: !Join ["/", [!Ref CidrParam, x]]', WITH_VALUES)).toEqual({ A: "0.0.0.0/0/x" });
  });

  test("Select, Split and Base64 evaluate when their arguments resolve", () => {
    expect(
      resolved('A: !Select [1, [a, b, c]]\nB: !Split [",", "a,b"]\nC: !Base64 plain\nD: !Select [0, !Split [",", "x,y"]]\nE: !Select [0, !Ref ListParam]\nF: !Base64 {Ref: Thing}\nG: !Select ["2", [a, b, c]]'),
    ).toEqual({
      A: "b",
      B: ["a", "b"],
      C: "plain",
      D: "x",
      E: { "Fn::Select": [0, { Ref: "ListParam" }] },
      F: { "Fn::Base64": { Ref: "Thing" } },
      G: "c",
    });
  });

  test("GetAtt, ImportValue, Cidr, GetAZs stay unchanged", () => {
    expect(resolved('A: !GetAtt R.Arn\nB: !ImportValue x\nC: !Select [0, !Cidr ["0.0.0.0/0", 1, 0]]\nD: !GetAZs ""')).toEqual({
      A: { "Fn::GetAtt": ["R", "Arn"] },
      B: { "Fn::ImportValue": "x" },
      C: { "Fn::Select": [0, { "Fn::Cidr": ["0.0.0.0/0", 1, 0] }] },
      D: { "Fn::GetAZs": "" },
    });
  });
});

describe("property names (§A1)", () => {
  test("top-level names are matched first-letter case-insensitively and normalised", () => {
    expect(resolved("encrypted: true\nkmsKeyId: k\nInner: {lower: 1}")).toEqual({ Encrypted: true, KmsKeyId: "k", Inner: { lower: 1 } });
  });

  test("Tags written as a map become the list of {Key, Value} the subject contract promises", () => {
    expect(resolved("Tags: {team: a, env: !Ref Env}")).toEqual({ Tags: [{ Key: "team", Value: "a" }, { Key: "env", Value: { Ref: "Env" } }] });
    expect(resolved("Tags: !Ref TagParam")).toEqual({ Tags: { Ref: "TagParam" } });
  });

  test("an exactly-capitalised name wins over its lower-case spelling", () => {
    expect(resolved("encrypted: false\nEncrypted: true")).toEqual({ Encrypted: true });
  });
});

describe("§A5 verification rows for password values", () => {
  test.each([
    ['!Sub "literal"', "literal"],
    ['!Sub "${NoDefault}"', "${NoDefault}"],
    ['!Sub "{{resolve:secretsmanager:${Secret}:SecretString:password}}"', "{{resolve:secretsmanager:${Secret}:SecretString:password}}"],
    ["!If [IsProd, literal, !Ref AWS::NoValue]", "literal"],
    ["!Ref NoDefault", { Ref: "NoDefault" }],
  ])("%s", (written, seen) => {
    expect(resolved(`Password: ${written}`)).toEqual({ Password: seen });
  });

  test("a Ref to a parameter becomes its supplied value", () => {
    expect(resolved("Password: !Ref NoDefault", { parameterValues: { NoDefault: "hunter2" } })).toEqual({ Password: "hunter2" });
  });

  test("parameters' NoEcho/Default/Type are in the context", () => {
    const text = "Parameters:\n  Pw: {Type: String, NoEcho: true}\n  Other: {Type: String, Default: x, Description: d}\nResources:\n  R: {Type: Custom::T}\n";
    expect(subjectsOf(text)[0]!.context.template?.parameters).toEqual({ Pw: { Type: "String", NoEcho: true }, Other: { Type: "String", Default: "x" } });
  });
});
