import { loadTemplateSubjects } from "../../../src/sources/template";
import { only, subjectsOf } from "./helpers";

describe("suppression metadata (§A9)", () => {
  const text = [
    "Resources:", //                                                   1
    "  Group:", //                                                     2
    "    Type: AWS::EC2::SecurityGroup", //                            3
    "    Metadata:", //                                                4
    "      cfn_nag:", //                                               5
    "        rules_to_suppress:", //                                   6
    "          - id: W9", //                                           7
    "            reason: internal only", //                            8
    "          - {id: F1000}", //                                      9
    "      parapet:", //                                               10
    "        suppress:", //                                            11
    "          - {rule: sg-open-ingress, reason: reviewed}", //        12
    "    Properties:", //                                              13
    "      GroupDescription: g", //                                    14
    "      SecurityGroupIngress: [{CidrIp: 10.0.0.0/8}]", //           15
    "",
  ].join("\n");

  test("cfn_nag and parapet entries become suppressions with their origin", () => {
    const subjects = subjectsOf(text);
    expect(only(subjects, "AWS::EC2::SecurityGroup").suppressions).toEqual([
      {
        rule: "W9",
        reason: "internal only",
        origin: "t.yaml:7:13",
        location: { file: "t.yaml", pointer: "/Resources/Group/Metadata/cfn_nag/rules_to_suppress/0", line: 7, column: 13 },
      },
      { rule: "F1000", origin: "t.yaml:9:13", location: expect.objectContaining({ line: 9 }) },
      { rule: "sg-open-ingress", reason: "reviewed", origin: "t.yaml:12:13", location: expect.objectContaining({ line: 12 }) },
    ]);
    // Derived subjects are reported under the resource and carry its suppressions.
    expect(only(subjects, "AWS::EC2::SecurityGroupIngress").suppressions).toHaveLength(3);
  });

  test("metadata is kept raw in the context; entries without an id are warned about and ignored", () => {
    const result = loadTemplateSubjects(
      "t.yaml",
      "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      cfn_nag:\n        rules_to_suppress:\n          - reason: no id\n",
    );
    expect(result.errors).toEqual([{ file: "t.yaml", line: 7, column: 13, message: expect.stringMatching(/without a "id"/), severity: "warning" }]);
    expect(result.subjects[0]!.suppressions).toBeUndefined();
    expect(result.subjects[0]!.context.template?.metadata).toEqual({ cfn_nag: { rules_to_suppress: [{ reason: "no id" }] } });
  });

  test("a misspelled key does nothing", () => {
    const subjects = subjectsOf("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Metadata:\n      cfn_nag:\n        rules_to_supress: [{id: W1}]\n");
    expect(subjects[0]!.suppressions).toBeUndefined();
  });
});
