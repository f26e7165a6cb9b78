import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { loadTemplateSubjects } from "../../../src/sources/template";
import { jsonDocument } from "../../../src/sources/template/jsonDocument";
import { parseYamlDocument } from "../../../src/parse/yamlDocument";

const CORPUS = join(__dirname, "../../fixtures/conformance/cfn_nag/templates");
const EXPECTED = join(__dirname, "../../fixtures/conformance/cfn_nag/expected.tsv");

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Templates for which cfn_nag itself reports FATAL (it could not analyse them either). */
function fatalInCfnNag(): Set<string> {
  const rows = readFileSync(EXPECTED, "utf8").split("\n").slice(1);
  return new Set(rows.filter((r) => r.split("\t")[1] === "FATAL").map((r) => r.split("\t")[0]!));
}

describe("cfn_nag conformance corpus", () => {
  const files = listFiles(CORPUS);
  const texts = files.map((f) => [relative(CORPUS, f), readFileSync(f, "utf8")] as const);

  test("every template loads without throwing, and fails only where cfn_nag also fails", () => {
    const fatal = fatalInCfnNag();
    const unexpected: string[] = [];
    let subjects = 0;
    for (const [name, text] of texts) {
      const result = loadTemplateSubjects(name, text);
      subjects += result.subjects.length;
      const hardErrors = result.errors.filter((e) => e.severity !== "warning");
      if ((result.subjects.length === 0) !== fatal.has(name)) {
        unexpected.push(`${name}: ${hardErrors.map((e) => `${e.line}:${e.message}`).join("; ") || "no subjects"}`);
      }
    }
    expect(files.length).toBe(369);
    expect(unexpected).toEqual([]);
    expect(subjects).toBeGreaterThan(900);
  });

  test("every logical id cfn_nag reports is the id of a subject of that template, at the same line", () => {
    const rows = readFileSync(EXPECTED, "utf8").split("\n").slice(1).filter((r) => r.trim() !== "");
    const byTemplate = new Map(texts);
    const missing: string[] = [];
    for (const row of rows) {
      const [template, ruleId, , ids, lines] = row.split("\t");
      if (!ids || ruleId === "FATAL") continue;
      const subjects = loadTemplateSubjects(template!, byTemplate.get(template!)!).subjects;
      const seen = new Set(subjects.map((s) => `${s.id}@${s.location.line}`));
      const lineList = lines!.split(",");
      ids.split(",").forEach((id, i) => {
        if (!seen.has(`${id}@${lineList[i]}`)) missing.push(`${template} ${ruleId} ${id}@${lineList[i]}`);
      });
    }
    expect(missing).toEqual([]);
  });

  test("the JSON fast path agrees with the YAML reader on values and positions", () => {
    let compared = 0;
    for (const [name, text] of texts) {
      if (!text.trimStart().startsWith("{")) continue;
      let viaYaml;
      try {
        viaYaml = parseYamlDocument(text);
      } catch {
        continue; // e.g. duplicate keys, which JSON (and cfn_nag) accept
      }
      const viaJson = jsonDocument(text, JSON.parse(text));
      expect(viaJson.value).toEqual(viaYaml.value);
      const resources = (viaJson.value as any).Resources ?? {};
      for (const id of Object.keys(resources)) {
        for (const pointer of [`/Resources/${id}/Type`, `/Resources/${id}/Properties`, `/Resources/${id}/Properties/Tags/0/Key`]) {
          expect([name, pointer, viaJson.locate(pointer)]).toEqual([name, pointer, viaYaml.locate(pointer)]);
          expect([name, pointer, viaJson.locateKey(pointer)]).toEqual([name, pointer, viaYaml.locateKey(pointer)]);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  test("the whole corpus loads well within the lint budget", () => {
    const start = performance.now();
    for (const [name, text] of texts) loadTemplateSubjects(name, text, { parameterValues: {} });
    const elapsed = performance.now() - start;
    // Budget for the whole lint is 0.5 s; parsing must leave most of it to rules (generous for CI noise).
    expect(elapsed).toBeLessThan(1500);
  });
});
