import { readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import { parseFastYaml } from "../../src/parse/fastYaml";
import { parseYamlDocument, type PositionedDocument } from "../../src/parse/yamlDocument";
import { SHORT_FORM_KEYS, templateTags } from "../../src/sources/template/shortForms";

/**
 * The fast template reader must agree with the exact one: the same value, and the same line and
 * column for every key and value of every YAML template in the fixtures.
 */
const options = { customTags: templateTags, tagKeys: SHORT_FORM_KEYS };
const root = path.join(__dirname, "../fixtures");
const files = globSync(["**/*.yaml", "**/*.yml", "**/*.template"], { cwd: root, absolute: true }).filter((f) => !readFileSync(f, "utf8").trimStart().startsWith("{"));

function pointers(value: unknown, pointer: string, out: string[] = []): string[] {
  out.push(pointer);
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) pointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
  }
  return out;
}

function exactOrUndefined(text: string): PositionedDocument | undefined {
  try {
    return parseYamlDocument(text, options);
  } catch {
    return undefined;
  }
}

describe("fast YAML reader", () => {
  it("covers the corpus", () => expect(files.length).toBeGreaterThan(200));

  it("agrees with the exact reader on values and on every position", () => {
    const mismatches: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const exact = exactOrUndefined(text);
      if (!exact) continue;
      const fast = parseFastYaml(text, options);
      expect([file, JSON.stringify(fast.value)]).toEqual([file, JSON.stringify(exact.value)]);
      for (const p of pointers(exact.value, "")) {
        const a = exact.locate(p);
        const b = fast.locate(p);
        if (a.line !== b.line || a.column !== b.column) mismatches.push(`${file} ${p}`);
        if (p === "") continue;
        const ka = exact.locateKey(p);
        const kb = fast.locateKey(p);
        if (ka.line !== kb.line || ka.column !== kb.column) mismatches.push(`${file} key ${p}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it("reads YAML 1.1 scalars as cfn_nag does", () => {
    const doc = parseFastYaml("a: yes\nb: Off\nc: y\nd: 0777\ne: 0x1F\nf: 1_000\ng: 2010-09-09\nh: ~\ni: .5\nj: 12:30\nk: '0777'\n", options);
    expect(doc.value).toEqual({ a: true, b: false, c: "y", d: 511, e: 31, f: 1000, g: "2010-09-09", h: null, i: 0.5, j: "12:30", k: "0777" });
  });

  it("turns short forms into long forms", () => {
    const doc = parseFastYaml("A: !GetAtt R.Arn\nB: !If [C, !Ref X, !Sub 'y']\nC: !GetAZs\n", options);
    expect(doc.value).toEqual({ A: { "Fn::GetAtt": ["R", "Arn"] }, B: { "Fn::If": ["C", { Ref: "X" }, { "Fn::Sub": "y" }] }, C: { "Fn::GetAZs": "" } });
  });

  it("hands anchors, aliases and bad syntax to the exact reader (its limits and messages)", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]"].join("\n");
    expect(() => parseFastYaml(bomb, { ...options, limits: { maxAliasCount: 50 } })).toThrow(/alias/i);
    expect(() => parseFastYaml("a: [1, 2\nb: 3\n", options)).toThrow();
    expect(() => parseFastYaml("a: 1\na: 2\n", options)).toThrow(/unique|duplicate/i);
  });

  it("answers positions inside flow collections through the exact reader", () => {
    const text = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { SecurityGroupIngress: [ { CidrIp: 0.0.0.0/0 } ] }\n";
    const fast = parseFastYaml(text, options);
    const exact = parseYamlDocument(text, options);
    expect(fast.locate("/Resources/Sg/Properties/SecurityGroupIngress/0")).toEqual(exact.locate("/Resources/Sg/Properties/SecurityGroupIngress/0"));
  });
});
