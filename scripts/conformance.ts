import path from "node:path";
import { defaultConfiguration } from "../src/engine/config";
import { loadRules } from "../src/engine/loader";
import { PACKAGE_ROOT } from "../src/paths";
import { readDifferences, runConformance } from "../src/testing/cfnNagConformance";

/** `npm run conformance`: agreement with cfn_nag on its corpus, per rule, and undocumented differences. */
const corpus = path.join(PACKAGE_ROOT, "test/fixtures/conformance/cfn_nag");
const { ruleSet } = loadRules({ config: defaultConfiguration() });
const r = runConformance(corpus, ruleSet);
const documented = readDifferences(path.join(PACKAGE_ROOT, "test/conformance/cfn_nag-differences.tsv"));
const found = r.expected.size - r.missing.length;
const agreed = r.actual.size - r.extra.length;
console.log(`templates: ${r.templates}, crashed: ${r.crashed.length}`);
console.log(`cfn_nag triples found by parapet: ${found}/${r.expected.size} (${((100 * found) / r.expected.size).toFixed(1)}%)`);
console.log(`parapet triples also in cfn_nag:  ${agreed}/${r.actual.size} (${((100 * agreed) / Math.max(1, r.actual.size)).toFixed(1)}%)`);
const byRule = new Map<string, { missing: number; extra: number }>();
for (const [list, kind] of [[r.missing, "missing"], [r.extra, "extra"]] as const) {
  for (const t of list) {
    const id = t.split("\t")[1]!;
    const e = byRule.get(id) ?? { missing: 0, extra: 0 };
    e[kind]++;
    byRule.set(id, e);
  }
}
if (byRule.size) {
  console.log("\nper cfn_nag id (missing / extra):");
  for (const [id, e] of [...byRule].sort()) console.log(`  ${id.padEnd(6)} ${e.missing} / ${e.extra}`);
}
const undocumented = [...r.missing.map((t) => `${t}\tmissing`), ...r.extra.map((t) => `${t}\textra`)].filter((t) => !documented.has(t));
if (undocumented.length) {
  console.log(`\n${undocumented.length} undocumented differences (template, id, resource, direction):`);
  for (const t of undocumented) console.log("  " + t);
}
for (const c of r.crashed) console.log(`CRASH ${c}`);
