import { readFileSync } from "node:fs";
import type { RuleSet } from "../engine/ruleset";
import { UserError } from "../util/errors";
import { isObject } from "../util/objects";

/**
 * cfn_nag's rule selection files. A profile is an allow-list: one rule id per line (cfn_nag or
 * parapet ids, `#` comments). A deny list is either the same kind of list or cfn_nag's YAML
 * `RulesToSuppress: [{id, reason}]`. Unknown ids are errors: a typo must not silently run everything.
 */
export function readRuleIdFile(file: string, ruleSet: RuleSet, kind: "profile" | "deny list"): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${kind} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const ids: Array<{ id: string; line: number }> = [];
  if (/^\s*RulesToSuppress\s*:/m.test(text)) {
    let doc: unknown;
    try {
      doc = (require("yaml") as typeof import("yaml")).parse(text, { maxAliasCount: 100 }); // only for deny lists in YAML
    } catch (err) {
      throw new UserError(`${file}: not valid YAML (${(err as Error).message.split("\n")[0]})`);
    }
    const list = isObject(doc) ? doc.RulesToSuppress : undefined;
    if (!Array.isArray(list)) throw new UserError(`${file}: RulesToSuppress must be a list of {id, reason}`);
    list.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.id !== "string") throw new UserError(`${file}: RulesToSuppress[${i}] needs an id`);
      ids.push({ id: entry.id, line: 0 });
    });
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const id = raw.replace(/#.*/, "").trim();
      if (id) ids.push({ id, line: i + 1 });
    });
  }
  const out = new Set<string>();
  for (const { id, line } of ids) {
    const rules = ruleSet.rulesNamed(id);
    if (rules.length === 0) throw new UserError(`${file}${line ? `:${line}` : ""}: unknown rule id "${id}" in ${kind}`);
    rules.forEach((r) => out.add(r.id));
  }
  return out;
}
