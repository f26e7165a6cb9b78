import type { ExceptionEntry } from "./config";
import type { Finding, Subject } from "./model";

/** Glob with `*` and `?`, anchored, case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

interface CompiledException {
  index: number;
  reason: string;
  rules?: Set<string>;
  resources?: RegExp[];
  accounts?: Set<string>;
  actors?: RegExp[];
}

/**
 * Configuration exceptions: every given criterion must match (rule, resource, account, actor); an
 * exception whose `expires` date has passed no longer applies, so accepted risks get re-reviewed.
 */
export class ExceptionMatcher {
  private readonly active: CompiledException[];

  constructor(entries: readonly ExceptionEntry[], today: string = new Date().toISOString().slice(0, 10)) {
    this.active = entries
      .map((e, index) => ({ e, index }))
      .filter(({ e }) => !e.expires || e.expires >= today)
      .map(({ e, index }) => ({
        index,
        reason: e.reason,
        rules: e.rules ? new Set(e.rules) : undefined,
        resources: e.resources?.map(globToRegExp),
        accounts: e.accounts ? new Set(e.accounts) : undefined,
        actors: e.actors?.map(globToRegExp),
      }));
  }

  /** The matching exception's description, or undefined. `ruleIds` are the rule's id and reference ids. */
  match(finding: Finding, subject: Subject, ruleIds: readonly string[]): { reason: string; origin: "configuration"; by: string } | undefined {
    for (const ex of this.active) {
      if (ex.rules && !ruleIds.some((id) => ex.rules!.has(id))) continue;
      if (ex.resources && !ex.resources.some((re) => re.test(finding.subject.id))) continue;
      const account = accountOf(subject);
      if (ex.accounts && (!account || !ex.accounts.has(account))) continue;
      const actor = subject.source === "cloudtrail" ? subject.context.event?.actor : undefined;
      if (ex.actors && (!actor || !ex.actors.some((re) => re.test(actor)))) continue;
      return { reason: ex.reason, origin: "configuration", by: `config exception #${ex.index + 1}` };
    }
    return undefined;
  }
}

function accountOf(subject: Subject): string | undefined {
  if (subject.source === "cloudtrail") return subject.context.event?.accountId;
  if (subject.source === "flowlog") return subject.context.flow?.accountId;
  return undefined;
}
