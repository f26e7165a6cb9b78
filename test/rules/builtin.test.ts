import { readFileSync } from "node:fs";
import path from "node:path";
import { loadRules } from "../../src/engine/loader";
import { defaultConfiguration } from "../../src/engine/config";
import { runRuleCases } from "../../src/testing/ruleTester";

/**
 * The generic rule tester: every built-in rule's inline cases run as jest tests, exactly as
 * `parapet rules test` runs them.
 */
const config = defaultConfiguration();
const { files } = loadRules({ config });

describe.each(files.map((f) => [f.definition.id, f] as const))("%s", (_id, file) => {
  const results = runRuleCases(file, config);
  it.each(results.map((r) => [`${r.expect}: ${r.name}`, r] as const))("%s", (_name, result) => {
    expect(result.problem ?? "ok").toBe("ok");
  });
});

describe("the built-in rule set", () => {
  const cfnNagRules = new Map<string, string[]>();
  for (const f of files) {
    for (const id of f.definition.references?.cfnNag ?? []) cfnNagRules.set(id, [...(cfnNagRules.get(id) ?? []), f.definition.id]);
  }
  const tsv = readFileSync(path.join(__dirname, "../fixtures/cfn_nag/cfn_nag-rules.tsv"), "utf8");
  const knownCfnNagIds = new Set(
    tsv
      .split("\n")
      .slice(1)
      .map((line) => line.split("\t")[0])
      .filter(Boolean),
  );

  it("has unique ids that match their file names and live in a domain folder", () => {
    const ids = files.map((f) => f.definition.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of files) {
      expect(path.basename(f.file)).toBe(`${f.definition.id}.yaml`);
      expect(path.relative(path.join(__dirname, "../../rules"), f.file).split(path.sep)).toHaveLength(2);
    }
  });

  it("gives every rule pass and fail cases, docs and a message", () => {
    for (const { definition: d } of files) {
      expect([d.id, d.tests.pass.length > 0, d.tests.fail.length > 0]).toEqual([d.id, true, true]);
      expect(d.description.trim().length).toBeGreaterThan(20);
      expect(d.remediation.trim().length).toBeGreaterThan(10);
    }
  });

  it("maps each cfn_nag id to exactly one rule, and only to ids cfn_nag has", () => {
    for (const [id, rules] of cfnNagRules) {
      expect([id, knownCfnNagIds.has(id)]).toEqual([id, true]);
      expect([id, rules]).toEqual([id, rules.slice(0, 1)]);
    }
  });
});
