import { readFileSync } from "node:fs";
import path from "node:path";
import type { RuleSet } from "../engine/ruleset";
import { expandInputPaths } from "../pipeline/files";
import { lintTemplateText, TEMPLATE_EXTENSIONS } from "../pipeline/lint";

/**
 * Compares parapet with cfn_nag on cfn_nag's own test templates, as (template, cfn_nag id, logical
 * resource id) triples. parapet findings map to cfn_nag ids through `references.cfnNag`; a template
 * that cannot be analysed maps to cfn_nag's FATAL.
 */
export interface ConformanceResult {
  expected: Set<string>;
  actual: Set<string>;
  missing: string[];
  extra: string[];
  templates: number;
  crashed: string[];
}

export const triple = (template: string, id: string, resource: string) => `${template}\t${id}\t${resource}`;

export function readExpected(tsvFile: string): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync(tsvFile, "utf8").split("\n").slice(1)) {
    const [template, id, , resources] = line.split("\t");
    if (!template || !id || id === "(none)") continue;
    if (id === "FATAL") out.add(triple(template, "FATAL", ""));
    else for (const r of (resources ?? "").split(",").filter(Boolean)) out.add(triple(template, id, r));
  }
  return out;
}

export function runConformance(corpusDir: string, ruleSet: RuleSet): ConformanceResult {
  const templatesDir = path.join(corpusDir, "templates");
  const expected = readExpected(path.join(corpusDir, "expected.tsv"));
  const actual = new Set<string>();
  const crashed: string[] = [];
  const files = expandInputPaths([templatesDir], TEMPLATE_EXTENSIONS);
  for (const file of files) {
    const rel = path.relative(templatesDir, file).split(path.sep).join("/");
    try {
      const { findings } = lintTemplateText(file, readFileSync(file, "utf8"), { ruleSet });
      for (const f of findings) {
        if (f.ruleId === "template-invalid") actual.add(triple(rel, "FATAL", ""));
        for (const id of f.references.cfnNag ?? []) actual.add(triple(rel, id, f.subject.id));
      }
    } catch (err) {
      crashed.push(`${rel}: ${(err as Error).message}`);
    }
  }
  return {
    expected,
    actual,
    missing: [...expected].filter((t) => !actual.has(t)).sort(),
    extra: [...actual].filter((t) => !expected.has(t)).sort(),
    templates: files.length,
    crashed,
  };
}

/** Differences accepted with a reason: `template, cfn_nag id, logical id, missing|extra, reason`. */
export function readDifferences(file: string): Map<string, { direction: string; reason: string }> {
  const out = new Map<string, { direction: string; reason: string }>();
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n").slice(1)) {
    const [template, id, resource, direction, reason] = line.split("\t");
    if (!template || !id || !direction) continue;
    out.set(`${triple(template, id, resource ?? "")}\t${direction}`, { direction, reason: reason ?? "" });
  }
  return out;
}
