import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultConfiguration, loadConfig } from "../../src/engine/config";
import { bundledRuleFiles, loadRules, RuleLoadError, type RuleBundle } from "../../src/engine/loader";
import { buildRuleBundle } from "../../scripts/package";
import { BUILTIN_RULES_DIR } from "../../src/paths";

describe("built-in rules from an embedded bundle (the Lambda packages)", () => {
  const config = defaultConfiguration();
  const bundle = buildRuleBundle();

  it("compiles the same rule set as rules/, without test cases", () => {
    const fromFiles = loadRules({ config }).ruleSet.rules.map((r) => r.id).sort();
    const fromBundle = loadRules({ config, embedded: bundle });
    expect(fromBundle.ruleSet.rules.map((r) => r.id).sort()).toEqual(fromFiles);
    expect(fromBundle.files.every((f) => f.file.startsWith("rules/") && !("tests" in f.definition))).toBe(true);
  });

  it("still adds custom rule directories to the embedded rules", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "parapet-embedded-"));
    const text = readFileSync(path.join(BUILTIN_RULES_DIR, "tagging/required-tags.yaml"), "utf8");
    writeFileSync(path.join(dir, "custom-one.yaml"), text.replace(/^id: required-tags$/m, "id: custom-one"));
    const loaded = loadRules({ config, embedded: bundle, ruleDirs: [dir], includeBuiltin: true });
    expect(loaded.ruleSet.rules.map((r) => r.id)).toContain("custom-one");
    expect(loaded.ruleSet.rules).toHaveLength(Object.keys(bundle.files).length + 1);
  });

  it("reports a duplicate id in a bundle against the bundled file, without inventing a line", () => {
    const [first, second] = Object.entries(bundle.files);
    const dup: RuleBundle = { files: { [first![0]]: first![1], "z/copy.yaml": { ...first![1] }, [second![0]]: second![1] } };
    expect(bundledRuleFiles(dup).map((f) => f.file)).toEqual([`rules/${first![0]}`, `rules/${second![0]}`, "rules/z/copy.yaml"].sort());
    try {
      loadRules({ config, embedded: dup });
      throw new Error("expected a RuleLoadError");
    } catch (err) {
      expect(err).toBeInstanceOf(RuleLoadError);
      expect((err as RuleLoadError).problems).toEqual([{ file: "rules/z/copy.yaml", message: expect.stringContaining("duplicate rule id") }]);
    }
  });
});

describe("PARAPET_CONFIG_JSON (configuration a template builds from its parameters)", () => {
  const ports = [{ protocol: "tcp", from: 8443, to: 8443 }];

  it("merges an object, or a list of objects in order, after the defaults", () => {
    const one = loadConfig(undefined, { PARAPET_CONFIG_JSON: JSON.stringify({ network: { allowedPublicPorts: ports } }) });
    expect(one.network.allowedPublicPorts).toEqual(ports);
    expect(one.businessHours.timeZone).toBeNull(); // business hours are not configured by default
    const list = loadConfig(undefined, {
      PARAPET_CONFIG_JSON: JSON.stringify([{ tagging: { required: [{ key: "team" }] } }, { tagging: { required: [{ key: "cost-centre" }] }, minSeverity: "high" }]),
      PARAPET_TIME_ZONE: "America/New_York",
    });
    expect(list.tagging.required).toEqual([{ key: "cost-centre" }]);
    expect(list.tagging.resourceTypes).toEqual(defaultConfiguration().tagging.resourceTypes);
    expect(list.minSeverity).toBe("high");
    expect(list.businessHours.timeZone).toBe("America/New_York");
  });

  it("names the variable in one clear error for bad JSON, non-objects and unknown keys", () => {
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: "{nope" })).toThrow(/^PARAPET_CONFIG_JSON: not valid JSON/);
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: "[{}, 3]" })).toThrow("PARAPET_CONFIG_JSON[1]: configuration must be a JSON object");
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: '{"netwrk": {}}' })).toThrow('PARAPET_CONFIG_JSON: unknown key "netwrk"');
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: '{"network": {"allowedPublicPorts": [{"from": "x", "to": 1}]}}' })).toThrow(/PARAPET_CONFIG_JSON/);
  });

  it("rejects a __proto__ key without polluting anything", () => {
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: '{"__proto__": {"polluted": true}}' })).toThrow('unknown key "__proto__"');
    expect(() => loadConfig(undefined, { PARAPET_CONFIG_JSON: '{"network": {"__proto__": {"polluted": true}}}' })).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
