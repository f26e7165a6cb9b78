import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { PACKAGE_ROOT } from "../../src/paths";
import { runCli } from "../helpers/cli";

// GitHub code scanning as a CI job sees it: a repository checked out somewhere, parapet run from the
// root or from a subdirectory. Alerts must name the same files and keep their identity either way.

// Each test runs the CLI several times; a loaded machine makes that slow.
jest.setTimeout(60_000);

const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, "test/fixtures/sarif-schema-2.1.0.json"), "utf8"));
const validate = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(validate);
const validateSarif = validate.compile(schema);

let tmp: string;
let repo: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "parapet-sarif-"));
  repo = join(tmp, "repo");
  mkdirSync(join(repo, "infra"), { recursive: true });
  expect(spawnSync("git", ["init", "-q", repo]).status).toBe(0);
  copyFileSync(join(PACKAGE_ROOT, "samples/templates/web-app.yaml"), join(repo, "infra/web.yaml"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function sarif(args: string[], cwd: string): Promise<any> {
  const run = await runCli(["lint", ...args, "-f", "sarif", "--fail-on", "none"], { cwd });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const log = JSON.parse(run.stdout);
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(validateSarif(log)).toBe(true);
  return log.runs[0];
}

/** What must not depend on where parapet ran: where each result is and what it is. */
const identity = (run: any) => run.results.map((r: any) => ({ ruleId: r.ruleId, location: r.locations[0].physicalLocation, fingerprints: r.partialFingerprints }));

describe("SARIF for code scanning, from the command line", () => {
  it("names files from the repository root and fingerprints them alike from any directory", async () => {
    const fromRoot = await sarif(["infra/web.yaml"], repo);
    const fromInfra = await sarif(["web.yaml"], join(repo, "infra"));
    const fromOutside = await sarif([join(repo, "infra/web.yaml")], tmp);
    expect(fromRoot.results.length).toBeGreaterThan(1);
    expect(identity(fromInfra)).toEqual(identity(fromRoot));
    expect(identity(fromOutside)).toEqual(identity(fromRoot));
    expect(fromRoot.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "infra/web.yaml", uriBaseId: "%SRCROOT%" });
    expect(fromRoot.originalUriBaseIds["%SRCROOT%"].uri).toBe(`${pathToFileURL(repo).href}/`);
    expect(fromInfra.originalUriBaseIds).toEqual(fromRoot.originalUriBaseIds);
  });

  it("describes the rules that fired, each linked to its documentation, and the tool's home", async () => {
    const run = await sarif(["infra/web.yaml"], repo);
    const fired = [...new Set(run.results.map((r: any) => r.ruleId))].sort();
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(fired);
    for (const rule of run.tool.driver.rules) expect(rule.helpUri).toMatch(new RegExp(`^https://github\\.com/.+/docs/rules\\.md#${rule.id}$`));
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/#]+#readme$/);
    const all = await sarif(["infra/web.yaml", "--sarif-all-rules"], repo);
    expect(all.tool.driver.rules.length).toBeGreaterThan(100);
    for (const result of all.results) expect(all.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
  });

  it("--base-path sets the root instead", async () => {
    const run = await sarif(["infra/web.yaml", "--base-path", "infra"], repo);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "web.yaml", uriBaseId: "%SRCROOT%" });
    const wrong = await runCli(["lint", "infra/web.yaml", "--base-path", "no-such-dir"], { cwd: repo });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("parapet: --base-path no-such-dir: not a directory\n");
  });

  it("a baseline written from the root matches from a subdirectory", async () => {
    expect(await runCli(["lint", "infra/web.yaml", "--write-baseline", ".parapet-baseline.json"], { cwd: repo })).toMatchObject({ code: 0, stderr: expect.stringMatching(/^parapet: wrote \d+ findings to \.parapet-baseline\.json\n$/) });
    expect(JSON.parse(readFileSync(join(repo, ".parapet-baseline.json"), "utf8"))).toMatchObject({ version: 2, root: "." });
    const again = await runCli(["lint", "web.yaml", "--baseline", "../.parapet-baseline.json", "-f", "json"], { cwd: join(repo, "infra") });
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(again.stdout).findings).toEqual([]);
  });

  it("text and GitHub output show the cfn_nag id beside parapet's", async () => {
    const text = await runCli(["lint", "infra/web.yaml"], { cwd: repo });
    expect(text).toMatchObject({ code: 1, stderr: "" });
    expect(text.stdout).toMatch(/^infra\/web\.yaml:36:11 +critical +s3-bucket-no-public-read-write-acl \(F14\) +S3 bucket AssetsBucket/m);
    const github = await runCli(["lint", "web.yaml", "-f", "github"], { cwd: join(repo, "infra") });
    expect(github.stdout).toContain("::error file=infra/web.yaml,line=36,col=11,title=s3-bucket-no-public-read-write-acl (F14) ");
  });
});
