import type { SubjectSuppression } from "../../engine/model";
import { toPointer } from "../../parse/pointer";
import { formatWhere } from "../../util/errors";
import { isObject } from "../../util/objects";
import type { ParsedTemplate, TemplateError, TemplateResource } from "./types";

/**
 * Suppressions declared in a resource's Metadata (reference §A9):
 *   cfn_nag:  Metadata.cfn_nag.rules_to_suppress: [{id, reason}]
 *   parapet:  Metadata.parapet.suppress: [{rule, reason}]
 * Each becomes a `SubjectSuppression` whose `origin` is `file:line` of the entry, so the engine can
 * report unknown rule ids and missing reasons where they were written.
 */
export function resourceSuppressions(
  template: ParsedTemplate,
  resource: TemplateResource,
  errors: TemplateError[],
): SubjectSuppression[] {
  const metadata = resource.raw["Metadata"];
  if (!isObject(metadata)) return [];
  const out: SubjectSuppression[] = [];
  const read = (owner: string, listKey: string, idKey: string) => {
    const owned = metadata[owner];
    const list = isObject(owned) ? owned[listKey] : undefined;
    if (list === undefined || list === null) return;
    const listPointer = toPointer(["Resources", resource.logicalId, "Metadata", owner, listKey]);
    if (!Array.isArray(list)) {
      const at = template.doc.locate(listPointer);
      errors.push({ file: template.file, ...at, message: `${resource.logicalId}: Metadata.${owner}.${listKey} must be a list; ignored`, severity: "warning" });
      return;
    }
    list.forEach((entry, i) => {
      const at = template.doc.locate(`${listPointer}/${i}`);
      const rule = isObject(entry) ? entry[idKey] : undefined;
      if (typeof rule !== "string" || rule === "") {
        errors.push({
          file: template.file,
          ...at,
          message: `${resource.logicalId}: suppression entry without a "${idKey}" in Metadata.${owner}.${listKey}; ignored`,
          severity: "warning",
        });
        return;
      }
      const reason = isObject(entry) ? entry["reason"] : undefined;
      out.push({
        rule,
        ...(typeof reason === "string" ? { reason } : {}),
        origin: formatWhere(template.file, at.line, at.column),
        location: { file: template.file, pointer: `${listPointer}/${i}`, ...at },
      });
    });
  };
  read("cfn_nag", "rules_to_suppress", "id");
  read("parapet", "suppress", "rule");
  return out;
}
