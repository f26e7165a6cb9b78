import path from "node:path";
import { defaultConfiguration } from "../../src/engine/config";
import { loadRules } from "../../src/engine/loader";
import { readDifferences, runConformance } from "../../src/testing/cfnNagConformance";

/**
 * parapet against cfn_nag on cfn_nag's own test templates (test/fixtures/conformance/cfn_nag):
 * nothing crashes, at least 98% agreement both ways, and every difference is listed with its reason.
 */
const corpus = path.join(__dirname, "../fixtures/conformance/cfn_nag");
const { ruleSet } = loadRules({ config: defaultConfiguration() });
const result = runConformance(corpus, ruleSet);
const documented = readDifferences(path.join(__dirname, "cfn_nag-differences.tsv"));

describe("cfn_nag conformance", () => {
  it("lints every template of the corpus without crashing", () => {
    expect(result.templates).toBe(369);
    expect(result.crashed).toEqual([]);
  });

  it("finds at least 98% of cfn_nag's (template, rule, resource) triples", () => {
    const found = result.expected.size - result.missing.length;
    expect(found / result.expected.size).toBeGreaterThanOrEqual(0.98);
  });

  it("reports at least 98% triples that cfn_nag also reports", () => {
    const agreed = result.actual.size - result.extra.length;
    expect(agreed / result.actual.size).toBeGreaterThanOrEqual(0.98);
  });

  it("lists every remaining difference with its reason", () => {
    const undocumented = [...result.missing.map((t) => `${t}\tmissing`), ...result.extra.map((t) => `${t}\textra`)].filter((t) => !documented.has(t));
    expect(undocumented).toEqual([]);
    for (const [key, { reason }] of documented) expect([key, reason.length > 10]).toEqual([key, true]);
  });

  it("lists no difference that no longer exists", () => {
    const current = new Set([...result.missing.map((t) => `${t}\tmissing`), ...result.extra.map((t) => `${t}\textra`)]);
    expect([...documented.keys()].filter((k) => !current.has(k))).toEqual([]);
  });
});
