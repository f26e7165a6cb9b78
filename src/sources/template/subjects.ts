import type { SubjectOf, SubjectSuppression } from "../../engine/model";
import { toPointer, type PathSegment } from "../../parse/pointer";
import type { PositionedDocument } from "../../parse/document";
import type { JsonObject } from "../../util/objects";
import type { ResolvedResource } from "./types";

export type TemplateSubject = SubjectOf<"template">;

/** The subject for a resource itself: its type, logical id and resolved properties. */
export function resourceSubject(resource: ResolvedResource): TemplateSubject {
  return {
    type: resource.type,
    id: resource.logicalId,
    properties: resource.properties,
    source: "template",
    context: { template: resource.context },
    location: resource.location,
    ...(resource.suppressions.length > 0 ? { suppressions: resource.suppressions } : {}),
  };
}

export interface DerivedSubjectSpec {
  type: string;
  /** Defaults to the resource's logical id. */
  id?: string;
  properties: JsonObject;
  /** Path below the resource's `Properties` (in resolved names); omitted: the resource itself. */
  propertyPath?: PathSegment[];
  /** Defaults to the resource's own suppressions. */
  suppressions?: SubjectSuppression[];
}

/** Builds subjects derived from a resource (an inline rule, a policy statement), located where they are written. */
export function makeDeriver(doc: PositionedDocument) {
  return (resource: ResolvedResource, spec: DerivedSubjectSpec): TemplateSubject => {
    const suppressions = spec.suppressions ?? resource.suppressions;
    let location = resource.location;
    // Resources made by the SAM transform have no text of their own: keep the function's location.
    if (spec.propertyPath && spec.propertyPath.length > 0 && resource.generatedFrom === undefined) {
      const pointer = propertyPointer(resource, spec.propertyPath);
      location = { file: resource.location.file, pointer, ...doc.locate(pointer) };
    }
    return {
      type: spec.type,
      id: spec.id ?? resource.logicalId,
      properties: spec.properties,
      source: "template",
      context: { template: resource.context },
      location,
      ...(suppressions.length > 0 ? { suppressions } : {}),
    };
  };
}

export type Deriver = ReturnType<typeof makeDeriver>;

/** Pointer into the source text for a path in resolved property names. */
export function propertyPointer(resource: ResolvedResource, path: PathSegment[]): string {
  const [first, ...rest] = path;
  const written = first === undefined ? [] : [resource.sourceKeys.get(String(first)) ?? first];
  return toPointer(["Resources", resource.logicalId, "Properties", ...written, ...rest]);
}
