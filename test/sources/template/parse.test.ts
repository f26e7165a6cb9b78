import { parseTemplateText } from "../../../src/sources/template";
import { loadTemplateSubjects } from "../../../src/sources/template";
import { propsOf } from "./helpers";

function parsedValue(text: string): Record<string, unknown> {
  const result = parseTemplateText(text, "t.yaml");
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.template.root;
}

describe("short-form tags", () => {
  const template = `
Resources:
  R:
    Type: Custom::Thing
    Properties:
      Ref: !Ref Param
      GetAttDotted: !GetAtt Res.Attr
      GetAttNested: !GetAtt Stack.Outputs.Name
      GetAttList: !GetAtt [Res, Attr]
      Sub: !Sub "\${AWS::Region}-x"
      SubList: !Sub ["\${a}", {a: b}]
      If: !If [Cond, 1, 2]
      Equals: !Equals [a, b]
      Join: !Join ["-", [a, b]]
      Select: !Select [0, [a, b]]
      Split: !Split [",", "a,b"]
      FindInMap: !FindInMap [M, k1, k2]
      ImportValue: !ImportValue exported
      Base64: !Base64 text
      Cidr: !Cidr [10.0.0.0/16, 2, 8]
      GetAZs: !GetAZs ""
      Condition: !Condition Cond
      And: !And [!Condition A, !Condition B]
      Or: !Or [!Condition A, !Condition B]
      Not: !Not [!Condition A]
      Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
      ToJsonString: !ToJsonString {a: 1}
      Length: !Length [1, 2]
      Unknown: !Bogus [1, 2]
`;
  test("each becomes its long form", () => {
    const props = (parsedValue(template)["Resources"] as any).R.Properties;
    expect(props).toEqual({
      Ref: { Ref: "Param" },
      GetAttDotted: { "Fn::GetAtt": ["Res", "Attr"] },
      GetAttNested: { "Fn::GetAtt": ["Stack", "Outputs.Name"] },
      GetAttList: { "Fn::GetAtt": ["Res", "Attr"] },
      Sub: { "Fn::Sub": "${AWS::Region}-x" },
      SubList: { "Fn::Sub": ["${a}", { a: "b" }] },
      If: { "Fn::If": ["Cond", 1, 2] },
      Equals: { "Fn::Equals": ["a", "b"] },
      Join: { "Fn::Join": ["-", ["a", "b"]] },
      Select: { "Fn::Select": [0, ["a", "b"]] },
      Split: { "Fn::Split": [",", "a,b"] },
      FindInMap: { "Fn::FindInMap": ["M", "k1", "k2"] },
      ImportValue: { "Fn::ImportValue": "exported" },
      Base64: { "Fn::Base64": "text" },
      Cidr: { "Fn::Cidr": ["10.0.0.0/16", 2, 8] },
      GetAZs: { "Fn::GetAZs": "" },
      Condition: { Condition: "Cond" },
      And: { "Fn::And": [{ Condition: "A" }, { Condition: "B" }] },
      Or: { "Fn::Or": [{ Condition: "A" }, { Condition: "B" }] },
      Not: { "Fn::Not": [{ Condition: "A" }] },
      Transform: { "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: "s3://b/k" } } },
      ToJsonString: { "Fn::ToJsonString": { a: 1 } },
      Length: { "Fn::Length": [1, 2] },
      Unknown: [1, 2],
    });
  });

  test("an anchored short form keeps its long form through an alias", () => {
    const root = parsedValue("Resources:\n  R:\n    Type: X\n    Properties:\n      A: &s !Sub x\n      B: *s\n");
    expect((root["Resources"] as any).R.Properties.B).toEqual({ "Fn::Sub": "x" });
  });

  test("YAML 1.1 scalars are typed as cfn_nag reads them", () => {
    const root = parsedValue(
      "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  R:\n    Type: X\n    Properties: {A: yes, B: OFF, C: y, D: n, E: 'true', F: 12:30, G: ::/0}\n",
    );
    expect(root["AWSTemplateFormatVersion"]).toBe("2010-09-09");
    expect((root["Resources"] as any).R.Properties).toEqual({ A: true, B: false, C: "y", D: "n", E: "true", F: "12:30", G: "::/0" });
  });
});

describe("positions", () => {
  test("nested nodes, including inside short forms, map to line and column", () => {
    const text = [
      "Resources:", //                                    1
      "  Group:", //                                      2
      "    Type: AWS::EC2::SecurityGroup", //             3
      "    Properties:", //                               4
      "      GroupDescription: g", //                     5
      "      SecurityGroupIngress:", //                   6
      "        - !If", //                                 7
      "          - Cond", //                              8
      "          - CidrIp: 0.0.0.0/0", //                 9
      "            IpProtocol: tcp", //                   10
      "          - !Ref AWS::NoValue", //                 11
      "",
    ].join("\n");
    const result = parseTemplateText(text, "t.yaml");
    if (!result.ok) throw new Error("parse failed");
    const { doc, resources } = result.template;
    expect(resources[0]!.position).toEqual({ line: 3, column: 11 });
    expect(doc.locate("/Resources/Group/Properties/SecurityGroupIngress/0/Fn::If/1/IpProtocol")).toEqual({ line: 10, column: 25 });
    expect(doc.locate("/Resources/Group/Properties/SecurityGroupIngress/0/Fn::If/2")).toEqual({ line: 11, column: 18 });
    expect(doc.locateKey("/Resources/Group/Properties/GroupDescription")).toEqual({ line: 5, column: 7 });
  });

  test("subjects are located at the resource's Type line (cfn_nag's convention), in JSON too", () => {
    const json = '{\n  "Resources": {\n    "Vol": {\n      "Properties": {"Size": 1},\n      "Type": "AWS::EC2::Volume"\n    }\n  }\n}\n';
    const result = loadTemplateSubjects("t.json", json);
    expect(result.errors).toEqual([]);
    expect(result.subjects[0]!.location).toEqual({ file: "t.json", pointer: "/Resources/Vol", line: 5, column: 15 });
  });
});

describe("what is not a template", () => {
  const errorsOf = (text: string) => loadTemplateSubjects("bad.yaml", text);

  test.each([
    ["empty file", "  \n", /empty template/, undefined],
    ["YAML syntax error", "Resources:\n  R:\n    Type: X\n   bad: [\n", /.+/, expect.any(Number)],
    ["invalid JSON (trailing comma)", '{\n  "Resources": {"R": {"Type": "X"},}\n}', /invalid JSON/, 2],
    ["a list", "- a\n- b\n", /not a map/, 1],
    ["no Resources", "Parameters: {}\n", /no Resources/, 1],
    ["empty Resources", "Resources: {}\n", /no Resources/, 1],
  ])("%s yields an error with a position, never a throw", (_name, text, message, line) => {
    const result = errorsOf(text);
    expect(result.subjects).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: "bad.yaml", message: expect.stringMatching(message) });
    expect(result.errors[0]!.line).toEqual(line);
  });

  test("a resource without Type is reported at its line; the others are still analysed", () => {
    const result = errorsOf("Resources:\n  Good:\n    Type: AWS::SNS::Topic\n  Bad:\n    Properties: {}\n");
    expect(result.errors).toEqual([{ file: "bad.yaml", line: 4, column: 3, message: expect.stringMatching(/Bad has no Type/) }]);
    expect(result.subjects.map((s) => s.id)).toEqual(["Good"]);
  });

  test("a parameter without Type is reported", () => {
    const result = errorsOf("Parameters:\n  P: {Default: x}\nResources:\n  R:\n    Type: AWS::SNS::Topic\n");
    expect(result.errors).toEqual([{ file: "bad.yaml", line: 2, column: 3, message: "parameter P has no Type" }]);
    expect(result.subjects).toHaveLength(1);
  });

  test("a broken template among good ones affects only itself", () => {
    const files = [
      ["a.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n"],
      ["b.yaml", "Resources:\n  B: [\n"],
      ["c.json", '{"Resources": {"C": {"Type": "AWS::SQS::Queue"}}}'],
    ] as const;
    const results = files.map(([file, text]) => loadTemplateSubjects(file, text));
    expect(results.map((r) => r.subjects.map((s) => s.id))).toEqual([["A"], [], ["C"]]);
    expect(results[1]!.errors[0]).toMatchObject({ file: "b.yaml", line: expect.any(Number) });
  });
});

describe("untrusted input", () => {
  test("an alias bomb is refused with an error", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    lines.push("Resources:\n  R:\n    Type: X\n    Properties:\n      P: *i");
    const start = Date.now();
    const result = loadTemplateSubjects("bomb.yaml", lines.join("\n"));
    expect(Date.now() - start).toBeLessThan(1000);
    expect(result.subjects).toEqual([]);
    expect(result.errors[0]!.message).toMatch(/alias/i);
  });

  test("input above the size limit is refused", () => {
    const result = parseTemplateText("Resources:\n" + "#".repeat(2000), "big.yaml", { limits: { maxBytes: 1000 } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/limit/);
  });

  test("deeply nested input becomes an error, not a crash", () => {
    const depth = 20000;
    const text = `Resources:\n  R:\n    Type: X\n    Properties:\n      P: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
    const result = loadTemplateSubjects("deep.yaml", text);
    expect(result.errors.length + result.subjects.length).toBeGreaterThan(0);
  });

  test("__proto__ keys do nothing", () => {
    const result = loadTemplateSubjects(
      "t.yaml",
      [
        "Parameters:",
        "  __proto__: {Type: String, Default: polluted}",
        "Resources:",
        "  __proto__:",
        "    Type: AWS::SNS::Topic",
        "  R:",
        "    Type: AWS::S3::Bucket",
        "    Metadata: {__proto__: {polluted: true}}",
        "    Properties:",
        "      __proto__: {polluted: true}",
        "      Tags: [{__proto__: {polluted: true}, Key: k, Value: v}]",
        "",
      ].join("\n"),
      { parameterValues: {} },
    );
    expect(result.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/not a valid logical id/) })]);
    const subjects = result.subjects;
    expect(subjects.map((s) => s.id)).toEqual(["R"]);
    expect(({} as any).polluted).toBeUndefined();
    const bucket = propsOf(subjects, "AWS::S3::Bucket");
    expect(Object.keys(bucket)).toEqual(["Tags"]);
    expect(Object.getPrototypeOf(bucket)).toBe(Object.prototype);
    const tag = (bucket["Tags"] as Array<Record<string, unknown>>)[0]!;
    expect(Object.getPrototypeOf(tag)).toBe(Object.prototype);
    expect(tag["polluted"]).toBeUndefined();
    for (const s of subjects) expect(Object.getPrototypeOf(s.context.template?.parameters)).toBe(Object.prototype);
  });
});
