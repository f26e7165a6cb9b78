import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadRules, RuleLoadError } from "../../src/engine/loader";
import { defaultConfiguration } from "../../src/engine/config";
import { readFileSync } from "node:fs";
import { generatedFiles } from "../../scripts/generate";

const good = `id: demo-rule
title: A demonstration rule
severity: low
description: Checks a demonstration property.
remediation: Set the demonstration property.
types: [AWS::S3::Bucket]
match: { path: properties.Demo, op: eq, value: bad }
message: "{{id}} is bad"
tests:
  pass: [{ subject: { properties: { Demo: good } } }]
  fail: [{ subject: { properties: { Demo: bad } } }]
`;

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "parapet-rules-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function problemsFor(files: Record<string, string>): string[] {
  try {
    loadRules({ config: defaultConfiguration(), ruleDirs: [dirWith(files)] });
  } catch (err) {
    if (err instanceof RuleLoadError) return err.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("rule loader", () => {
  it("loads a valid custom rule", () => {
    const { ruleSet } = loadRules({ config: defaultConfiguration(), ruleDirs: [dirWith({ "demo/demo-rule.yaml": good })] });
    expect(ruleSet.rules.map((r) => r.id)).toEqual(["demo-rule"]);
  });

  it.each([
    ["unknown key", good.replace("severity: low", "severity: low\nseverty: high"), "demo-rule.yaml:4:1: unknown key \"severty\""],
    ["bad severity", good.replace("severity: low", "severity: urgent"), "demo-rule.yaml:3:11: severity: must be one of critical, high, medium, low, info"],
    ["unknown operator", good.replace("op: eq", "op: equals"), "demo-rule.yaml:7:"],
    ["missing key", good.replace("remediation: Set the demonstration property.\n", ""), 'missing required key "remediation"'],
    ["YAML syntax", good.replace("types: [AWS::S3::Bucket]", "types: [AWS::S3::Bucket"), "demo-rule.yaml:"],
    ["id/file mismatch", good.replace("id: demo-rule", "id: other-rule"), 'id "other-rule" must match the file name "demo-rule"'],
    ["bad operator value", good.replace("op: eq, value: bad", "op: cidr-overlaps, value: [nope]"), 'match.value: cidr-overlaps: "nope" is not a CIDR block'],
    ["unknown config key", good.replace("value: bad", "value: { $config: nothing.here }"), 'configuration has no "nothing.here"'],
    ["broken JSONPath filter", good.replace("path: properties.Demo", "path: \"properties[?(@.Demo ==\""), "match.path: not a valid selector"],
    ["bad regex", good.replace("op: eq, value: bad", "op: matches, value: '('"), "invalid regular expression"],
    ["no tests", good.replace(/tests:[\s\S]*$/, "tests: { pass: [], fail: [] }\n"), "tests.pass: must NOT have fewer than 1 items"],
    ["case with two inputs", good.replace("pass: [{ subject: { properties: { Demo: good } } }]", "pass: [{ subject: {}, record: {} }]"), "exactly one of subject, template, record"],
  ])("%s gives one clear located line", (_name, text, expected) => {
    const problems = problemsFor({ "demo-rule.yaml": text });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.length).toBeLessThanOrEqual(3);
    expect(problems[0]).toContain(expected);
    expect(problems.join("\n")).not.toMatch(/instancePath|schemaPath|at .*\.ts/);
  });

  it("reports duplicate ids and checks every file", () => {
    const problems = problemsFor({
      "a/demo-rule.yaml": good,
      "b/demo-rule.yaml": good,
      "c/broken-rule.yaml": "id: broken-rule\n",
    });
    expect(problems.some((p) => p.includes('duplicate rule id "demo-rule"'))).toBe(true);
    expect(problems.some((p) => p.startsWith("broken-rule.yaml"))).toBe(true);
  });

  it("a custom rule may not reuse a built-in rule's id", () => {
    const copy = readFileSync(path.join(__dirname, "../../rules/tagging/required-tags.yaml"), "utf8");
    try {
      loadRules({ config: defaultConfiguration(), ruleDirs: [dirWith({ "mine/required-tags.yaml": copy })], includeBuiltin: true });
      throw new Error("expected a RuleLoadError");
    } catch (err) {
      expect(err).toBeInstanceOf(RuleLoadError);
      expect((err as RuleLoadError).problems).toEqual([
        expect.objectContaining({ file: expect.stringMatching(/mine\/required-tags\.yaml$/), message: expect.stringMatching(/^rule id "required-tags" is already a built-in rule \(.*required-tags\.yaml\): give the custom rule its own id$/) }),
      ]);
    }
  });

  it("custom rules are compiled at load even when built-in ones are compiled lazily", () => {
    // No template will ever contain this type: a lazy compile would never have reported the regex.
    const broken = good.replace("op: eq, value: bad", "op: matches, value: '('");
    expect(() => loadRules({ config: defaultConfiguration(), ruleDirs: [dirWith({ "demo-rule.yaml": broken })], includeBuiltin: true, lazy: true })).toThrow(
      /demo-rule\.yaml:7:\d+: match\.value: .*invalid regular expression/,
    );
  });

  it("reads a directory named twice once", () => {
    const dir = dirWith({ "demo/demo-rule.yaml": good });
    const { ruleSet } = loadRules({ config: defaultConfiguration(), ruleDirs: [dir, path.join(dir, "demo"), dir + "/"] });
    expect(ruleSet.rules.map((r) => r.id)).toEqual(["demo-rule"]);
  });

  it("bounds YAML alias expansion in rule files", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]", "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]"].join("\n");
    const problems = problemsFor({ "bomb-rule.yaml": bomb });
    expect(problems[0]).toMatch(/bomb-rule.yaml.*(alias|YAML)/i);
  });

  it("a __proto__ key in a rule file does nothing", () => {
    const text = good.replace("title:", "__proto__: { polluted: true }\ntitle:");
    const problems = problemsFor({ "demo-rule.yaml": text });
    expect(problems[0]).toContain('unknown key "__proto__"');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("the committed rule schema and standalone validators are current (npm run generate)", () => {
    for (const [file, text] of Object.entries(generatedFiles())) {
      expect([file, readFileSync(path.join(__dirname, "../..", file), "utf8") === text]).toEqual([file, true]);
    }
  });
});
