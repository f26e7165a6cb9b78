import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultConfiguration, loadConfig } from "../../src/engine/config";
import { loadRules } from "../../src/engine/loader";
import { isCloudFormationType } from "../../src/engine/subjectFields";
import { UserError } from "../../src/util/errors";
import { closestName, editDistance } from "../../src/util/suggest";

function file(name: string, text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), "parapet-names-")), name);
  writeFileSync(p, text);
  return p;
}

/** Loads the configuration and the built-in rules with it; the message of the UserError, if any. */
function problemOf(configText: string, name = ".parapet.yaml", env: NodeJS.ProcessEnv = {}): string | undefined {
  try {
    loadRules({ config: loadConfig(file(name, configText), env), lazy: true });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
}

describe("names in a configuration", () => {
  it.each([
    ["rules:\n  disabled: [s3-bucket-acess-logging]", 'rules.disabled: unknown rule id "s3-bucket-acess-logging" (did you mean "s3-bucket-access-logging"?)'],
    ["rules:\n  severity: { root-user-activty: low }", 'rules.severity: unknown rule id "root-user-activty" (did you mean "root-user-activity"?)'],
    ["exceptions:\n  - rules: [required-tag]\n    reason: legacy stack", 'exceptions[0].rules: unknown rule id "required-tag" (did you mean "required-tags"?)'],
    ["exceptions:\n  - resources: [X]\n    reason: accepted\n  - rules: [W9999]\n    reason: nope", 'exceptions[1].rules: unknown rule id "W9999"'],
    ["rules:\n  severity: { W35: low }", 'rules.severity: "W35" is a cfn_nag id; name the parapet rule instead (s3-bucket-access-logging)'],
    ["tagging:\n  required: []\n  resourceTypes: [AWS::EC2::Instnace]", 'tagging.resourceTypes: unknown CloudFormation resource type "AWS::EC2::Instnace" (did you mean "AWS::EC2::Instance"?)'],
    ["tagging:\n  required: []\n  byType:\n    AWS::RDS::DBInstanse: [{ key: data }]", 'tagging.byType: unknown CloudFormation resource type "AWS::RDS::DBInstanse" (did you mean "AWS::RDS::DBInstance"?)'],
  ])("%s → one line naming the file", (text, expected) => {
    const message = problemOf(text);
    expect(message).toMatch(/^\S*\.parapet\.yaml: /);
    expect(message).toContain(expected);
    expect(message!.split("\n")).toHaveLength(1);
  });

  it("accepts parapet ids and cfn_nag ids where both work, and custom rules' ids", () => {
    expect(problemOf("rules:\n  disabled: [W35, required-tags]\n  severity: { s3-bucket-access-logging: high }\nexceptions:\n  - rules: [F1000]\n    reason: accepted")).toBeUndefined();
    const dir = mkdtempSync(path.join(tmpdir(), "parapet-custom-"));
    mkdirSync(path.join(dir, "q"));
    writeFileSync(
      path.join(dir, "q", "queue-retention-short.yaml"),
      [
        "id: queue-retention-short",
        "title: Queue keeps messages too briefly",
        "severity: low",
        "description: Messages expire before consumers can recover.",
        "remediation: Set MessageRetentionPeriod to at least a day.",
        "types: [AWS::SQS::Queue]",
        "match: { path: properties.MessageRetentionPeriod, op: lt, value: 86400 }",
        'message: "{{id}} keeps messages {{properties.MessageRetentionPeriod}} s"',
        "tests:",
        "  pass: [{ subject: { properties: { MessageRetentionPeriod: 86400 } } }]",
        "  fail: [{ subject: { properties: { MessageRetentionPeriod: 60 } } }]",
        "",
      ].join("\n"),
    );
    const config = loadConfig(file("c.json", '{"rules": {"disabled": ["queue-retention-short"]}}'), {});
    expect(() => loadRules({ config })).toThrow(/unknown rule id "queue-retention-short"/);
    expect(() => loadRules({ config, ruleDirs: [dir], includeBuiltin: true })).not.toThrow();
  });

  it("reports every bad id, each against the part it was written in", () => {
    const message = problemOf('{"rules": {"disabled": ["nope-one"]}}', "config.json", {
      PARAPET_CONFIG_JSON: JSON.stringify([{ minSeverity: "low" }, { exceptions: [{ rules: ["nope-two"], reason: "why not" }] }]),
    });
    expect(message!.split("\n")).toEqual([
      expect.stringMatching(/config\.json: rules\.disabled: unknown rule id "nope-one"$/),
      'PARAPET_CONFIG_JSON[1]: exceptions[0].rules: unknown rule id "nope-two"',
    ]);
  });

  it("the shipped defaults name only real types", () => {
    for (const type of defaultConfiguration().tagging.resourceTypes ?? []) expect([type, isCloudFormationType(type)]).toEqual([type, true]);
    expect(isCloudFormationType("Custom::Anything")).toBe(true);
    expect(isCloudFormationType("Parapet::VPC::Flow")).toBe(false);
  });
});

describe("did you mean", () => {
  it.each([
    ["kitten", "sitting", 3],
    ["ab", "ba", 1],
    ["", "abc", 3],
    ["same", "same", 0],
  ])("edit distance %s → %s is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it("suggests the closest known name only when it is close", () => {
    expect(closestName("AWS::S3::buckett", ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"])).toBe("AWS::S3::Bucket");
    expect(closestName("required-tgas", ["required-tags", "root-user-activity"])).toBe("required-tags");
    expect(closestName("xyz", ["required-tags"])).toBeUndefined();
    expect(closestName("ab", ["abc", "zz"])).toBe("abc");
  });
});
