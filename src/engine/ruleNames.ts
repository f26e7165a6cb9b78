/**
 * Checks that what a rule names exists: its subject types (`types:`, `related.type`) and the fields
 * its message quotes. The schema cannot see these mistakes, and the engine would never report them:
 * a misspelled type is a rule that never fires, a misspelled field a message that says "(none)".
 * Run at load for every rule file that is not already validated in the build's rule bundle.
 */
import type { Condition, RuleDefinition } from "./rule";
import { messagePlaceholders } from "./message";
import { parsePlainPath } from "./selectors";
import { CONTEXT_FIELDS, SUBJECT_FIELDS, isKnownSubjectType, knownSubjectTypes, propertiesOf } from "./subjectFields";
import { didYouMean } from "../util/suggest";

/** A mistake in a rule, at a JSON pointer into its file. */
export interface RuleNameProblem {
  pointer: string;
  message: string;
}

const LOCATION_FIELDS = ["file", "pointer", "line", "column"];

/**
 * Problems with the names a rule uses. `types` is the rule's resolved type list (a `$config` list is
 * checked where the configuration is loaded, so only literal types are reported here).
 */
export function checkRuleNames(definition: RuleDefinition, types: readonly string[]): RuleNameProblem[] {
  const problems: RuleNameProblem[] = [];
  if (Array.isArray(definition.types)) {
    definition.types.forEach((type, i) => {
      const problem = unknownType(type);
      if (problem) problems.push({ pointer: `/types/${i}`, message: `types: ${problem}` });
    });
  }
  for (const key of ["when", "match", "assert"] as const) {
    const condition = definition[key];
    if (condition) visitRelated(condition, `/${key}`, (type, pointer) => {
      const problem = unknownType(type);
      if (problem) problems.push({ pointer, message: `${pointer.slice(1).replace(/\//g, ".")}: ${problem}` });
    });
  }
  for (const alternatives of messagePlaceholders(definition.message)) {
    for (const path of alternatives) {
      const problem = path === "explain" ? undefined : unknownField(path, types);
      if (problem) problems.push({ pointer: "/message", message: `message: {{${path}}}: ${problem}` });
    }
  }
  return problems;
}

function unknownType(type: string): string | undefined {
  if (type === "*" || isKnownSubjectType(type)) return undefined;
  return `unknown resource type "${type}"${didYouMean(type, knownSubjectTypes())}`;
}

function visitRelated(condition: Condition, pointer: string, visit: (type: string, pointer: string) => void): void {
  if ("all" in condition) condition.all.forEach((c, i) => visitRelated(c, `${pointer}/all/${i}`, visit));
  else if ("any" in condition) condition.any.forEach((c, i) => visitRelated(c, `${pointer}/any/${i}`, visit));
  else if ("not" in condition) visitRelated(condition.not, `${pointer}/not`, visit);
  else if ("related" in condition) {
    visit(condition.related.type, `${pointer}/related/type`);
    if (condition.related.where) visitRelated(condition.related.where, `${pointer}/related/where`, visit);
  }
}

/**
 * What is wrong with a message field for subjects of these types, or undefined. Only the names a
 * path starts with are checked (the subject field, the top-level property, the context part and its
 * field): deeper values (`requestParameters.bucketName`) are the input's own and cannot be known.
 */
function unknownField(path: string, types: readonly string[]): string | undefined {
  const names = leadingNames(path);
  if (names === undefined || names.length === 0) return undefined;
  const [root, second, third] = names;
  if (!(SUBJECT_FIELDS as readonly string[]).includes(root![0]!)) {
    return `a subject has no field "${root![0]}"${hint(root![0]!, SUBJECT_FIELDS)}`;
  }
  if (second === undefined) return undefined;
  switch (root![0]) {
    case "properties":
      return unknownProperty(second, types);
    case "context": {
      for (const part of second) {
        const fields = CONTEXT_FIELDS[part];
        if (!fields) return `no source gives a context "${part}"${hint(part, Object.keys(CONTEXT_FIELDS))}`;
        for (const field of third ?? []) {
          if (!fields.includes(field)) return `context.${part} has no field "${field}"${hint(field, fields)}`;
        }
      }
      return undefined;
    }
    case "location":
      {
      const bad = second.find((f) => !LOCATION_FIELDS.includes(f));
      return bad === undefined ? undefined : `location has no field "${bad}"${hint(bad, LOCATION_FIELDS)}`;
    }
    default:
      return `${root![0]} has no fields`;
  }
}

/** "did you mean" when a name is close, else the short list of what there is. */
function hint(typed: string, known: readonly string[]): string {
  return didYouMean(typed, known) || ` (known: ${known.join(", ")})`;
}

function unknownProperty(names: readonly string[], types: readonly string[]): string | undefined {
  if (types.includes("*")) return undefined;
  const known = new Set<string>();
  for (const type of types) {
    const properties = propertiesOf(type);
    if (properties === undefined) return undefined; // a custom resource: any property may occur
    for (const p of properties) known.add(p);
  }
  const missing = names.find((n) => !known.has(n));
  if (missing === undefined) return undefined;
  const shown = types.length > 3 ? `${types.slice(0, 3).join(", ")}, ...` : types.join(", ");
  const owners = types.length === 1 ? `${types[0]} has no property` : `none of ${shown} has a property`;
  return `${owners} "${missing}"${didYouMean(missing, known)}`;
}

/**
 * The key names at the start of a selector, one list per step (a union `[a,b]` gives two), up to
 * the first step that is not a plain key (a wildcard, an index, a filter, recursive descent).
 */
function leadingNames(path: string): string[][] | undefined {
  const plainPrefix = path.split(/\.\.|\[\?|\[\(/)[0]!;
  const steps = parsePlainPath(plainPrefix);
  if (!steps) return undefined;
  const out: string[][] = [];
  for (const step of steps) {
    if (step.kind === "key") out.push([step.key]);
    else if (step.kind === "keys") out.push(step.keys);
    else break;
  }
  return out;
}
