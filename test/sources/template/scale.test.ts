import { loadTemplateSubjects } from "../../../src/sources/template";

/** A template of `count` resources mixing groups, attached rules, roles and buckets. */
function largeTemplate(count: number): string {
  const lines = ["Parameters:", "  P: {Type: String, Default: x}", "Resources:"];
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        lines.push(`  SG${i}:`, "    Type: AWS::EC2::SecurityGroup", "    Properties:", "      GroupDescription: !Sub '${P}-g'", "      SecurityGroupIngress:", "        - {CidrIp: 0.0.0.0/0, IpProtocol: tcp, FromPort: 22, ToPort: 22}");
        break;
      case 1:
        lines.push(`  Role${i}:`, "    Type: AWS::IAM::Role", "    Properties:", "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}", "      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}}]");
        break;
      case 2:
        lines.push(`  Bucket${i}:`, "    Type: AWS::S3::Bucket", "    Properties: {BucketName: !Join ['-', [a, !Ref P]], Tags: [{Key: k, Value: v}]}");
        break;
      default:
        lines.push(`  Ingress${i}:`, "    Type: AWS::EC2::SecurityGroupIngress", `    Properties: {GroupId: !Ref SG${i - 3}, CidrIp: 10.0.0.0/8, IpProtocol: tcp}`);
    }
  }
  return lines.join("\n") + "\n";
}

describe("scale", () => {
  test("a 1,000-resource template loads quickly and completely", () => {
    const text = largeTemplate(1000);
    loadTemplateSubjects("warm.yaml", largeTemplate(40));
    const start = performance.now();
    const result = loadTemplateSubjects("big.yaml", text, { parameterValues: {} });
    const elapsed = performance.now() - start;
    expect(result.errors).toEqual([]);
    // 750 resources (standalone rules appear as gathered) + 250 inline + 250 attached + 250 standalone
    // + 250 roles x 4 policy subjects.
    expect(result.subjects.length).toBe(2500);
    expect(result.subjects[result.subjects.length - 1]!.location.line).toBeGreaterThan(3000);
    // The yaml library's parse is most of this (about 150 ms here); generous for loaded CI machines.
    expect(elapsed).toBeLessThan(2000);
  });
});
