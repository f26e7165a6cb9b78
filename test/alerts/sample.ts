import type { Finding } from "../../src/engine/model";

export function ctFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "ct-sg-open-to-internet",
    severity: "high",
    title: "Security group opened to the internet",
    message: "sg-0abc opened tcp/22 to 0.0.0.0/0",
    subject: { type: "AWS::EC2::SecurityGroupIngress", id: "sg-0abc", source: "cloudtrail" },
    location: { file: "s3://trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/01/f.json.gz", pointer: "/Records/3/requestParameters/ipPermissions/items/0" },
    evidence: [{ path: "properties.CidrIp", op: "prefixLength", actual: ["0.0.0.0/0"], expected: 0 }],
    references: { sigma: ["aws_ec2_sg_open"], awsConfig: ["restricted-ssh"] },
    event: {
      eventId: "3f2a5e34-1111-2222-3333-444455556666",
      eventName: "AuthorizeSecurityGroupIngress",
      eventSource: "ec2.amazonaws.com",
      eventTime: "2024-01-01T03:04:05Z",
      awsRegion: "eu-west-1",
      accountId: "111122223333",
      actor: "arn:aws:iam::111122223333:user/mallory",
      actorType: "IAMUser",
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0",
      mfaAuthenticated: false,
      requestExcerpt: '{"groupId":"sg-0abc","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22}]}}',
    },
    ...overrides,
  };
}
