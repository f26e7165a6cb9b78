import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultConfiguration } from "../../src/engine/config";
import { loadRules, RuleLoadError } from "../../src/engine/loader";
import type { RuleDefinition } from "../../src/engine/rule";
import { checkRuleNames } from "../../src/engine/ruleNames";

function rule(overrides: Partial<RuleDefinition>): RuleDefinition {
  return {
    id: "demo-rule",
    title: "A demonstration rule",
    severity: "low",
    description: "d",
    remediation: "r",
    types: ["AWS::S3::Bucket"],
    match: { path: "properties.BucketName", op: "exists" },
    message: "{{id}}",
    tests: { pass: [], fail: [] },
    ...overrides,
  };
}

const problems = (overrides: Partial<RuleDefinition>) => {
  const definition = rule(overrides);
  return checkRuleNames(definition, Array.isArray(definition.types) ? definition.types : []).map((p) => `${p.pointer} ${p.message}`);
};

describe("names a rule uses", () => {
  it("every built-in rule names existing types and message fields", () => {
    // From the rule files themselves (not the build's bundle), so a rule changed since the last build is checked too.
    const { ruleSet } = loadRules({ config: defaultConfiguration() });
    const found = ruleSet.rules.flatMap((r) => checkRuleNames(r.definition, r.types).map((p) => `${r.file}: ${p.message}`));
    expect(found).toEqual([]);
    expect(ruleSet.rules.length).toBeGreaterThan(200);
  });

  it.each([
    [{ types: ["AWS::S3::Buckett"] }, '/types/0 types: unknown resource type "AWS::S3::Buckett" (did you mean "AWS::S3::Bucket"?)'],
    [{ types: ["Parapet::IAM::PolicyStatment"] }, 'did you mean "Parapet::IAM::PolicyStatement"?'],
    [{ types: ["AWS::Nothing::Here"] }, 'unknown resource type "AWS::Nothing::Here"'],
    [
      { match: { all: [{ related: { type: "AWS::S3::BucketPolcy", on: "properties.Bucket" } }] } },
      '/match/all/0/related/type match.all.0.related.type: unknown resource type "AWS::S3::BucketPolcy" (did you mean "AWS::S3::BucketPolicy"?)',
    ],
    [{ message: "{{properties.BucketNme}}" }, '/message message: {{properties.BucketNme}}: AWS::S3::Bucket has no property "BucketNme" (did you mean "BucketName"?)'],
    [{ message: "{{properties.VersioningConfiguration | properties.Tagz}}" }, 'has no property "Tagz" (did you mean "Tags"?)'],
    [{ message: "{{properties[BucketName,Nope]}}" }, 'has no property "Nope"'],
    [{ message: "{{idd}}" }, 'a subject has no field "idd" (did you mean "id"?)'],
    [{ message: "{{context.evnt.actor}}" }, 'no source gives a context "evnt" (did you mean "event"?)'],
    [{ message: "{{context.event.actr}}" }, 'context.event has no field "actr" (did you mean "actor"?)'],
    [{ message: "{{location.fiel}}" }, 'location has no field "fiel"'],
    [{ types: ["AWS::S3::Bucket", "AWS::SQS::Queue"], message: "{{properties.QueueNam}}" }, 'none of AWS::S3::Bucket, AWS::SQS::Queue has a property "QueueNam" (did you mean "QueueName"?)'],
  ])("%j → %s", (overrides, expected) => {
    const found = problems(overrides as Partial<RuleDefinition>);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it.each([
    ["a property of one of the types", { types: ["AWS::S3::Bucket", "AWS::SQS::Queue"], message: "{{properties.QueueName}} {{properties.BucketName}}" }],
    ["what the sources add (CloudTrail, flow logs, templates)", { types: ["AWS::EC2::SecurityGroupIngress"], message: "{{properties.SecurityGroupRuleId}} {{properties['Parapet::Origin']}}" }],
    ["parapet's own types", { types: ["Parapet::VPC::Flow"], message: "{{properties.Client.Addr}} {{properties.DstPort}} {{context.flow.observation}}" }],
    ["free-form input below a known field", { types: ["Parapet::CloudTrail::ApiCall"], message: "{{properties.requestParameters.bucketName}} {{properties.requestParameters..FlowLogId..content}}" }],
    ["any type", { types: ["*"], message: "{{properties.Anything}}" }],
    ["custom resources take any property", { types: ["Custom::Thing"], message: "{{properties.Whatever}}" }],
    ["explain, type, id, source, location", { message: "{{type}} {{id}} {{source}} {{location.file}}: {{explain}}" }],
    ["SAM types", { types: ["AWS::Serverless::Function"], message: "{{properties.CodeUri}}" }],
  ])("accepts %s", (_name, overrides) => {
    expect(problems(overrides as Partial<RuleDefinition>)).toEqual([]);
  });

  it("a custom rule with a misspelled type or field fails to load, located in its file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parapet-names-"));
    mkdirSync(path.join(dir, "x"));
    writeFileSync(
      path.join(dir, "x", "queue-rule.yaml"),
      [
        "id: queue-rule",
        "title: Queue delays messages",
        "severity: low",
        "description: Messages are delayed.",
        "remediation: Do not delay them.",
        "types: [AWS::SQS::Queu]",
        "match: { path: properties.DelaySeconds, op: gt, value: 0 }",
        'message: "{{id}} {{properties.DelaySecond}}"',
        "tests:",
        "  pass: [{ subject: { properties: { DelaySeconds: 0 } } }]",
        "  fail: [{ subject: { properties: { DelaySeconds: 5 } } }]",
        "",
      ].join("\n"),
    );
    try {
      loadRules({ config: defaultConfiguration(), ruleDirs: [dir], includeBuiltin: true, lazy: true });
      throw new Error("expected a RuleLoadError");
    } catch (err) {
      expect(err).toBeInstanceOf(RuleLoadError);
      const lines = (err as RuleLoadError).message.split("\n");
      expect(lines).toEqual([
        expect.stringMatching(/queue-rule\.yaml:6:9: types: unknown resource type "AWS::SQS::Queu" \(did you mean "AWS::SQS::Queue"\?\)$/),
      ]);
    }
  });
});
