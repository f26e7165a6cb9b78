import type { TemplateContext } from "../../engine/model";
import { toPointer } from "../../parse/pointer";
import { isObject, isPrototypeKey, type JsonObject } from "../../util/objects";
import { copyPlain, createResolver, type Resolver } from "./intrinsics";
import { linkedNetworkAclEntries, markOverlappingPortRanges } from "./networkAcls";
import { parseTemplateText } from "./parse";
import { policySubjects } from "./policies";
import { expandSamFunctions } from "./sam";
import { EGRESS, INGRESS, SECURITY_GROUP, securityGroupSubjects } from "./securityGroups";
import { makeDeriver, resourceSubject, type TemplateSubject } from "./subjects";
import { resourceSuppressions } from "./suppressions";
import type { ParsedTemplate, ResolvedResource, TemplateError, TemplateOptions } from "./types";

export { parseTemplateText } from "./parse";
export { readConditionValuesFile, readParameterValuesFile, parseConditionValues, parseParameterValues } from "./valuesFiles";
export type { ConditionValues, ParameterValues, TemplateError, TemplateOptions } from "./types";
export type { TemplateSubject } from "./subjects";

export interface TemplateSubjects {
  /** Template subjects (`source: "template"`); assignable to `Subject[]`. */
  subjects: TemplateSubject[];
  errors: TemplateError[];
  /** Names declared under `Conditions` (for checking a condition-values file); undefined when the file did not parse. */
  conditions?: string[];
}

/**
 * The template source adapter: text of one template file -> subjects (see docs/subjects.md,
 * "Template subjects"). Never throws; a file that cannot be analysed yields errors and no subjects,
 * a resource that cannot be analysed yields an error and the rest of the file is still analysed.
 */
export function loadTemplateSubjects(file: string, text: string, options: TemplateOptions = {}): TemplateSubjects {
  try {
    const parsed = parseTemplateText(text, file);
    if (!parsed.ok) return { subjects: [], errors: parsed.errors };
    const errors = [...parsed.errors];
    const conditions = isObject(parsed.template.root["Conditions"]) ? Object.keys(parsed.template.root["Conditions"]) : [];
    return { subjects: templateSubjects(parsed.template, options, errors), errors, conditions };
  } catch (err) {
    return { subjects: [], errors: [{ file, message: `cannot analyse template: ${(err as Error).message}` }] };
  }
}

function templateSubjects(template: ParsedTemplate, options: TemplateOptions, errors: TemplateError[]): TemplateSubject[] {
  const resolver = createResolver(template.root, options);
  const parameters = declaredParameters(template.root);
  const resolved: ResolvedResource[] = [];
  for (const resource of template.resources) {
    try {
      resolved.push(resolveResource(template, resource, resolver, parameters, errors));
    } catch (err) {
      const at = template.doc.locateKey(toPointer(["Resources", resource.logicalId]));
      errors.push({ file: template.file, ...at, message: `resource ${resource.logicalId} cannot be analysed: ${(err as Error).message}` });
    }
  }

  const generated = new Map<string, ResolvedResource[]>();
  for (const g of expandSamFunctions(template.root, resolved, resolver)) {
    const list = generated.get(g.generatedFrom!) ?? [];
    list.push(g);
    generated.set(g.generatedFrom!, list);
  }
  const all = resolved.flatMap((r) => [r, ...(generated.get(r.logicalId) ?? [])]);
  markOverlappingPortRanges(all);

  const groups = new Map<string, ResolvedResource>();
  for (const r of all) if (r.type === SECURITY_GROUP) groups.set(r.logicalId, r);

  const derive = makeDeriver(template.doc);
  const subjects: TemplateSubject[] = [];
  for (const r of all) {
    // Standalone ingress/egress resources appear only as gathered (§A7): see securityGroups.ts.
    if (r.type !== INGRESS && r.type !== EGRESS) subjects.push(resourceSubject(r));
    subjects.push(...securityGroupSubjects(r, groups, derive));
    subjects.push(...policySubjects(r, derive));
  }
  subjects.push(...linkedNetworkAclEntries(all, derive));
  return subjects;
}

function resolveResource(
  template: ParsedTemplate,
  resource: ParsedTemplate["resources"][number],
  resolver: Resolver,
  parameters: TemplateContext["parameters"],
  errors: TemplateError[],
): ResolvedResource {
  const { properties, sourceKeys } = resolver.resolveProperties(resource.raw["Properties"]);
  normalizeTags(properties);
  const metadata = resource.raw["Metadata"];
  return {
    logicalId: resource.logicalId,
    type: resource.type,
    properties,
    sourceKeys,
    suppressions: resourceSuppressions(template, resource, errors),
    location: { file: template.file, pointer: toPointer(["Resources", resource.logicalId]), ...resource.position },
    context: {
      logicalId: resource.logicalId,
      resourceType: resource.type,
      parameters,
      ...(metadata !== undefined ? { metadata: copyPlain(metadata) } : {}),
    },
  };
}

/**
 * The subject contract says `Tags` is always a list of `{Key, Value}`: types that take a map
 * (SAM, SSM parameters, ...) are converted. Intrinsic objects (`{Ref: ...}`, `{"Fn::If": ...}`) are left alone.
 */
function normalizeTags(properties: JsonObject): void {
  const tags = properties["Tags"];
  if (!isObject(tags)) return;
  const keys = Object.keys(tags);
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"))) return;
  properties["Tags"] = keys.map((Key) => ({ Key, Value: tags[Key] }));
}

/** NoEcho / Default / Type of every declared parameter, as written (password rules read them). */
function declaredParameters(root: JsonObject): NonNullable<TemplateContext["parameters"]> {
  const out: NonNullable<TemplateContext["parameters"]> = {};
  const declared = root["Parameters"];
  if (!isObject(declared)) return out;
  for (const [name, declaration] of Object.entries(declared)) {
    if (!isObject(declaration) || isPrototypeKey(name)) continue;
    const facts: { NoEcho?: unknown; Default?: unknown; Type?: unknown } = {};
    for (const key of ["NoEcho", "Default", "Type"] as const) {
      if (declaration[key] !== undefined) facts[key] = copyPlain(declaration[key]);
    }
    out[name] = facts;
  }
  return out;
}
