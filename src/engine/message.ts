import { compileSelector } from "./selectors";
import type { Subject } from "./model";
import { scalarText } from "./operators/basic";

/**
 * Message templates: `{{properties.CidrIp}}` quotes a subject field, `{{a | b}}` the first of several
 * that has a value, `{{explain}}` joins what the deciding operators reported. Compiled once per rule.
 */
export type MessageRenderer = (subject: Subject, explanations: readonly string[]) => string;

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

/**
 * The placeholders of a message, each as its alternatives (`{{a | b}}` → `["a", "b"]`); `explain`
 * stands alone. For checking at load that every placeholder names a field the rule's subjects have.
 */
export function messagePlaceholders(template: string): string[][] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => (m[1] === "explain" ? ["explain"] : m[1]!.split("|").map((p) => p.trim())));
}

export function compileMessage(template: string): MessageRenderer {
  const parts: Array<string | ((s: Subject, e: readonly string[]) => string)> = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, m.index));
    const path = m[1]!;
    if (path === "explain") {
      parts.push((_s, explanations) => explanations.filter(Boolean).join("; ") || "no detail");
    } else {
      // `{{a | b}}`: the first alternative that has a value (an entry has CidrIp or CidrIpv6).
      const selectors = path.split("|").map((p) => compileSelector(p.trim(), { fastPath: true }));
      parts.push((s) => {
        for (const select of selectors) {
          const values = select(s);
          if (values.length) return render(values);
        }
        return render([]);
      });
    }
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return (subject, explanations) => parts.map((p) => (typeof p === "string" ? p : p(subject, explanations))).join("");
}

function render(values: unknown[]): string {
  if (values.length === 0) return "(none)";
  return values
    .flatMap((v) => (Array.isArray(v) && v.every((item) => scalarText(item) !== undefined) ? v : [v]))
    .map((v) => scalarText(v) ?? JSON.stringify(v))
    .join(", ")
    .slice(0, 200);
}
