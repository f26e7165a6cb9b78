import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../../src/paths";

// action.yml cannot run here (no runner), but everything in it except the two third-party actions
// can: its `run:` scripts are executed by bash the way a runner does, with the inputs substituted
// and the GITHUB_* files and variables a runner provides.

// Each test runs the CLI several times; a loaded machine makes that slow.
jest.setTimeout(60_000);

interface Step {
  id?: string;
  name: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION_TEXT = readFileSync(join(PACKAGE_ROOT, "action.yml"), "utf8");
const ACTION = parse(ACTION_TEXT) as Action;

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string> }>;
}

/** The expressions action.yml uses: `inputs.x`, `steps.id.outputs.y`, and `==`/`!=` against a quoted string. */
function evaluate(expression: string, context: Context): string | boolean {
  const comparison = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(expression.trim());
  if (comparison) {
    const equal = String(evaluate(comparison[1]!, context)) === comparison[3];
    return comparison[2] === "==" ? equal : !equal;
  }
  const input = /^inputs\.([\w-]+)$/.exec(expression.trim());
  if (input) return context.inputs[input[1]!] ?? "";
  const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression.trim());
  if (output) return context.steps[output[1]!]?.outputs[output[2]!] ?? "";
  throw new Error(`the test runner does not know the expression ${expression}`);
}

function substitute(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => String(evaluate(expression, context)));
}

interface StepRun {
  step: Step;
  status?: number;
  stdout?: string;
  stderr?: string;
  with?: Record<string, string>;
}

/**
 * Runs the composite action's steps in order, as a runner does; `uses:` steps are recorded, not run.
 * `actionPath` is the action's checkout (GITHUB_ACTION_PATH).
 */
function runAction(actionPath: string, workspace: string, given: Record<string, string>): { steps: StepRun[]; outputs: Record<string, string> } {
  // Its build step runs `npm ci` when dist/ is missing: never in this working tree.
  if (resolve(actionPath) === resolve(PACKAGE_ROOT)) throw new Error("run the action from a copy of the package");
  const inputs = Object.fromEntries(Object.entries(ACTION.inputs).map(([name, input]) => [name, given[name] ?? input.default ?? ""]));
  const context: Context = { inputs, steps: {} };
  const runs: StepRun[] = [];
  for (const step of ACTION.runs.steps) {
    if (step.if !== undefined && evaluate(step.if, context) !== true) continue;
    if (step.uses) {
      runs.push({ step, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), context)])) });
      continue;
    }
    const outputFile = join(workspace, "..", `github-output-${runs.length}`);
    writeFileSync(outputFile, "");
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), context)]));
    const cwd = resolve(workspace, substitute(step["working-directory"] ?? ".", context));
    // `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}` on a runner.
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
      cwd,
      env: { ...process.env, ...env, GITHUB_ACTION_PATH: actionPath, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputFile, GITHUB_ACTIONS: "true", CI: "true" },
      encoding: "utf8",
      timeout: 60_000,
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    if (step.id) context.steps[step.id] = { outputs };
    runs.push({ step, status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr });
    if (result.status !== 0) break; // a failed step ends a composite action
  }
  const outputs = Object.fromEntries(Object.entries(ACTION.outputs).map(([name, output]) => [name, substitute(output.value, context)]));
  return { steps: runs, outputs };
}

const BAD_BUCKET = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Public:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
`;

let tmp: string;
let actionPath: string;
let workspace: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "parapet-action-"));
  // The action's checkout, already built (jest's global setup builds dist/), so that its build step
  // has nothing to do: it must never run npm in this working tree.
  actionPath = join(tmp, "action");
  for (const entry of ["action.yml", "package.json", "config.json", "bin", "dist", "rules", "schemas", "data"]) {
    if (existsSync(join(PACKAGE_ROOT, entry))) cpSync(join(PACKAGE_ROOT, entry), join(actionPath, entry), { recursive: true });
  }
  expect(existsSync(join(actionPath, "dist/parapet.js"))).toBe(true);
  workspace = join(tmp, "workspace");
  mkdirSync(join(workspace, "infra"), { recursive: true });
  expect(spawnSync("git", ["init", "-q", workspace]).status).toBe(0);
  copyFileSync(join(PACKAGE_ROOT, "samples/templates/web-app.yaml"), join(workspace, "infra/web.yaml"));
  writeFileSync(join(workspace, "infra/public.yaml"), BAD_BUCKET);
  writeFileSync(join(workspace, "docker-compose.yml"), "services:\n  web:\n    image: nginx\n");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lintStep = (runs: StepRun[]) => runs.find((r) => r.step.id === "lint");

describe("action.yml", () => {
  it("is a composite action whose inputs are all used, and whose expressions all resolve", () => {
    expect(ACTION.runs.using).toBe("composite");
    const used = new Set([...ACTION_TEXT.matchAll(/\binputs\.([\w-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(ACTION.inputs).sort());
    const stepIds = new Set(ACTION.runs.steps.map((s) => s.id).filter(Boolean));
    for (const [, id] of ACTION_TEXT.matchAll(/\bsteps\.([\w-]+)\.outputs/g)) expect(stepIds).toContain(id);
    for (const step of ACTION.runs.steps) if (step.run) expect(step.shell).toBe("bash");
  });

  it("never puts an expression inside a script, so inputs cannot become shell code", () => {
    for (const step of ACTION.runs.steps) if (step.run) expect(step.run).not.toContain("${{");
    const { steps, outputs } = runAction(actionPath, workspace, { paths: "infra/web.yaml $(touch${IFS}pwned) `touch${IFS}pwned2`" });
    expect(existsSync(join(workspace, "pwned"))).toBe(false);
    expect(existsSync(join(workspace, "pwned2"))).toBe(false);
    // The words are paths to parapet, which names them and exits 2.
    expect(lintStep(steps)!.stderr).toContain("$(touch${IFS}pwned)");
    expect(outputs["exit-code"]).toBe("2");
  });

  it("annotates findings and fails on them by default; fail-on decides", () => {
    const { steps, outputs } = runAction(actionPath, workspace, { paths: "infra/*.yaml docker-compose.yml" });
    expect(steps.map((s) => s.step.name)).toEqual(["Look for Node.js 20 or later", "Build parapet", "Lint"]);
    const lint = lintStep(steps)!;
    expect(lint.status).toBe(1);
    expect(outputs["exit-code"]).toBe("1");
    expect(lint.stdout).toContain("::error file=infra/public.yaml,line=4,col=11,title=s3-bucket-no-public-read-write-acl (F14) ");
    expect(lint.stdout).not.toContain("docker-compose.yml,"); // not a template: skipped, not annotated
    const relaxed = runAction(actionPath, workspace, { paths: "infra", "fail-on": "none", format: "text" });
    expect(lintStep(relaxed.steps)!.status).toBe(0);
    expect(lintStep(relaxed.steps)!.stdout).toMatch(/^infra\/public\.yaml:4:11 +critical +s3-bucket-no-public-read-write-acl \(F14\)/m);
    expect(relaxed.outputs["exit-code"]).toBe("0");
  });

  it("passes config and extra args through, and runs in working-directory with annotations still from the root", () => {
    writeFileSync(join(workspace, "deny.yml"), "RulesToSuppress:\n  - id: F14\n    reason: demo bucket\n");
    const { steps } = runAction(actionPath, workspace, { "working-directory": "infra", paths: "public.yaml", args: "--deny-list ../deny.yml", config: "../no-such-config.json" });
    // The config input is used: a missing file is a usage error.
    expect(lintStep(steps)!.status).toBe(2);
    expect(lintStep(steps)!.stderr).toContain("no-such-config.json");
    const denied = runAction(actionPath, workspace, { "working-directory": "infra", paths: "public.yaml web.yaml", args: "--deny-list ../deny.yml", "fail-on": "none" });
    const out = lintStep(denied.steps)!.stdout;
    expect(out).toContain("::error file=infra/web.yaml,");
    expect(out).not.toContain("s3-bucket-no-public-read-write-acl");
  });

  it("writes a SARIF report for code scanning and hands it to the upload step, before the lint step fails", () => {
    const { steps, outputs } = runAction(actionPath, workspace, { paths: ".", "upload-sarif": "true", "working-directory": "infra", "sarif-file": "out/parapet.sarif", category: "templates" });
    // The report's directory (out/) did not exist: the step makes it.
    expect(steps.find((s) => s.step.id === "sarif")).toMatchObject({ status: 0, stderr: "" });
    expect(steps.map((s) => s.step.name)).toEqual(["Look for Node.js 20 or later", "Build parapet", "Write the SARIF report", "Upload the SARIF report to code scanning", "Lint"]);
    const upload = steps.find((s) => s.step.uses)!;
    expect(upload.step.uses).toBe("github/codeql-action/upload-sarif@v4");
    expect(upload.with).toEqual({ sarif_file: join(workspace, "infra/out/parapet.sarif"), category: "templates" });
    expect(outputs["sarif-file"]).toBe(join(workspace, "infra/out/parapet.sarif"));
    const run = JSON.parse(readFileSync(upload.with!.sarif_file!, "utf8")).runs[0];
    expect(run.results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri)).toContain("infra/public.yaml");
    expect(outputs["exit-code"]).toBe("1");
  });
});
