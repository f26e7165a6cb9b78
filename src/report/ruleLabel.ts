import type { Finding } from "../engine/model";

type RuleOf = Pick<Finding, "ruleId" | "references">;

/** The cfn_nag ids a finding's rule stands for, comma-joined without spaces (`F14`, `W9,W2`), if any. */
export function cfnNagIds(finding: RuleOf): string | undefined {
  const ids = finding.references.cfnNag ?? [];
  return ids.length > 0 ? ids.join(",") : undefined;
}

/**
 * `s3-bucket-no-public-read-write-acl (F14)`: parapet's rule id, then the cfn_nag ids it stands for,
 * which is what people moving from cfn_nag know the check by (and what their suppressions may name).
 * A rule without a cfn_nag counterpart shows its id alone.
 */
export function ruleLabel(finding: RuleOf): string {
  const ids = cfnNagIds(finding);
  return ids ? `${finding.ruleId} (${ids})` : finding.ruleId;
}
