import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PACKAGE_ROOT } from "../../src/paths";

// The hook as pre-commit users get it: pre-commit clones this repository at a commit, installs it as
// a node package (npm install, npm pack, npm install -g of the tarball, all from the npm registry's
// cache where it can), and runs `parapet lint` on the staged files of another repository's commits.

const PRE_COMMIT = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
const HAVE_PRE_COMMIT = PRE_COMMIT.status === 0;
const IN_GIT_CHECKOUT = existsSync(join(PACKAGE_ROOT, ".git"));
const SKIP_REASON = !HAVE_PRE_COMMIT
  ? "pre-commit is not on PATH (Debian/Ubuntu: apt-get install pre-commit; elsewhere: pipx install pre-commit)"
  : !IN_GIT_CHECKOUT
    ? "parapet is not a git checkout here, and pre-commit installs hooks from a git repository"
    : undefined;
if (SKIP_REASON) console.warn(`test/integrations/preCommit.test.ts skipped: ${SKIP_REASON}`);

/** Commits made in the scratch repositories need an identity, and must not ask for a signature. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: "parapet test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "parapet test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

let tmp: string;
let env: NodeJS.ProcessEnv;

function run(command: string, args: string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout });
  if (result.error) throw result.error;
  return result;
}

function git(cwd: string, ...args: string[]): string {
  const result = run("git", ["-c", "commit.gpgsign=false", ...args], cwd);
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** This working tree as it is now (what git tracks or would track), committed in a scratch repository. */
function snapshotOfThisCheckout(target: string): string {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PACKAGE_ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const source = join(PACKAGE_ROOT, file);
    if (!existsSync(source) || !statSync(source).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(source, join(target, file));
  }
  git(target, "init", "-q");
  git(target, "add", "-A");
  git(target, "commit", "-q", "-m", "snapshot");
  return git(target, "rev-parse", "HEAD");
}

/** Stages `files` in the project and commits; the pre-commit hook decides whether the commit happens. */
function commit(project: string, files: Record<string, string>): SpawnSyncReturns<string> {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(project, name), content);
  git(project, "add", ...Object.keys(files));
  return run("git", ["-c", "commit.gpgsign=false", "commit", "-m", `add ${Object.keys(files).join(", ")}`], project, 120_000);
}

const BAD_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Public:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
`;

(SKIP_REASON ? describe.skip : describe)("pre-commit hook parapet-lint", () => {
  let project: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "parapet-pre-commit-"));
    env = {
      ...process.env,
      ...GIT_ENV,
      // pre-commit's own cache (its clone of the hook repository and the node environment) stays in here.
      PRE_COMMIT_HOME: join(tmp, "pre-commit-home"),
      // The packages are in npm's cache after `npm ci`: no need to ask the registry about each again.
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    };
    const hookRepo = join(tmp, "parapet");
    const rev = snapshotOfThisCheckout(hookRepo);

    project = join(tmp, "project");
    mkdirSync(project);
    git(project, "init", "-q");
    writeFileSync(join(project, ".pre-commit-config.yaml"), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: parapet-lint\n`);
    git(project, "add", ".pre-commit-config.yaml");
    git(project, "commit", "-q", "-m", "pre-commit configuration");
    const install = run("pre-commit", ["install"], project);
    expect(install.stderr).toBe("");
    // Builds the hook's node environment now rather than inside the first commit, with its own time limit.
    const hooks = run("pre-commit", ["install-hooks"], project, 240_000);
    if (hooks.status !== 0) throw new Error(`pre-commit install-hooks failed:\n${hooks.stdout}\n${hooks.stderr}`);
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("lets a commit of YAML and JSON that are not templates through", () => {
    const result = commit(project, {
      "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
      "package.json": '{ "name": "app", "version": "1.0.0" }\n',
    });
    expect(result.stdout + result.stderr).toMatch(/parapet lint\.+Passed/);
    expect(result.status).toBe(0);
  }, 120_000);

  it("stops a commit of a template with a high finding, and says why", () => {
    const before = git(project, "rev-parse", "HEAD");
    const result = commit(project, { "bucket.yaml": BAD_TEMPLATE });
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/parapet lint\.+Failed/);
    expect(output).toMatch(/bucket\.yaml:4:11 +critical +s3-bucket-no-public-read-write-acl \(F14\)/);
    expect(result.status).not.toBe(0);
    expect(git(project, "rev-parse", "HEAD")).toBe(before);
    git(project, "rm", "-q", "--cached", "bucket.yaml");
    rmSync(join(project, "bucket.yaml"));
  }, 120_000);

  it("leaves files of other kinds to other hooks", () => {
    const result = commit(project, { "bucket.txt": BAD_TEMPLATE });
    expect(result.stdout + result.stderr).toMatch(/parapet lint\.+\(no files to check\)Skipped/);
    expect(result.status).toBe(0);
  }, 120_000);
});
