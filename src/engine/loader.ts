import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { DocumentParseError, parseYamlDocument, type PositionedDocument } from "../parse/yamlDocument";
import { UserError, formatWhere } from "../util/errors";
import type { Config } from "./config";
import { RuleCompileError } from "./compiler";
import type { RuleDefinition } from "./rule";
import { buildRuleSchema } from "./ruleSchema";
import { compileRule, RuleSet, type CompiledRule, type RuleSetOptions } from "./ruleset";
import { BUILTIN_RULES_DIR } from "../paths";

/** One problem in one rule file, already located. */
export interface RuleFileProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** All problems found while loading rules; the CLI prints one line per problem and exits 2. */
export class RuleLoadError extends UserError {
  constructor(readonly problems: RuleFileProblem[]) {
    super(problems.map((p) => `${formatWhere(p.file, p.line, p.column)}: ${p.message}`).join("\n"));
    this.name = "RuleLoadError";
  }
}

export interface LoadedRuleFile {
  file: string;
  definition: RuleDefinition;
  document: PositionedDocument;
}

let validator: ValidateFunction | undefined;
function validateRule(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(buildRuleSchema());
  return validator;
}

/** Rule files (`.yaml`/`.yml`) below a directory, or the file itself, sorted for stable output. */
export function findRuleFiles(target: string): string[] {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new UserError(`rules: ${target} does not exist`);
  }
  if (stat.isFile()) return [target];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(full);
    }
  };
  walk(target);
  return out;
}

/** Parses and validates one rule file. Returns problems instead of throwing, so every file is checked. */
export function readRuleFile(file: string, text?: string): LoadedRuleFile | RuleFileProblem[] {
  let source: string;
  try {
    source = text ?? readFileSync(file, "utf8");
  } catch (err) {
    return [{ file, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }];
  }
  let document: PositionedDocument;
  try {
    document = parseYamlDocument(source, { limits: { maxBytes: 1024 * 1024, maxAliasCount: 100 } });
  } catch (err) {
    if (err instanceof DocumentParseError) return [{ file, ...err.position, message: `YAML: ${err.message}` }];
    throw err;
  }
  const validate = validateRule();
  if (!validate(document.value)) {
    return pickErrors(validate.errors ?? []).map((e) => describeError(file, document, e));
  }
  const definition = document.value as RuleDefinition;
  const expected = path.basename(file).replace(/\.ya?ml$/, "");
  if (definition.id !== expected) {
    return [{ file, ...document.locate("/id"), message: `id "${definition.id}" must match the file name "${expected}"` }];
  }
  return { file, definition, document };
}

/**
 * ajv reports the same mistake several times (once per if/then/else wrapper and per alternative).
 * Keep the errors a person can act on: the deepest ones, without the wrappers.
 */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  // A failed oneOf also reports each alternative's own errors; the oneOf itself says it better.
  const oneOfs = errors.filter((e) => e.keyword === "oneOf");
  const insideOneOf = (e: ErrorObject) =>
    e.keyword !== "oneOf" && oneOfs.some((o) => o.instancePath === e.instancePath && e.schemaPath.startsWith(o.schemaPath + "/"));
  const concrete = errors.filter(
    (e) => !insideOneOf(e) && (!["if", "then", "else", "allOf", "anyOf", "oneOf", "not"].includes(e.keyword) || e.keyword === "oneOf"),
  );
  const candidates = concrete.length ? concrete : errors;
  const deepest = Math.max(...candidates.map((e) => e.instancePath.split("/").length));
  const chosen = candidates.filter((e) => e.instancePath.split("/").length === deepest);
  const seen = new Set<string>();
  return chosen.filter((e) => {
    const key = e.instancePath + e.keyword + JSON.stringify(e.params);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, 3);
}

function describeError(file: string, document: PositionedDocument, error: ErrorObject): RuleFileProblem {
  const at = error.instancePath;
  const key = at ? at.slice(1).replace(/\//g, ".") : "";
  const prefix = key ? `${key}: ` : "";
  switch (error.keyword) {
    case "additionalProperties": {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return { file, ...document.locateKey(`${at}/${escape(extra)}`), message: `${prefix}unknown key "${extra}"` };
    }
    case "required": {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { file, ...document.locate(at), message: `${prefix}missing required key "${missing}"` };
    }
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      const shown = allowed.length > 12 ? `${allowed.slice(0, 12).join(", ")}, ...` : allowed.join(", ");
      return { file, ...document.locate(at), message: `${prefix}must be one of ${shown}` };
    }
    case "oneOf":
      return {
        file,
        ...document.locate(at),
        message: at.startsWith("/tests")
          ? `${prefix}a test case needs exactly one of subject, template, record`
          : at === ""
            ? "a rule needs exactly one of match, assert"
            : `${prefix}${error.message ?? "is invalid"}`,
      };
    default:
      return { file, ...document.locate(at), message: `${prefix}${error.message ?? "is invalid"}` };
  }
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

export interface LoadOptions extends RuleSetOptions {
  /** Directories or files of rules; defaults to the built-in rules. */
  ruleDirs?: string[];
  /** Also load the built-in rules when `ruleDirs` is given (custom rules extend the set). */
  includeBuiltin?: boolean;
}

export interface LoadedRules {
  ruleSet: RuleSet;
  files: LoadedRuleFile[];
}

/** Loads, validates and compiles rules. Every file is checked; all problems are reported together. */
export function loadRules(options: LoadOptions): LoadedRules {
  const dirs = [
    ...(options.ruleDirs === undefined || options.includeBuiltin ? [BUILTIN_RULES_DIR] : []),
    ...(options.ruleDirs ?? []),
  ];
  const problems: RuleFileProblem[] = [];
  const files: LoadedRuleFile[] = [];
  const compiled: CompiledRule[] = [];
  const seen = new Map<string, string>();
  for (const file of [...new Set(dirs.flatMap(findRuleFiles))]) {
    const result = readRuleFile(file);
    if (Array.isArray(result)) {
      problems.push(...result);
      continue;
    }
    const { definition, document } = result;
    const previous = seen.get(definition.id);
    if (previous) {
      problems.push({ file, ...document.locate("/id"), message: `duplicate rule id "${definition.id}" (also in ${previous})` });
      continue;
    }
    seen.set(definition.id, file);
    try {
      compiled.push(compileRule(definition, file, options));
      files.push(result);
    } catch (err) {
      if (err instanceof RuleCompileError) {
        problems.push({ file, ...document.locate(err.pointer), message: `${err.pointer.slice(1).replace(/\//g, ".")}: ${err.message}` });
      } else throw err;
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  return { ruleSet: new RuleSet(compiled, options.config), files };
}
