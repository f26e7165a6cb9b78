import { DEFAULT_LIMITS, DocumentParseError, type ParseLimits, type PositionedDocument } from "../../parse/document";
import { parseFastYaml } from "../../parse/fastYaml";
import type { Tags } from "yaml";
import { jsonDocument } from "./jsonDocument";
import { toPointer } from "../../parse/pointer";
import { isObject, isPrototypeKey } from "../../util/objects";
import { SHORT_FORM_KEYS } from "./shortFormKeys";
import type { ParsedTemplate, TemplateError, TemplateResource } from "./types";

export interface ParseTemplateOptions {
  limits?: Partial<ParseLimits>;
}

export type ParseTemplateResult =
  | { ok: true; template: ParsedTemplate; errors: TemplateError[] }
  | { ok: false; errors: TemplateError[] };

/**
 * Parses a CloudFormation template (YAML with short forms, or JSON) and checks the shape every
 * later step relies on. Never throws: anything wrong with the text becomes a `TemplateError`.
 * `errors` on success lists resources or parameters that were skipped (e.g. a resource without `Type`).
 */
export function parseTemplateText(text: string, file: string, options: ParseTemplateOptions = {}): ParseTemplateResult {
  const fail = (message: string, line?: number, column?: number): ParseTemplateResult => ({
    ok: false,
    errors: [{ file, line, column, message }],
  });
  if (text.trim() === "") return fail("empty template");

  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let doc: PositionedDocument;
  if (looksLikeJson(text)) {
    // cfn_nag requires JSON-looking text to be strictly valid JSON.
    if (Buffer.byteLength(text, "utf8") > limits.maxBytes) return fail(`document is larger than the ${limits.maxBytes}-byte limit`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const where = jsonErrorPosition(text, (err as Error).message);
      return fail(`invalid JSON: ${where.message}`, where.line, where.column);
    }
    doc = jsonDocument(text, value);
  } else {
    try {
      // The `yaml` tag definitions load only if the exact reader is needed (see fastYaml.ts).
      const customTags = (defaults: Tags) => (require("./shortForms") as typeof import("./shortForms")).templateTags(defaults);
      doc = parseFastYaml(text, { limits, customTags, tagKeys: SHORT_FORM_KEYS });
    } catch (err) {
      if (err instanceof DocumentParseError) return fail(err.message, err.position?.line, err.position?.column);
      // Deeply nested input can exhaust the stack inside the YAML library; report, never crash.
      return fail(`cannot parse template: ${(err as Error).message}`);
    }
  }

  const root = doc.value;
  if (!isObject(root)) return fail("not a CloudFormation template: the document is not a map", 1, 1);
  const resourcesValue = root["Resources"];
  if (!isObject(resourcesValue) || Object.keys(resourcesValue).length === 0) {
    const where = resourcesValue === undefined ? { line: 1, column: 1 } : doc.locate("/Resources");
    return fail("not a CloudFormation template: no Resources (a non-empty map is required)", where.line, where.column);
  }

  const errors: TemplateError[] = [];
  const resources: TemplateResource[] = [];
  for (const [logicalId, raw] of Object.entries(resourcesValue)) {
    const pointer = toPointer(["Resources", logicalId]);
    if (isPrototypeKey(logicalId)) {
      errors.push({ file, ...doc.locateKey(pointer), message: `resource ${logicalId}: not a valid logical id; it is skipped` });
      continue;
    }
    const type = isObject(raw) ? raw["Type"] : undefined;
    if (!isObject(raw) || typeof type !== "string") {
      const where = doc.locateKey(pointer);
      errors.push({ file, ...where, message: `resource ${logicalId} has no Type (a string is required); it is skipped` });
      continue;
    }
    resources.push({ logicalId, type, raw, position: doc.locate(`${pointer}/Type`) });
  }

  const parameters = root["Parameters"];
  if (isObject(parameters)) {
    for (const [name, declaration] of Object.entries(parameters)) {
      if (!isObject(declaration) || declaration["Type"] === undefined || declaration["Type"] === null) {
        const where = doc.locateKey(toPointer(["Parameters", name]));
        errors.push({ file, ...where, message: `parameter ${name} has no Type` });
      }
    }
  }
  return { ok: true, template: { file, root, doc, resources }, errors };
}

/** cfn_nag reads text that starts with `{` and has a closing `}` as JSON, and requires it to be valid. */
function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith("{") && text.includes("}");
}

function jsonErrorPosition(text: string, message: string): { message: string; line?: number; column?: number } {
  const at = /at position (\d+)/.exec(message);
  if (!at) return { message };
  const offset = Number(at[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { message: message.replace(/ in JSON at position \d+.*$/, ""), line, column };
}
