import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI, REPO_ROOT, runCli } from "../helpers/cli";

/**
 * `parapet lint` pointed at whole repositories: this one (its own .parapet.yaml), and scratch ones with
 * the files real repositories hold besides templates.
 */
interface JsonReport {
  summary: { findings: number; filesScanned: number; filesSkipped: number; errors: number };
  findings: { ruleId: string; file: string }[];
  errors: { file: string; message: string }[];
}
const json = (stdout: string) => JSON.parse(stdout) as JsonReport;

// Each test spawns the CLI a few times, on a machine whose cores other test runs share.
jest.setTimeout(60_000);

const QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
const OPEN_SSH =
  "Resources:\n  In:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: 0.0.0.0/0\n";

let scratch: string;
let project: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "parapet-lint-repo-"));
  project = path.join(scratch, "project");
  const files: Record<string, string> = {
    ".gitignore": "dist/\n",
    "infra/app.yaml": QUEUE,
    "infra/open.yaml": OPEN_SSH,
    "fixtures/broken.yaml": "Resources:\n  B: [unclosed\n",
    "dist/copy.yaml": OPEN_SSH,
    "node_modules/dep/template.yaml": OPEN_SSH,
    "cdk.out/Stack.template.json": JSON.stringify({ Resources: { In: { Type: "AWS::EC2::SecurityGroupIngress", Properties: { GroupId: "sg-1", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" } } } }),
    "cdk.out/manifest.json": '{"version": "36.0.0", "artifacts": {}}',
    "package.json": '{"name": "project"}',
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
    ".parapet.yaml": "lint:\n  exclude:\n    - fixtures/\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), text);
  }
  execFileSync("git", ["init", "-q", "."], { cwd: project });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const files = (report: JsonReport) => [...new Set(report.findings.map((f) => f.file))].sort();

describe("parapet lint . in this repository", () => {
  it("exits 0 with no template-invalid finding, linting templates/ and skipping everything else, in seconds", async () => {
    const started = Date.now();
    const r = await runCli(["lint", ".", "-f", "json"], { cwd: REPO_ROOT });
    const elapsed = Date.now() - started;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.findings.filter((f) => f.ruleId === "template-invalid")).toEqual([]);
    expect(report.summary.filesScanned).toBeGreaterThanOrEqual(1);
    // node_modules/ alone holds thousands of JSON files: none of them was read.
    const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.split("\n");
    const candidates = listed.filter((f) => /\.(ya?ml|json|template)$/i.test(f) && !/(^|\/)\./.test(f) && !/^(test\/fixtures|samples)\//.test(f) && existsSync(path.join(REPO_ROOT, f)));
    expect(report.summary.filesScanned + report.summary.filesSkipped).toBe(candidates.length);
    expect(elapsed).toBeLessThan(15_000);
  });

  it("finds .parapet.yaml from a subdirectory, and lints a directory it excludes when that directory is named", async () => {
    const fromTemplates = await runCli(["lint", ".."], { cwd: path.join(REPO_ROOT, "templates") });
    expect(fromTemplates.code).toBe(0);
    expect(fromTemplates.stdout).toMatch(/ in \d+ templates?, \d+ suppressed, \d+ non-template files skipped\n$/);
    const samples = await runCli(["lint", "samples/templates", "-f", "json"]);
    expect(samples.code).toBe(1);
    expect(files(json(samples.stdout))).toEqual(["samples/templates/web-app.yaml"]);
  });
});

describe("parapet lint on a repository with more than templates", () => {
  it("lints what git tracks, minus node_modules/, cdk.out/ and the configuration's excludes; counts the rest as skipped", async () => {
    const r = await runCli(["lint", ".", "-f", "json"], { cwd: project });
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(files(report)).toEqual(["infra/app.yaml", "infra/open.yaml"]);
    expect(report.summary).toMatchObject({ filesScanned: 2, filesSkipped: 2, errors: 0 });
    const text = await runCli(["lint", "."], { cwd: project });
    expect(text.stdout).toMatch(/ in 2 templates, 0 suppressed, 2 non-template files skipped\n$/);
  });

  it("--exclude adds patterns; --config and PARAPET_CONFIG replace the discovered file", async () => {
    const excluded = json((await runCli(["lint", ".", "-f", "json", "--exclude", "infra/open.yaml"], { cwd: project })).stdout);
    expect(files(excluded)).toEqual(["infra/app.yaml"]);
    const other = path.join(scratch, "other.json");
    writeFileSync(other, JSON.stringify({ lint: { exclude: ["/infra/"] } }));
    // Patterns are relative to their file (.gitignore syntax: a leading / anchors one there), and the
    // project's own fixtures/ exclude no longer applies.
    const viaFlag = json((await runCli(["lint", ".", "-f", "json", "--config", other], { cwd: project })).stdout);
    expect(files(viaFlag)).toEqual(["fixtures/broken.yaml", "infra/app.yaml", "infra/open.yaml"]);
    const viaEnv = json((await runCli(["lint", ".", "-f", "json"], { cwd: project, env: { PARAPET_CONFIG: other } })).stdout);
    expect(files(viaEnv)).toEqual(files(viaFlag));
  });

  it("a broken .parapet.yaml is one line and exit 2", async () => {
    const dir = path.join(scratch, "broken-config");
    mkdirSync(path.join(dir, ".git"), { recursive: true });
    writeFileSync(path.join(dir, ".parapet.yaml"), "lint:\n  exclude: fixtures/\n");
    const r = await runCli(["lint", "."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("parapet: .parapet.yaml: lint.exclude: must be array\n");
  });

  it("lints a git-ignored cdk.out/ when it is named", async () => {
    const r = await runCli(["lint", "cdk.out", "-f", "json"], { cwd: project });
    expect(files(json(r.stdout))).toEqual(["cdk.out/Stack.template.json"]);
    expect(json(r.stdout).summary.filesSkipped).toBe(1);
  });

  it("works without git: .gitignore is then not read, the default excludes still are", async () => {
    const r = await runCli(["lint", ".", "-f", "json"], { cwd: project, env: { PATH: path.join(scratch, "no-bin") } });
    expect(r.stderr).toBe("");
    expect(files(json(r.stdout))).toEqual(["dist/copy.yaml", "infra/app.yaml", "infra/open.yaml"]);
  });

  it("skips a named non-template with a note instead of a finding", async () => {
    const r = await runCli(["lint", "package.json", "infra/app.yaml", "--fail-on", "low"], { cwd: project });
    expect(r.stderr).toBe("parapet: package.json: not a CloudFormation template (no top-level Resources or AWSTemplateFormatVersion), skipped\n");
    expect(r.stdout).toMatch(/ in 1 template, 0 suppressed, 1 non-template file skipped\n$/);
    expect(r.code).toBe(1);
  });

  it("--force-exclude applies the excludes to named files, as a pre-commit hook needs", async () => {
    const r = await runCli(["lint", "fixtures/broken.yaml", "infra/app.yaml", "--force-exclude"], { cwd: project });
    expect(r.stderr).toBe("parapet: fixtures/broken.yaml: excluded by .parapet.yaml, not linted\n");
    expect(r.code).toBe(0);
    expect((await runCli(["lint", "fixtures/broken.yaml"], { cwd: project })).code).toBe(1);
  });
});

describe("parapet lint inputs", () => {
  it("- lints stdin, named by --stdin-filename", async () => {
    const r = await runCli(["lint", "-", "--stdin-filename", "stacks/open.yaml", "-f", "json"], { stdin: OPEN_SSH, cwd: scratch });
    expect(r.code).toBe(1);
    expect(files(json(r.stdout))).toEqual(["stacks/open.yaml"]);
    const unnamed = await runCli(["lint", "-", "--fail-on", "none"], { stdin: OPEN_SSH, cwd: scratch });
    expect(unnamed.stdout).toMatch(/^<stdin>:\d+:\d+ +high +sg-internet-ingress-port-not-allowed/m);
    const notTemplate = await runCli(["lint", "-"], { stdin: "services: {}\n", cwd: scratch });
    expect([notTemplate.code, notTemplate.stderr]).toEqual([0, "parapet: <stdin>: not a CloudFormation template (no top-level Resources or AWSTemplateFormatVersion), skipped\n"]);
  });

  it("--stdin-filename without - is a usage error", async () => {
    const r = await runCli(["lint", "infra", "--stdin-filename", "x.yaml"], { cwd: project });
    expect([r.code, r.stderr]).toEqual([2, "parapet: --stdin-filename names the template read from stdin: add - to the paths\n"]);
  });

  it("a missing path fails the run (exit 2) but not the other paths: their report is printed", async () => {
    const r = await runCli(["lint", "infra", "nope.yaml", "missing/*.yaml", "-f", "json"], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("parapet: nope.yaml: no such file or directory\nparapet: missing/*.yaml: no files match\n");
    const report = json(r.stdout);
    expect(files(report)).toEqual(["infra/app.yaml", "infra/open.yaml"]);
    expect(report.errors.map((e) => e.file)).toEqual(["missing/*.yaml", "nope.yaml"]);
  });

  it("--help lists the exit codes", async () => {
    const r = await runCli(["lint", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExit codes:\n +0 +no finding at or above --fail-on\n +1 +a finding at or above --fail-on\n +2 +a usage .*\n.*\n +70 +an internal error: a bug in parapet; please report it/);
  });
});

describe("lint progress", () => {
  let many: string;
  beforeAll(() => {
    many = path.join(scratch, "many");
    mkdirSync(many);
    for (let i = 0; i < 60; i++) writeFileSync(path.join(many, `q${i}.yaml`), QUEUE);
  });

  it("is never written when stderr is not a terminal (CI logs)", async () => {
    const r = await runCli(["lint", many, "--fail-on", "none"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/ in 60 templates,/);
  });

  // `script` gives the CLI a terminal; util-linux has it on every Linux this project runs on.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  (hasScript ? it : it.skip)("shows a bar on a terminal's stderr, and --no-progress turns it off", () => {
    const run = (...extra: string[]) =>
      spawnSync("script", ["-qec", [process.execPath, CLI, "lint", many, "--fail-on", "none", "-o", path.join(scratch, "out.txt"), ...extra].join(" "), "/dev/null"], { encoding: "utf8" });
    const shown = run();
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/linting .* \d+\/60 files \| \d+ templates \| \d+ findings/);
    expect(run("--no-progress").stdout).not.toContain("linting");
    expect(readFileSync(path.join(scratch, "out.txt"), "utf8")).toMatch(/ in 60 templates,/);
  });
});
