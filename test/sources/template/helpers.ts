import { loadTemplateSubjects, type TemplateSubject as Subject } from "../../../src/sources/template";
import type { TemplateOptions } from "../../../src/sources/template/types";

/** Loads a template and fails the test on any error, so each test states the errors it expects. */
export function subjectsOf(text: string, options: TemplateOptions = {}): Subject[] {
  const result = loadTemplateSubjects("t.yaml", text, options);
  expect(result.errors).toEqual([]);
  return result.subjects;
}

export function only(subjects: Subject[], type: string, id?: string): Subject {
  const found = subjects.filter((s) => s.type === type && (id === undefined || s.id === id));
  expect(found).toHaveLength(1);
  return found[0]!;
}

export function propsOf(subjects: Subject[], type: string, id?: string): Record<string, unknown> {
  return only(subjects, type, id).properties;
}
