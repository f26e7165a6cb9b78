import type { Subject } from "../engine/model";

/**
 * Turns a test case's raw input into subjects through the real source adapter, so a rule's cases
 * test the rule as users meet it (a template snippet, a CloudTrail record), not a hand-made subject.
 */
export interface CaseInputAdapters {
  template(input: unknown, label: string): Subject[];
  record(input: unknown, label: string): Subject[];
}

export const caseInputAdapters: CaseInputAdapters = {
  template: () => {
    throw new Error("template cases need the template adapter (not wired yet)");
  },
  record: () => {
    throw new Error("record cases need the CloudTrail adapter (not wired yet)");
  },
};
