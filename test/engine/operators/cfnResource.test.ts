import { OPERATORS } from "../../../src/engine/operators/registry";
import {
  cfnResourceOperators,
  ipv6PrefixLength,
  isNoValue,
  isSetNotFalse,
  isUnsetOrFalse,
  rubyToInt,
  sameValue,
} from "../../../src/engine/operators/cfnResource";
import type { Subject } from "../../../src/engine/model";
import type { Operator } from "../../../src/engine/operators/types";

const subject = {
  type: "AWS::Test::Subject",
  id: "T",
  properties: {},
  source: "template",
  context: {},
  location: { file: "t.yaml", pointer: "" },
} as Subject;

function op(name: string): Operator {
  const found = OPERATORS.get(name);
  if (!found) throw new Error(`operator ${name} is not registered`);
  return found;
}

/** Runs a value operator on one value, preparing the rule-file value as the compiler does. */
function valueTest(name: string, actual: unknown, value?: unknown): boolean {
  const o = op(name);
  if (o.kind !== "value") throw new Error(`${name} is not a value operator`);
  return o.test(actual, o.prepare ? o.prepare(value) : value, { subject });
}

function setTest(name: string, values: unknown[]): boolean {
  const o = op(name);
  if (o.kind !== "set") throw new Error(`${name} is not a set operator`);
  return o.test(values, undefined, { subject });
}

describe("cfnResource operators", () => {
  it("are all registered under unique names", () => {
    for (const o of cfnResourceOperators) expect(OPERATORS.get(o.name)).toBe(o);
  });

  describe("unset-or-false (cfn_nag BooleanBase)", () => {
    it.each([
      [[], true],
      [[null], true],
      [[false], true],
      [["FALSE"], true],
      [[{ Ref: "AWS::NoValue" }], true],
      [[true], false],
      [["True"], false],
      [["yes"], false],
      [[0], false],
      [[""], false],
      [[{ Ref: "Param" }], false],
      [[{ Ref: "AWS::NoValue", Extra: 1 }], false],
    ])("%j -> %s", (values, expected) => {
      expect(setTest("unset-or-false", values)).toBe(expected);
      expect(isUnsetOrFalse(values)).toBe(expected);
    });
  });

  it("isNoValue is exact", () => {
    expect(isNoValue({ Ref: "AWS::NoValue" })).toBe(true);
    expect(isNoValue({ Ref: "AWS::Region" })).toBe(false);
    expect(isNoValue("AWS::NoValue")).toBe(false);
  });

  it("set-not-false treats only null and boolean false as unset", () => {
    expect(valueTest("set-not-false", "false")).toBe(true);
    expect(valueTest("set-not-false", true)).toBe(true);
    expect(valueTest("set-not-false", 0)).toBe(true);
    expect(valueTest("set-not-false", false)).toBe(false);
    expect(valueTest("set-not-false", null)).toBe(false);
    expect(isSetNotFalse(undefined)).toBe(false);
  });

  describe("fields-differ", () => {
    const pair = ["FromPort", "ToPort"];
    it("compares with types", () => {
      expect(valueTest("fields-differ", { FromPort: 80, ToPort: 80 }, pair)).toBe(false);
      expect(valueTest("fields-differ", { FromPort: 80, ToPort: "80" }, pair)).toBe(true);
      expect(valueTest("fields-differ", { FromPort: 0, ToPort: 65535 }, pair)).toBe(true);
      expect(valueTest("fields-differ", { FromPort: -1, ToPort: -1 }, pair)).toBe(false);
    });
    it("treats two missing fields as equal and one missing as different", () => {
      expect(valueTest("fields-differ", { IpProtocol: "-1" }, pair)).toBe(false);
      expect(valueTest("fields-differ", { FromPort: 22 }, pair)).toBe(true);
    });
    it("compares unresolved objects structurally", () => {
      expect(valueTest("fields-differ", { FromPort: { Ref: "P" }, ToPort: { Ref: "P" } }, pair)).toBe(false);
      expect(valueTest("fields-differ", { FromPort: { Ref: "P" }, ToPort: { Ref: "Q" } }, pair)).toBe(true);
    });
    it("ignores non-objects and inherited keys", () => {
      expect(valueTest("fields-differ", "80-81", pair)).toBe(false);
      expect(valueTest("fields-differ", {}, ["constructor", "ToPort"])).toBe(false);
    });
    it("rejects a value that is not two names", () => {
      expect(() => op("fields-differ").prepare!(["FromPort"])).toThrow(/two property names/);
    });
    it("says which values differ", () => {
      const o = op("fields-differ");
      if (o.kind !== "value") throw new Error("value operator expected");
      expect(o.explain!({ FromPort: 0, ToPort: 65535 }, pair, { subject })).toBe("FromPort 0 vs ToPort 65535");
    });
  });

  it("fields-differ-as-text compares text forms", () => {
    const pair = ["FromPort", "ToPort"];
    expect(valueTest("fields-differ-as-text", { FromPort: 80, ToPort: "80" }, pair)).toBe(false);
    expect(valueTest("fields-differ-as-text", { FromPort: 80, ToPort: 81 }, pair)).toBe(true);
    expect(valueTest("fields-differ-as-text", {}, pair)).toBe(false);
  });

  it("sameValue is structural", () => {
    expect(sameValue([1, { a: "x" }], [1, { a: "x" }])).toBe(true);
    expect(sameValue([1], [1, 2])).toBe(false);
    expect(sameValue({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameValue({ a: undefined }, {})).toBe(false);
  });

  describe("ipv6-prefix-ne (NetAddr reading)", () => {
    it.each([
      ["::/0", 0],
      ["2001:db8::/0", 0],
      ["0:0:0:0:0:0:0:0/0", 0],
      ["2001:db8::7/128", 128],
      ["2001:db8::1", 64],
      ["::", 128],
      ["0:0:0:0:0:0:0:0", 128],
    ])("%s has prefix %d", (text, prefix) => {
      expect(ipv6PrefixLength(text)).toBe(prefix);
    });
    it("is undefined for IPv4, invalid text and objects", () => {
      expect(ipv6PrefixLength("10.0.0.0/8")).toBeUndefined();
      expect(ipv6PrefixLength("bogus")).toBeUndefined();
      expect(ipv6PrefixLength({ Ref: "Cidr" })).toBeUndefined();
    });
    it("compares with the given length", () => {
      expect(valueTest("ipv6-prefix-ne", "2001:db8::1", 128)).toBe(true);
      expect(valueTest("ipv6-prefix-ne", "::", 128)).toBe(false);
      expect(valueTest("ipv6-prefix-ne", "bogus", 128)).toBe(false);
    });
  });

  describe("int-eq (Ruby to_i)", () => {
    it.each([
      [-1, -1],
      ["-1", -1],
      [" -1", -1],
      ["-01", -1],
      ["6", 6],
      ["all", 0],
      ["", 0],
      [-1.5, -1],
      ["1_0", 10],
    ])("%j reads as %d", (value, n) => {
      expect(rubyToInt(value)).toBe(n);
    });
    it("does not read objects", () => {
      expect(rubyToInt({ Ref: "P" })).toBeUndefined();
      expect(valueTest("int-eq", { Ref: "P" }, 0)).toBe(false);
      expect(valueTest("int-eq", "-1", -1)).toBe(true);
      expect(valueTest("int-eq", "all", -1)).toBe(false);
    });
  });

  it("eq-ignore-case compares text ignoring case", () => {
    expect(valueTest("eq-ignore-case", "options", "OPTIONS")).toBe(true);
    expect(valueTest("eq-ignore-case", "Off", "off")).toBe(true);
    expect(valueTest("eq-ignore-case", false, "off")).toBe(false);
    expect(valueTest("eq-ignore-case", { Ref: "M" }, "none")).toBe(false);
  });

  it("lacks-key treats non-objects and null keys as lacking", () => {
    expect(valueTest("lacks-key", { Provider: { KeyArn: "k" } }, "Provider")).toBe(false);
    expect(valueTest("lacks-key", { Resources: ["secrets"] }, "Provider")).toBe(true);
    expect(valueTest("lacks-key", { Provider: null }, "Provider")).toBe(true);
    expect(valueTest("lacks-key", "text", "Provider")).toBe(true);
    expect(valueTest("lacks-key", [{ Provider: 1 }], "Provider")).toBe(true);
    expect(valueTest("lacks-key", {}, "__proto__")).toBe(true);
  });
});
