import type { Subject } from "../engine/model";
import { loadTemplateSubjects } from "../sources/template";
import { recordsToSubjects } from "../sources/cloudtrail/subjects";

/**
 * Turns a test case's raw input into subjects through the real source adapter, so a rule's cases
 * test the rule as users meet it (a template snippet, a CloudTrail record), not a hand-made subject.
 */
export interface CaseInputAdapters {
  template(input: unknown, label: string): Subject[];
  record(input: unknown, label: string): Subject[];
}

export const caseInputAdapters: CaseInputAdapters = {
  template: (input, label) => {
    // A case may give the template as YAML text (to use short-form tags) or as a mapping; a mapping
    // goes through JSON so its quoted strings stay strings under the adapter's YAML 1.1 reading.
    const text = typeof input === "string" ? input : JSON.stringify(input);
    const { subjects, errors } = loadTemplateSubjects(label, text);
    if (errors.length) throw new Error(`template case does not load: ${errors[0]!.message}`);
    return subjects;
  },
  record: (input, label) => {
    const { subjects, errors } = recordsToSubjects([input], label);
    if (errors.length) throw new Error(`record case does not load: ${errors[0]!.message}`);
    return subjects;
  },
};
