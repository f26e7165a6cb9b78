/**
 * What each security-relevant Stratus technique must turn into (resource subjects, ApiCall aside), and
 * what it must not: failed calls never become resources.
 */
import { join } from "node:path";
import { API_CALL_TYPE, readCloudTrailFile, recordsToSubjects } from "../../../src/sources/cloudtrail";
import { STRATUS } from "./helpers";

const EXPECTED: Record<string, string[]> = {
  "aws.exfiltration.ec2-security-group-open-port-22-ingress.json": ["AWS::EC2::SecurityGroupIngress"],
  "aws.initial-access.console-login-without-mfa.json": ["Parapet::CloudTrail::ConsoleLogin"],
  "aws.persistence.iam-create-admin-user.json": ["AWS::IAM::AccessKey", "AWS::IAM::User", "Parapet::IAM::PolicyAttachment"],
  "aws.persistence.iam-backdoor-role.json": ["AWS::IAM::Role", "Parapet::IAM::PolicyStatement"],
  "aws.persistence.iam-create-user-login-profile.json": ["AWS::IAM::User"],
  "aws.persistence.iam-create-backdoor-role.json": ["AWS::IAM::Role", "Parapet::IAM::PolicyAttachment", "Parapet::IAM::PolicyStatement"],
  "aws.privilege-escalation.iam-update-user-login-profile.json": ["AWS::IAM::User"],
  // Only failed RunInstances calls: no instance may appear.
  "aws.execution.ec2-launch-unusual-instances.json": [],
  "aws.defense-evasion.cloudtrail-stop.json": [],
};

async function subjectsOf(name: string) {
  const file = await readCloudTrailFile(join(STRATUS, name));
  return recordsToSubjects(file.records, file.file).subjects;
}

test.each(Object.entries(EXPECTED))("%s → %j", async (name, types) => {
  const subjects = await subjectsOf(name);
  expect([...new Set(subjects.filter((s) => s.type !== API_CALL_TYPE).map((s) => s.type))].sort()).toEqual(types);
  expect(subjects.some((s) => s.type === API_CALL_TYPE)).toBe(true);
});

test("the backdoored trust policy exposes the foreign account principal", async () => {
  const statements = (await subjectsOf("aws.persistence.iam-backdoor-role.json")).filter((s) => s.type === "Parapet::IAM::PolicyStatement");
  expect(statements.map((s) => s.properties.Principal)).toContainEqual({ AWS: "arn:aws:iam::193672423079:root" });
  expect(statements.every((s) => s.properties.PolicyKind === "trust")).toBe(true);
});

test("StopLogging is visible to event rules as an ApiCall", async () => {
  const [call] = (await subjectsOf("aws.defense-evasion.cloudtrail-stop.json")).filter((s) => s.type === API_CALL_TYPE);
  expect(call!.properties).toMatchObject({ eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com", readOnly: false });
});
