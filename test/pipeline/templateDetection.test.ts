import { readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import { looksLikeTemplate } from "../../src/sources/template/detect";

/**
 * Which YAML/JSON files `lint` treats as templates. Skipping a real template would hide its findings,
 * so the corpora are checked file by file: cfn_nag's test templates and AWS's sample repository, which
 * also holds buildspecs, Kubernetes manifests, bandit settings and Lambda test events.
 */
/** Both corpora are copied from shared/conformance into the repository (test/fixtures/conformance). */
const CFN_NAG = path.join(__dirname, "../fixtures/conformance/cfn_nag/templates");
const REAL_WORLD = path.join(__dirname, "../fixtures/conformance/real-world/aws-cloudformation-templates");
const files = (root: string) => globSync("**/*", { cwd: root, dot: true, onlyFiles: true }).filter((f) => /\.(ya?ml|json|template)$/i.test(f)).sort();
const detected = (file: string) => looksLikeTemplate(readFileSync(file, "utf8"));

describe("telling templates from other YAML and JSON", () => {
  it("detects every template of cfn_nag's corpus; its one non-template is skipped", () => {
    const root = CFN_NAG;
    const all = files(root);
    expect(all).toHaveLength(369);
    // cfn_nag's own "not a template" case: {"foo": "moo"}, which it rejects as "Illegal cfn - no Resources".
    expect(all.filter((f) => !detected(path.join(root, f)))).toEqual(["json/structural/no_resources.json"]);
  });

  it("on AWS's sample repository, detects exactly the files cfn_nag analysed as templates", () => {
    const root = REAL_WORLD;
    const analysed = new Set(readFileSync(path.join(root, "expected.tsv"), "utf8").split("\n").slice(1).map((line) => line.split("\t")[0]).filter(Boolean));
    const all = files(path.join(root, "templates"));
    expect(all).toHaveLength(312);
    const templates = all.filter((f) => detected(path.join(root, "templates", f)));
    expect(templates).toEqual(all.filter((f) => analysed.has(f)));
    expect(templates).toHaveLength(296);
    // What is left is what a repository holds besides templates.
    expect(all.filter((f) => !analysed.has(f))).toEqual(
      expect.arrayContaining([".github/workflows/stale.yml", "EKS/manifest.yml", "Solutions/CodeBuildAndCodePipeline/codebuild-app-build.yml", "CloudFormation/MacrosExamples/Count/event.json"]),
    );
  });

  it.each([
    ["a YAML template", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"],
    ["Resources alone", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"],
    ["the format version alone (invalid, but a template)", "AWSTemplateFormatVersion: 2010-09-09\nDescription: nothing yet\n"],
    ["SAM", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"],
    ["quoted keys, CRLF, a byte-order mark", '\uFEFF"Resources":\r\n  B:\r\n    Type: AWS::S3::Bucket\r\n'],
    ["a key after comments and a document marker", "# stack\n---\nDescription: x\nResources: {}\n"],
    ["a JSON template", '{\n  "Description": "x",\n  "Resources": {"B": {"Type": "AWS::S3::Bucket"}}\n}'],
    ["JSON that does not parse", '{ "AWSTemplateFormatVersion": "2010-09-09", "Resources": { "B": { "Type": '],
    ["YAML that does not parse", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n"],
    ["JSON after a string holding braces", '{"Description": "a } and a \\" quote {", "Resources": {}}'],
  ])("%s is a template", (_, text) => {
    expect(looksLikeTemplate(text)).toBe(true);
  });

  it.each([
    ["package.json", '{"name": "x", "dependencies": {"aws-cdk-lib": "2.0.0"}}'],
    ["a Lambda test event holding a template fragment", '{"requestId": 1, "fragment": {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}}'],
    ["a key named Resources inside a string", '{"note": "\\"Resources\\": here", "x": 1}'],
    ["an IAM policy", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}'],
    ["a buildspec", "version: 0.2\nphases:\n  build:\n    commands:\n      - echo Resources: none\n"],
    ["Resources indented under another key", "resources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n"],
    ["a plain scalar that starts like the key", "Resources:not-a-key\n"],
    ["Transform without Resources", "Transform: AWS::Serverless-2016-10-31\nGlobals: {}\n"],
    ["an empty file", ""],
  ])("%s is not a template", (_, text) => {
    expect(looksLikeTemplate(text)).toBe(false);
  });

  it("decides on a 5 MB lock file without parsing it", () => {
    const packages = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`node_modules/pkg-${i}`, { version: "1.0.0", resolved: "https://registry.example/x.tgz", integrity: "sha512-abc" }]));
    // Through a Buffer, as readFileSync gives it: a flat string.
    const lock = Buffer.from(JSON.stringify({ name: "x", lockfileVersion: 3, packages }, null, 2)).toString("utf8");
    expect(lock.length).toBeGreaterThan(5_000_000);
    const timings = [1, 2, 3].map(() => {
      const started = performance.now();
      expect(looksLikeTemplate(lock)).toBe(false);
      return performance.now() - started;
    });
    // A string search (under a millisecond here), where JSON.parse takes 70–120 ms.
    expect(Math.min(...timings)).toBeLessThan(10);
  });

  it("counts depth past the other keys' values when a template key comes late", () => {
    const nested = JSON.stringify({ a: { Resources: { x: 1 } } });
    const late = `{"Metadata": ${JSON.stringify({ list: Array.from({ length: 1000 }, () => ({ Resources: [1, { y: "}" }] })) })}, "Resources": {}}`;
    expect(looksLikeTemplate(nested)).toBe(false);
    expect(looksLikeTemplate(late)).toBe(true);
  });
});
