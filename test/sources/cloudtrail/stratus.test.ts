/**
 * The Stratus Red Team detonation logs through the real path — read the file, normalize the records,
 * evaluate the whole built-in rule set — against test/fixtures/stratus-expectations.json: each
 * technique raises exactly the listed rules and none of those it must not.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkConfig, defaultConfiguration, loadRules } from "../../../src/engine";
import { readCloudTrailFile, recordsToSubjects } from "../../../src/sources/cloudtrail";
import { deepMerge } from "../../../src/util/objects";

const FIXTURES = join(__dirname, "../../fixtures");
const STRATUS = join(FIXTURES, "conformance/cloudtrail/stratus");

interface Expectation {
  raises: string[];
  mustNotRaise: string[];
  why: string;
}
const expectations = JSON.parse(readFileSync(join(FIXTURES, "stratus-expectations.json"), "utf8")) as {
  businessHours: Record<string, unknown>;
  techniques: Record<string, Expectation>;
};

// Event times decide the business-hours rule: pin its window so the outcome never depends on the default time zone.
const config = checkConfig(deepMerge(defaultConfiguration(), { businessHours: expectations.businessHours }), "stratus test config");
const { ruleSet, files } = loadRules({ config });
const ruleIds = new Set(files.map((f) => f.definition.id));

async function raisedBy(technique: string): Promise<{ rules: string[]; errors: string[] }> {
  const file = await readCloudTrailFile(join(STRATUS, technique));
  const { subjects, errors } = recordsToSubjects(file.records, file.file);
  const { findings } = ruleSet.evaluate(subjects);
  return { rules: [...new Set(findings.map((f) => f.ruleId))].sort(), errors: errors.map((e) => e.message) };
}

test("every technique file in the corpus has an expectation, and every expectation a file", () => {
  const files = readdirSync(STRATUS).filter((f) => f.endsWith(".json")).sort();
  expect(Object.keys(expectations.techniques).sort()).toEqual(files);
});

test("expectations name only rules that exist and never both raise and forbid one", () => {
  for (const [technique, { raises, mustNotRaise }] of Object.entries(expectations.techniques)) {
    expect([technique, [...raises, ...mustNotRaise].filter((id) => !ruleIds.has(id))]).toEqual([technique, []]);
    expect([technique, raises.filter((id) => mustNotRaise.includes(id))]).toEqual([technique, []]);
  }
});

describe.each(Object.entries(expectations.techniques))("%s", (technique, expected) => {
  it(`raises exactly [${expected.raises.join(", ")}]`, async () => {
    const { rules, errors } = await raisedBy(technique);
    expect(errors).toEqual([]);
    expect(rules).toEqual([...expected.raises].sort());
    expect(rules.filter((id) => expected.mustNotRaise.includes(id))).toEqual([]);
  });
});

test("the business-hours rule follows the configured time zone, not the machine's", async () => {
  // 21:53 UTC on a Tuesday is inside a 14:00-23:00 window in UTC, so the same record then raises nothing off-hours.
  const late = checkConfig(deepMerge(config, { businessHours: { start: "14:00", end: "23:00" } }), "late config");
  const { ruleSet: lateRules } = loadRules({ config: late });
  const file = await readCloudTrailFile(join(STRATUS, "aws.persistence.iam-backdoor-user.json"));
  const { findings } = lateRules.evaluate(recordsToSubjects(file.records, file.file).subjects);
  expect(findings.map((f) => f.ruleId)).not.toContain("iam-change-outside-business-hours");
  expect(findings.map((f) => f.ruleId)).toContain("iam-access-key-created-for-other-user");
});
