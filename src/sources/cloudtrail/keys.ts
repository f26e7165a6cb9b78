/**
 * Which S3 keys are CloudTrail log files. A trail's bucket also holds digest files, Insights files and
 * often other services' logs (`AWSLogs/<account>/Config/...`); only `.../CloudTrail/...json.gz` is read.
 * Layouts: `[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>` and, for organization
 * trails, `[prefix/]AWSLogs/<o-id>/<account>/CloudTrail/...`.
 */

export interface LogKeyFacts {
  /** Account folder the file was filed under (not necessarily the records' account). */
  accountId?: string;
  organizationId?: string;
  region?: string;
}

export type KeyVerdict = ({ ok: true } & LogKeyFacts) | { ok: false; reason: string };

const LAYOUT = /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/([^/]+)\/([^/]+)\//;

export function classifyLogKey(key: string): KeyVerdict {
  if (key.includes("CloudTrail-Digest")) return { ok: false, reason: "CloudTrail digest file (integrity validation), not a log file" };
  if (key.includes("CloudTrail-Insight")) return { ok: false, reason: "CloudTrail Insights file, not an API activity log" };
  if (key.endsWith("/")) return { ok: false, reason: "folder marker" };
  if (!key.endsWith(".json.gz")) return { ok: false, reason: "not a CloudTrail log file (.json.gz)" };
  const match = LAYOUT.exec(key);
  if (match === null) return { ok: true };
  const [, organizationId, accountId, service, region] = match;
  if (service !== "CloudTrail") return { ok: false, reason: `${service} file under AWSLogs, not a CloudTrail log` };
  const facts: { ok: true } & LogKeyFacts = { ok: true };
  if (accountId !== undefined) facts.accountId = accountId;
  if (organizationId !== undefined) facts.organizationId = organizationId;
  if (region !== undefined) facts.region = region;
  return facts;
}
