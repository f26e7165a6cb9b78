import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readDifferences, readExpected, triple } from "../../src/testing/cfnNagConformance";
import { REPO_ROOT, runCli } from "../helpers/cli";

/**
 * `parapet cfn-nag-scan`, run as users run it (the built CLI). Every run has a scratch directory as
 * its working directory, so no repository configuration (.parapet.yaml) changes what is reported.
 */

const CORPUS = path.join(REPO_ROOT, "test/fixtures/conformance/cfn_nag");
// Each test spawns the CLI a few times (about 0.3 s each on an idle machine).
jest.setTimeout(30_000);

interface Violation {
  id: string;
  type: string;
  message: string;
  logical_resource_ids: string[];
  line_numbers: (number | null)[];
}
interface FileResults {
  filename: string;
  file_results: { failure_count: number; violations: Violation[] };
}

let dir: string;
const scan = (args: string[], env?: Record<string, string>) => runCli(["cfn-nag-scan", ...args], { cwd: dir, env });
/** The JSON results; a run that printed none fails the test with what it wrote to stderr. */
const parse = (run: { stdout: string; stderr: string; code: number }) => {
  try {
    return JSON.parse(run.stdout) as FileResults[];
  } catch {
    throw new Error(`no JSON on stdout (exit ${run.code}): ${run.stderr}`);
  }
};
const scanJson = async (...args: string[]) => {
  const run = await scan([...args, "--output-format", "json"]);
  return { ...run, results: parse(run) };
};
/** `id resource,resource` per violation of each file, for compact expectations. */
const summary = (results: FileResults[]) =>
  Object.fromEntries(results.map((r) => [r.filename, r.file_results.violations.map((v) => `${v.id} ${v.logical_resource_ids.join(",")}`)]));

const VOLUMES = `Parameters:
  Encrypt:
    Type: String
    Default: "true"
Conditions:
  Production: !Equals [!Ref "AWS::AccountId", "111111111111"]
Resources:
  Plain:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: us-east-1a
      KmsKeyId: alias/ebs
      Encrypted: false
  ByParameter:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: us-east-1a
      KmsKeyId: alias/ebs
      Encrypted: !Ref Encrypt
  ByCondition:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: us-east-1a
      KmsKeyId: alias/ebs
      Encrypted: !If [Production, true, false]
  Scratch:
    Type: AWS::EC2::Volume
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - id: F1
            reason: scratch space, nothing kept
    Properties:
      AvailabilityZone: us-east-1a
      KmsKeyId: alias/ebs
      Encrypted: false
`;
// Warnings only in cfn_nag's rules (W2, W9); parapet's port-aware rule fails it (ssh from the internet).
const SSH = `Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web servers
      SecurityGroupEgress: [{ IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8, Description: to the API }]
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: ssh }
`;
// Warnings only: W47 (no KMS key).
const TOPIC = `{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}\n`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "parapet-cfn-nag-scan-"));
  const write = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  write("volumes.yaml", VOLUMES);
  write("ssh.yaml", SSH);
  write("params.json", `{"Parameters": {"Encrypt": "false"}}`);
  write("conditions.json", `{"Production": false}`);
  write("stacks/topic.json", TOPIC);
  write("stacks/nested/queue.template", TOPIC);
  write("stacks/broken.yaml", "Resources:\n  Bad: [unclosed\n");
  write("stacks/notes.txt", "not a template");
  write("stacks/.hidden/topic.json", TOPIC);
  write("deny-list.yaml", "RulesToSuppress:\n  - id: F1\n    reason: encrypted by account default\n");
  write("profile.txt", "# only KMS keys\nW47\n");
  write("bad-profile.txt", "W9999\n");
  write("custom/topic-without-name.yaml", CUSTOM_RULE);
  write("config.json", `{"rules": {"severity": {"sns-topic-kms-key": "high"}}}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CUSTOM_RULE = `id: topic-without-name
title: Topic has no display name
severity: low
description: Topics should carry a display name so that people recognise their messages.
remediation: Set DisplayName.
types: [AWS::SNS::Topic]
assert: { path: properties.DisplayName, op: exists }
message: "{{id}} has no display name"
tests:
  pass: [{ template: { Resources: { T: { Type: AWS::SNS::Topic, Properties: { DisplayName: x } } } } }]
  fail: [{ template: { Resources: { T: { Type: AWS::SNS::Topic } } }, resource: T }]
`;

describe("parapet cfn-nag-scan on cfn_nag's own corpus", () => {
  // The whole corpus in one process, once: cfn_nag 0.8.10's observed results (expected.tsv) are the oracle.
  let results: FileResults[];
  let code: number;
  beforeAll(async () => {
    const run = await scan(["--input-path", path.join(CORPUS, "templates"), "--output-format", "json"]);
    code = run.code;
    results = parse(run);
  }, 120_000);
  const relative = (file: string) => path.relative(path.join(CORPUS, "templates"), file).split(path.sep).join("/");

  it("reports cfn_nag's (template, id, resource) triples, apart from the documented differences", () => {
    const actual = new Set<string>();
    for (const { filename, file_results } of results) {
      for (const v of file_results.violations) {
        if (v.id === "FATAL") actual.add(triple(relative(filename), "FATAL", ""));
        for (const resource of v.logical_resource_ids) actual.add(triple(relative(filename), v.id, resource));
      }
    }
    const expected = readExpected(path.join(CORPUS, "expected.tsv"));
    const documented = readDifferences(path.join(REPO_ROOT, "test/conformance/cfn_nag-differences.tsv"));
    const differences = [...[...expected].filter((t) => !actual.has(t)).map((t) => `${t}\tmissing`), ...[...actual].filter((t) => !expected.has(t)).map((t) => `${t}\textra`)];
    expect(differences.sort()).toEqual([...documented.keys()].sort());
    expect(results).toHaveLength(369);
    expect(code).toBe(1);
  });

  it("gives each violation cfn_nag's type and each resource the line cfn_nag reports", () => {
    const got = new Map<string, string>();
    for (const { filename, file_results } of results) {
      for (const v of file_results.violations) {
        got.set(`${relative(filename)}\t${v.id}`, `${v.type}\t${v.logical_resource_ids.map((r, i) => `${r}@${v.line_numbers[i]}`).sort().join(",")}`);
      }
    }
    const disagreements: string[] = [];
    let compared = 0;
    for (const line of readFileSync(path.join(CORPUS, "expected.tsv"), "utf8").split("\n").slice(1)) {
      const [template, id, type, resources, lines] = line.split("\t");
      if (!template || !id || id === "(none)" || id === "FATAL") continue;
      const lineList = (lines ?? "").split(",");
      const want = `${type}\t${(resources ?? "").split(",").map((r, i) => `${r}@${lineList[i]}`).sort().join(",")}`;
      compared += 1;
      if (got.get(`${template}\t${id}`) !== want) disagreements.push(`${template} ${id}: ${got.get(`${template}\t${id}`)} ≠ ${want}`);
    }
    expect(compared).toBeGreaterThan(490);
    expect(disagreements).toEqual([]);
  });

  it("counts failures per failing resource", () => {
    const ebs = results.find((r) => r.filename.endsWith("json/ec2_volume/two_ebs_volumes_with_no_encryption.json"))!;
    expect(ebs.file_results.failure_count).toBe(2); // F1 on NewVolume1 and NewVolume2; the W37 warnings do not count
    const fatal = results.find((r) => r.filename.endsWith("json/structural/no_resources.json"))!;
    expect(fatal.file_results).toEqual({ failure_count: 1, violations: [expect.objectContaining({ id: "FATAL", type: "FAIL", logical_resource_ids: [], line_numbers: [] })] });
  });
});

describe("parapet cfn-nag-scan flags", () => {
  it("finds templates in a directory by --template-pattern on their paths, as cfn_nag does", async () => {
    const all = await scanJson("--input-path", "stacks");
    // Every .json/.yaml/.yml/.template, hidden ones left out; a broken one is FATAL; sorted, depth first.
    expect(all.results.map((r) => r.filename)).toEqual(["stacks/broken.yaml", "stacks/nested/queue.template", "stacks/topic.json"]);
    const trailingSlash = await scanJson("--input-path", "stacks/", "--template-pattern", String.raw`nested/.*\.template$`);
    expect(trailingSlash.results.map((r) => r.filename)).toEqual(["stacks/nested/queue.template"]);
    // A file named on its own is scanned whatever the pattern says.
    const named = await scanJson("-i", "stacks/notes.txt", "-t", String.raw`\.yaml$`);
    expect(summary(named.results)).toEqual({ "stacks/notes.txt": ["FATAL "] });
  });

  it("exits 1 on a FAIL violation and 0 on warnings only, unless --fail-on-warnings", async () => {
    const failing = await scanJson("--input-path", "volumes.yaml");
    expect(summary(failing.results)).toEqual({ "volumes.yaml": ["F1 Plain"] });
    expect(failing.code).toBe(1);
    const warnings = await scanJson("--input-path", "stacks/topic.json");
    expect(summary(warnings.results)).toEqual({ "stacks/topic.json": ["W47 Topic"] });
    expect([warnings.code, warnings.results[0]!.file_results.failure_count]).toEqual([0, 0]);
    const strict = await scanJson("--input-path", "stacks/topic.json", "--fail-on-warnings");
    expect([strict.code, strict.results[0]!.file_results.failure_count]).toEqual([1, 0]);
  });

  it("--ignore-fatal leaves out templates that do not parse", async () => {
    const ignored = await scanJson("--input-path", "stacks", "--ignore-fatal");
    expect(summary(ignored.results)["stacks/broken.yaml"]).toEqual([]);
    expect(ignored.code).toBe(0);
    const fatal = await scanJson("--input-path", "stacks/broken.yaml");
    expect(fatal.results[0]!.file_results.violations[0]).toMatchObject({ id: "FATAL", type: "FAIL", message: expect.stringMatching(/ at line 3 column 1$/) });
    expect(fatal.code).toBe(1);
  });

  it("reads parameter and condition values in cfn_nag's format", async () => {
    const resolved = await scanJson("-i", "volumes.yaml", "--parameter-values-path", "params.json", "--condition-values-path", "conditions.json");
    expect(summary(resolved.results)).toEqual({ "volumes.yaml": ["F1 Plain,ByParameter,ByCondition"] });
  });

  it("honours Metadata suppressions unless --no-allow-suppression; --print-suppression names them on stderr", async () => {
    const printed = await scanJson("-i", "volumes.yaml", "--print-suppression");
    expect(summary(printed.results)).toEqual({ "volumes.yaml": ["F1 Plain"] });
    expect(printed.stderr).toBe("Suppressing F1 on Scratch for reason: scratch space, nothing kept\n");
    const quiet = await scanJson("-i", "volumes.yaml");
    expect(quiet.stderr).toBe("");
    const ignored = await scanJson("-i", "volumes.yaml", "--no-allow-suppression", "--print-suppression");
    expect(summary(ignored.results)).toEqual({ "volumes.yaml": ["F1 Plain,Scratch"] });
    expect(ignored.stderr).toBe("");
  });

  it("takes a deny list in cfn_nag's RulesToSuppress YAML and a profile of ids", async () => {
    const denied = await scanJson("-i", "volumes.yaml", "--deny-list-path", "deny-list.yaml");
    expect([summary(denied.results), denied.code]).toEqual([{ "volumes.yaml": [] }, 0]);
    const profiled = await scanJson("-i", "stacks", "--profile-path", "profile.txt");
    // The profile keeps W47 only; a template that does not parse is still FATAL (no rule list can name it).
    expect(summary(profiled.results)).toEqual({ "stacks/broken.yaml": ["FATAL "], "stacks/nested/queue.template": ["W47 Topic"], "stacks/topic.json": ["W47 Topic"] });
    const unknown = await scan(["-i", "volumes.yaml", "--profile-path", "bad-profile.txt"]);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([2, "", expect.stringMatching(/^parapet: bad-profile\.txt:1: unknown rule id "W9999" in profile\n$/)]);
  });

  it("reports custom rules from --rule-directory under their own id, and parapet-only rules on request", async () => {
    const custom = await scanJson("-i", "stacks/topic.json", "--rule-directory", "custom");
    expect(summary(custom.results)).toEqual({ "stacks/topic.json": ["W47 Topic", "topic-without-name Topic"] });
    const cfnNagOnly = await scanJson("-i", "ssh.yaml");
    expect([summary(cfnNagOnly.results), cfnNagOnly.code]).toEqual([{ "ssh.yaml": ["W2 Web", "W9 Web"] }, 0]);
    const withParapet = await scanJson("-i", "ssh.yaml", "--include-parapet-rules");
    expect([summary(withParapet.results), withParapet.code]).toEqual([{ "ssh.yaml": ["W2 Web", "W9 Web", "sg-internet-ingress-port-not-allowed Web"] }, 1]);
  });

  it("maps severities from parapet's configuration (PARAPET_CONFIG) onto FAIL and WARN", async () => {
    const raised = await scan(["-i", "stacks/topic.json", "-o", "json"], { PARAPET_CONFIG: path.join(dir, "config.json") });
    expect(parse(raised)[0]!.file_results).toMatchObject({ failure_count: 1, violations: [{ id: "W47", type: "FAIL" }] });
    expect(raised.code).toBe(1);
  });

  it("prints cfn_nag's txt layout, and colortxt without colour when stdout is not a terminal", async () => {
    const txt = await scan(["-i", "stacks/topic.json", "-o", "txt"]);
    expect(txt.stdout).toBe(
      `${"-".repeat(60)}\nstacks/topic.json\n${"-".repeat(120)}\n| WARN W47\n|\n| Resources: ["Topic"]\n| Line Numbers: [1]\n|\n| SNS topic Topic is not encrypted with a KMS key\n\nFailures count: 0\nWarnings count: 1\n`,
    );
    expect((await scan(["-i", "stacks/topic.json"])).stdout).toBe(txt.stdout);
  });

  it("writes SARIF with cfn_nag ids as rule ids", async () => {
    const sarif = await scan(["-i", "volumes.yaml", "-o", "sarif"]);
    const run = JSON.parse(sarif.stdout).runs[0];
    // Plain's F1, then Scratch's, marked as suppressed in the template.
    const results = run.results.map((r: { ruleId: string; suppressions?: { justification: string }[]; locations: { physicalLocation: { region: { startLine: number } } }[] }) => [
      r.ruleId,
      r.locations[0]!.physicalLocation.region.startLine,
      r.suppressions?.map((s) => s.justification) ?? [],
    ]);
    expect(results).toEqual([
      ["F1", 9, []],
      ["F1", 27, ["scratch space, nothing kept"]],
    ]);
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(["F1"]);
  });

  it("--debug tells on stderr which parapet finding is behind each violation, and where exactly", async () => {
    const debug = await scan(["-i", "ssh.yaml", "--debug", "-o", "json"]);
    // The inline rule's own line (8), where the output has only the group's Type line (3).
    expect(debug.stderr).toMatch(/^parapet: debug: {3}ssh\.yaml:8:\d+ W2 \(sg-ingress-open-to-world\) Web: /m);
    expect(debug.stderr).toMatch(/^parapet: debug: {3}ssh\.yaml:8:\d+ sg-internet-ingress-port-not-allowed \(left out\) Web: /m);
    expect(debug.stderr).toMatch(/^parapet: debug: 1 finding left out: rules without a cfn_nag id/m);
    expect(parse(debug)[0]!.file_results.violations.map((v) => [v.id, v.line_numbers])).toEqual([
      ["W2", [3]],
      ["W9", [3]],
    ]);
  });

  it("exits 2 with one line for usage mistakes", async () => {
    const cases = [
      [["-i", "missing.yaml"], /^parapet: --input-path missing\.yaml: no such file or directory\n$/],
      [[], /^parapet: .*--input-path.*\n$/],
      [["-i", "stacks", "-o", "html"], /^parapet: .*html.*\n$/],
      [["-i", "stacks", "-t", "(unclosed"], /^parapet: --template-pattern \(unclosed: not a valid regular expression/],
      // cfn_nag flags parapet has no use for are refused, not silently ignored.
      [["-i", "stacks", "--rule-arguments", "x:1"], /^parapet: .*--rule-arguments.*\n$/],
      [["-i", "volumes.yaml", "--parameter-values-path", "missing.json"], /^parapet: .*missing\.json.*\n$/],
    ] as const;
    for (const [args, stderr] of cases) {
      const run = await scan([...args]);
      expect([args.join(" "), run.code, run.stdout, run.stderr]).toEqual([args.join(" "), 2, "", expect.stringMatching(stderr)]);
    }
  });

  it("--help says the exit codes are parapet's, not cfn_nag's failure count", async () => {
    const help = await scan(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--input-path <path>/);
    expect(help.stdout).toMatch(/Exit codes are parapet's, not cfn_nag's failure count/);
  });
});
