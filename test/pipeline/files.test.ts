import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFiles, type ExcludePatterns, type FileSearchOptions } from "../../src/pipeline/files";
import { TEMPLATE_EXTENSIONS } from "../../src/pipeline/lint";

/**
 * What `lint` reads from a repository: a real git work tree with a .gitignore, dependencies, CDK
 * output, hidden directories and a file deleted from the work tree but still in the index.
 */
let scratch: string;
let repo: string;
let plain: string;

const FILES = [
  ".gitignore",
  "templates/app.yaml",
  "templates/app.local.yaml",
  "templates/notes.md",
  "build/out.yaml",
  "cdk.out/Stack.template.json",
  "node_modules/pkg/template.yaml",
  "lib/node_modules/nested/t.json",
  ".github/workflows/ci.yml",
  "test/fixtures/bad.yaml",
  "deleted.yaml",
];

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "parapet-files-"));
  plain = path.join(scratch, "plain");
  repo = path.join(scratch, "repo");
  for (const file of FILES) {
    mkdirSync(path.dirname(path.join(plain, file)), { recursive: true });
    writeFileSync(path.join(plain, file), file === ".gitignore" ? "build/\ncdk.out/\n*.local.yaml\n" : "Resources: {}\n");
  }
  cpSync(plain, repo, { recursive: true });
  execFileSync("git", ["init", "-q", "."], { cwd: repo });
  execFileSync("git", ["add", "deleted.yaml"], { cwd: repo });
  unlinkSync(path.join(repo, "deleted.yaml"));
  unlinkSync(path.join(plain, "deleted.yaml"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const options = (extra: Partial<FileSearchOptions> = {}): FileSearchOptions => ({ extensions: TEMPLATE_EXTENSIONS, ...extra });
/** Found files relative to `root`, each marked when it was named. */
const found = (root: string, inputs: string[], extra?: Partial<FileSearchOptions>) =>
  findFiles(inputs, options(extra)).files.map((f) => path.relative(root, f.path).split(path.sep).join("/") + (f.named ? " (named)" : ""));
const excludeIn = (base: string, ...patterns: string[]): ExcludePatterns => ({ patterns, base, origin: ".parapet.yaml" });

describe("finding the files to lint", () => {
  it("in a git work tree: what git lists, without hidden files, node_modules/ or cdk.out/", () => {
    expect(found(repo, [repo])).toEqual(["templates/app.yaml", "test/fixtures/bad.yaml"]);
  });

  it("without .gitignore (outside a work tree, or turned off), the default excludes still hold", () => {
    const expected = ["build/out.yaml", "templates/app.local.yaml", "templates/app.yaml", "test/fixtures/bad.yaml"];
    expect(found(plain, [plain])).toEqual(expected);
    expect(found(repo, [repo], { gitignore: false })).toEqual(expected);
  });

  it("searches a named directory in full even when git ignores it (cdk.out/, build/)", () => {
    expect(found(repo, [path.join(repo, "cdk.out"), path.join(repo, "build")])).toEqual(["cdk.out/Stack.template.json", "build/out.yaml"]);
  });

  it("leaves out what exclude patterns name, relative to their directory; the search that only they empty is told", () => {
    const search = findFiles([repo], options({ exclude: [excludeIn(repo, "test/fixtures/")] }));
    expect(search.files.map((f) => path.relative(repo, f.path))).toEqual(["templates/app.yaml"]);
    const relativeToTest = findFiles([repo], options({ exclude: [excludeIn(path.join(repo, "test"), "fixtures/", "templates/")] }));
    expect(relativeToTest.files.map((f) => path.relative(repo, f.path))).toEqual(["templates/app.yaml"]);
    const emptied = findFiles([path.join(repo, "templates")], options({ exclude: [excludeIn(repo, "*.yaml")] }));
    expect(emptied).toMatchObject({ files: [], missing: [], excluded: [{ input: path.join(repo, "templates"), origin: ".parapet.yaml" }] });
  });

  it("lints a named path whatever the patterns say, unless told to force the excludes", () => {
    const bad = path.join(repo, "test/fixtures/bad.yaml");
    const fixtures = path.join(repo, "test/fixtures");
    const exclude = [excludeIn(repo, "test/fixtures/")];
    expect(found(repo, [bad, fixtures], { exclude })).toEqual(["test/fixtures/bad.yaml (named)"]);
    expect(found(repo, [fixtures], { exclude })).toEqual(["test/fixtures/bad.yaml"]);
    const forced = findFiles([bad, fixtures, path.join(repo, "templates")], options({ exclude, forceExclude: true }));
    expect(forced.files.map((f) => path.relative(repo, f.path))).toEqual(["templates/app.yaml"]);
    expect(forced.excluded).toEqual([
      { input: bad, origin: ".parapet.yaml" },
      { input: fixtures, origin: ".parapet.yaml" },
    ]);
  });

  it("keeps a named file of any extension", () => {
    expect(found(repo, [path.join(repo, "templates/notes.md")])).toEqual(["templates/notes.md (named)"]);
  });

  it("expands globs from where their wildcards start, as git sees that directory", () => {
    expect(found(repo, [`${repo}/templates/*.yaml`])).toEqual(["templates/app.yaml"]);
    expect(found(repo, [`${repo}/**/*.yaml`])).toEqual(["templates/app.yaml", "test/fixtures/bad.yaml"]);
    expect(found(repo, [`${repo}/cdk.out/*.json`])).toEqual(["cdk.out/Stack.template.json"]);
  });

  it("reports each input that names nothing and still searches the others", () => {
    const search = findFiles([path.join(repo, "missing.yaml"), `${repo}/none/*.yaml`, path.join(repo, "templates")], options());
    expect(search.missing).toEqual([
      { file: path.join(repo, "missing.yaml"), message: "no such file or directory" },
      { file: `${repo}/none/*.yaml`, message: "no files match" },
    ]);
    expect(search.files.map((f) => path.relative(repo, f.path))).toEqual(["templates/app.yaml"]);
  });

  it("names each file once, named if any input named it", () => {
    const app = path.join(repo, "templates/app.yaml");
    expect(found(repo, [path.join(repo, "templates"), app, `${repo}/templates/*.yaml`])).toEqual(["templates/app.yaml (named)"]);
    expect(found(repo, [app, path.join(repo, "templates")])).toEqual(["templates/app.yaml (named)"]);
  });
});
