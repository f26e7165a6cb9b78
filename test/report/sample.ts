import type { Finding, Suppressed } from "../../src/engine/model";
import type { Report, RuleMeta } from "../../src/report/types";

export function finding(overrides: Partial<Finding> & { file?: string; line?: number; column?: number } = {}): Finding {
  const { file, line, column, ...rest } = overrides;
  return {
    ruleId: "sg-ingress-open-to-world",
    severity: "high",
    title: "Security group ingress open to the world",
    message: "Security group ingress allows 0.0.0.0/0 on port 22",
    subject: { type: "AWS::EC2::SecurityGroupIngress", id: "WebSg", source: "template" },
    location: { file: file ?? "templates/web.yaml", pointer: "/Resources/WebSg/Properties/SecurityGroupIngress/0", line: line ?? 12, column: column ?? 9 },
    evidence: [{ path: "properties.CidrIp", op: "publicCidr", actual: ["0.0.0.0/0"] }],
    references: { cfnNag: ["W2"] },
    ...rest,
  };
}

export const RULES: RuleMeta[] = [
  {
    id: "sg-ingress-open-to-world",
    title: "Security group ingress open to the world",
    severity: "high",
    description: "An ingress rule allows traffic from any IPv4 address.",
    remediation: "Restrict CidrIp to known networks.",
    references: { cfnNag: ["W2"], awsConfig: ["restricted-ssh"], urls: ["https://example.com/rules/sg"] },
    helpUri: "https://example.com/rules/sg-ingress-open-to-world",
    tags: ["network"],
  },
  {
    id: "s3-bucket-encryption",
    title: "S3 bucket without default encryption",
    severity: "medium",
    description: "The bucket has no BucketEncryption.",
    remediation: "Add BucketEncryption with SSE-KMS.",
    references: {},
  },
];

export function report(overrides: Partial<Report> = {}): Report {
  return {
    tool: { name: "parapet", version: "0.1.0" },
    findings: [],
    suppressed: [],
    errors: [],
    rules: RULES,
    filesScanned: 3,
    ...overrides,
  };
}

export function suppressed(f: Finding, origin: Suppressed["origin"] = "template", by = "templates/api.json:12:7", reason = "public web server"): Suppressed {
  return { finding: f, origin, by, reason };
}

/** A mixed report used by several formatter tests. */
export function mixedReport(): Report {
  return report({
    findings: [
      finding({ file: "templates/web.yaml", line: 30, column: 5, severity: "medium", ruleId: "s3-bucket-encryption", title: "S3 bucket without default encryption", message: "Bucket Logs has no encryption", subject: { type: "AWS::S3::Bucket", id: "Logs", source: "template" }, references: {} }),
      finding({ file: "templates/web.yaml", line: 12, column: 9 }),
      finding({ file: "templates/api.json", line: 4, column: 3, severity: "critical", message: "Port 3389 open" }),
    ],
    suppressed: [suppressed(finding({ file: "templates/api.json", line: 40, subject: { type: "AWS::EC2::SecurityGroupIngress", id: "LbSg", source: "template" } }))],
    errors: [{ file: "templates/broken.yaml", line: 3, column: 7, message: "bad indentation of a mapping entry" }],
  });
}
