import type { ConditionValues } from "../sources/template";
import { UserError } from "../util/errors";
import { didYouMean } from "../util/suggest";

/**
 * A condition-values file may only name conditions the linted templates declare: a misspelled name
 * would leave the real condition at its default (true) without a word. Several templates are linted
 * with one file, so a name is known when any of them declares it. Nothing can be decided when the
 * declared names are unknown (a template did not parse, or none was linted).
 */
export function checkConditionNames(values: ConditionValues, declared: ReadonlySet<string> | undefined, file: string): void {
  if (declared === undefined) return;
  const unknown = Object.keys(values).filter((name) => !declared.has(name));
  if (unknown.length === 0) return;
  throw new UserError(
    unknown
      .map((name) => `${file}: condition "${name}" is declared by no linted template${didYouMean(name, declared)}`)
      .join("\n"),
  );
}
