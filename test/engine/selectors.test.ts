import { compileSelector, parsePlainPath, validateSelector } from "../../src/engine/selectors";

const doc = {
  type: "AWS::EC2::SecurityGroup",
  properties: {
    Tags: [
      { Key: "owner", Value: "a" },
      { Key: "env", Value: "prod" },
    ],
    "Fn::Odd": { x: 1 },
    Nested: { A: { B: 2 } },
  },
};

describe.each([true, false])("selectors (fast path %s)", (fastPath) => {
  const select = (path: string) => compileSelector(path, { fastPath })(doc);

  it("reads plain paths, indexes and wildcards", () => {
    expect(select("type")).toEqual(["AWS::EC2::SecurityGroup"]);
    expect(select("$.properties.Nested.A.B")).toEqual([2]);
    expect(select("properties.Tags[1].Value")).toEqual(["prod"]);
    expect(select("properties.Tags[*].Key")).toEqual(["owner", "env"]);
    expect(select("properties.Nested.*.B")).toEqual([2]);
  });

  it("returns nothing for missing paths and never reads the prototype", () => {
    expect(select("properties.Missing.X")).toEqual([]);
    expect(select("properties.Tags[5]")).toEqual([]);
    expect(select("properties.constructor")).toEqual([]);
    expect(select("properties.__proto__")).toEqual([]);
  });
});

describe("JSONPath beyond plain paths", () => {
  it("evaluates filters in safe mode", () => {
    const select = compileSelector("properties.Tags[?(@.Key == 'env')].Value", { fastPath: true });
    expect(select(doc)).toEqual(["prod"]);
    expect(compileSelector("$..B", { fastPath: true })(doc)).toEqual([2]);
  });

  it("a malicious filter in a rule file cannot run code", () => {
    const g = globalThis as { pwned?: boolean };
    delete g.pwned;
    const attacks = [
      "$..[?(globalThis.pwned = true)]",
      "$..[?(@.constructor.constructor('globalThis.pwned = true')())]",
      "$..[?(this.constructor.constructor('return process')().exit(3))]",
      "$..[?((function(){ globalThis.pwned = true })())]",
      "$..[?(@property.constructor.constructor('globalThis.pwned=true')())]",
    ];
    for (const path of attacks) {
      try {
        compileSelector(path, { fastPath: true })(doc);
      } catch {
        // Rejecting the expression is fine; running it is not.
      }
      expect(g.pwned).toBeUndefined();
    }
  });

  it("plain-path parsing recognises what it can take", () => {
    expect(parsePlainPath("properties.A[0]['odd key']")).toEqual([
      { kind: "key", key: "properties" },
      { kind: "key", key: "A" },
      { kind: "index", index: 0 },
      { kind: "key", key: "odd key" },
    ]);
    expect(parsePlainPath("$..x")).toBeUndefined();
    expect(validateSelector("properties.X")).toBeUndefined();
  });
});

describe("fast path agrees with jsonpath-plus", () => {
  const record = {
    properties: {
      requestParameters: {
        "x-amz-acl": ["public-read"],
        sourceArn: "arn:aws:s3:::b",
        principalOrgID: "o-1",
        nested: { deeper: [{ x: 1 }, "y"], z: null },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false },
      },
    },
  };
  it.each([
    "properties.requestParameters[sourceArn,sourceAccount,principalOrgID]",
    "properties.requestParameters[x-amz-acl]",
    "properties.requestParameters.PublicAccessBlockConfiguration[BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets]",
    "properties.requestParameters..*",
    "properties.requestParameters['x-amz-acl'][0]",
    "$.properties.requestParameters.nested.deeper[*].x",
  ])("%s", (path) => {
    expect(parsePlainPath(path)).toBeDefined();
    const fast = compileSelector(path, { fastPath: true })(record);
    const slow = compileSelector(path, { fastPath: false })(record);
    const sort = (v: unknown[]) => v.map((x) => JSON.stringify(x)).sort();
    expect(sort(fast)).toEqual(sort(slow));
  });

  it("leaves filters, slices and named recursive descent to jsonpath-plus", () => {
    expect(parsePlainPath("a[?(@.x)]")).toBeUndefined();
    expect(parsePlainPath("a[0:2]")).toBeUndefined();
    expect(parsePlainPath("a..b")).toBeUndefined();
  });
});
