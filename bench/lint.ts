import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/paths";
import { cfnGuard, medianRuns } from "./processes";
import { runProcess } from "./processes";

/**
 * `parapet lint` as CI runs it: a fresh process per run, wall time including start-up and peak
 * RSS. Inputs: cfn_nag's 369-template corpus in one process, and one generated 1,000-resource
 * template. cfn-guard (237 Control Tower rules) runs on the same inputs in the same run.
 */
const RUNS = 5;
const corpus = path.join(PACKAGE_ROOT, "test/fixtures/conformance/cfn_nag/templates");
const bin = path.join(PACKAGE_ROOT, "bin/parapet.js");

/** A realistic large template: buckets, policies, roles, security groups, instances, volumes, functions. */
export function generateTemplate(resources: number): string {
  const lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  Env:", "    Type: String", "    Default: production", "Resources:"];
  for (let i = 0; lines.length < 1e9 && i < resources; i++) {
    switch (i % 8) {
      case 0:
        lines.push(`  Bucket${i}:`, "    Type: AWS::S3::Bucket", "    Properties:", `      BucketName: !Sub "data-${i}-\${AWS::AccountId}"`, "      Tags:", "        - { Key: owner, Value: data }", "        - { Key: environment, Value: !Ref Env }");
        break;
      case 1:
        lines.push(`  BucketPolicy${i}:`, "    Type: AWS::S3::BucketPolicy", "    Properties:", `      Bucket: !Ref Bucket${i - 1}`, "      PolicyDocument:", "        Statement:", "          - Effect: Allow", "            Principal: { AWS: !Sub 'arn:aws:iam::\${AWS::AccountId}:root' }", "            Action: ['s3:GetObject']", `            Resource: !Sub 'arn:aws:s3:::data-${i - 1}/*'`);
        break;
      case 2:
        lines.push(`  Role${i}:`, "    Type: AWS::IAM::Role", "    Properties:", "      AssumeRolePolicyDocument:", "        Statement:", "          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: 'sts:AssumeRole' }", "      Policies:", "        - PolicyName: logs", "          PolicyDocument:", "            Statement:", "              - { Effect: Allow, Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }");
        break;
      case 3:
        lines.push(`  Sg${i}:`, "    Type: AWS::EC2::SecurityGroup", "    Properties:", "      GroupDescription: web", "      VpcId: vpc-123", "      SecurityGroupIngress:", "        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }", `        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: ${i % 16 === 3 ? "0.0.0.0/0" : "10.0.0.0/8"} }`);
        break;
      case 4:
        lines.push(`  Instance${i}:`, "    Type: AWS::EC2::Instance", "    Properties:", "      ImageId: ami-12345678", "      InstanceType: t3.micro", `      SecurityGroupIds: [!Ref Sg${i - 1}]`, "      Tags: [{ Key: owner, Value: web }]");
        break;
      case 5:
        lines.push(`  Volume${i}:`, "    Type: AWS::EC2::Volume", "    Properties:", "      Size: 100", "      AvailabilityZone: !Select [0, !GetAZs '']", `      Encrypted: ${i % 3 === 0}`);
        break;
      case 6:
        lines.push(`  Function${i}:`, "    Type: AWS::Lambda::Function", "    Properties:", "      Runtime: nodejs20.x", "      Handler: index.handler", `      Role: !GetAtt Role${i - 4}.Arn`, "      Code: { ZipFile: 'exports.handler = async () => 1' }");
        break;
      default:
        lines.push(`  Queue${i}:`, "    Type: AWS::SQS::Queue", "    Properties:", "      KmsMasterKeyId: alias/aws/sqs");
    }
  }
  return lines.join("\n") + "\n";
}

function row(label: string, m: ReturnType<typeof medianRuns>, extra = ""): string {
  return `  ${label.padEnd(46)} median ${m.wallMs.toFixed(0).padStart(6)} ms  (min ${m.minMs.toFixed(0)}, max ${m.maxMs.toFixed(0)})  peak RSS ${m.peakRssMiB.toFixed(0)} MiB${extra}`;
}

function main(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "parapet-lint-bench-"));
  const big = path.join(dir, "large.yaml");
  writeFileSync(big, generateTemplate(1000));
  const out = path.join(dir, "out.json");
  console.log(`lint: whole process, ${RUNS} runs after a warm-up (wall time includes node start-up)`);
  const corpusRun = medianRuns(RUNS, () => runProcess(process.execPath, [bin, "lint", corpus, "--format", "json", "-o", out, "--fail-on", "none"]));
  console.log(row("parapet lint cfn_nag corpus (369 templates)", corpusRun, "   target ≤ 500 ms"));
  const bigRun = medianRuns(RUNS, () => runProcess(process.execPath, [bin, "lint", big, "--format", "json", "-o", out, "--fail-on", "none"]));
  console.log(row("parapet lint 1,000-resource template", bigRun, "   target ≤ 500 ms"));
  const floor = medianRuns(RUNS, () => runProcess(process.execPath, ["-e", "0"]));
  console.log(row("floor: node start-up alone", floor));

  const guard = cfnGuard();
  if (!guard) {
    console.log("  cfn-guard: not available (npm pack @cdklabs/cdk-validator-cfnguard failed); skipped");
    return;
  }
  const guardArgs = (data: string) => ["validate", "--rules", guard.rules, "--data", data, "--output-format", "json", "--show-summary", "none"];
  const guardCorpus = medianRuns(3, () => runProcess(guard.binary, guardArgs(corpus)));
  console.log(row("cfn-guard 3 (237 rules) cfn_nag corpus", guardCorpus, `   parapet is ${(guardCorpus.wallMs / corpusRun.wallMs).toFixed(1)}x faster`));
  const guardBig = medianRuns(3, () => runProcess(guard.binary, guardArgs(big)));
  console.log(row("cfn-guard 3 (237 rules) 1,000-resource template", guardBig, `   parapet is ${(guardBig.wallMs / bigRun.wallMs).toFixed(1)}x faster`));
}

if (require.main === module) main();
