import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/engine/config";
import { findConfigFile, readConfigFile } from "../../src/engine/configFile";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "parapet-configfile-"));
  // A repository, so the search never reaches a stray file above the scratch directory.
  mkdirSync(path.join(root, ".git"));
  mkdirSync(path.join(root, "a/b/c"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return "no error";
};

describe("finding a repository's .parapet.yaml", () => {
  it("takes the nearest one walking up, and none above the repository's top level", () => {
    expect(findConfigFile(path.join(root, "a/b/c"))).toBeUndefined();
    writeFileSync(path.join(root, ".parapet.json"), "{}");
    expect(findConfigFile(path.join(root, "a/b/c"))).toBe(path.join(root, ".parapet.json"));
    writeFileSync(path.join(root, "a/.parapet.yml"), "");
    expect(findConfigFile(path.join(root, "a/b/c"))).toBe(path.join(root, "a/.parapet.yml"));
    // Inside a nested repository the outer file does not apply.
    mkdirSync(path.join(root, "a/b/.git"));
    expect(findConfigFile(path.join(root, "a/b/c"))).toBeUndefined();
  });

  it("refuses two of them side by side", () => {
    writeFileSync(path.join(root, ".parapet.yaml"), "");
    writeFileSync(path.join(root, ".parapet.json"), "{}");
    expect(errorOf(() => findConfigFile(root))).toBe(`.parapet.yaml and .parapet.json both in ${root}: keep one`);
  });
});

describe("reading a configuration file", () => {
  it("reads YAML by its extension and JSON otherwise; an all-comment YAML file is empty", () => {
    const yaml = path.join(root, ".parapet.yaml");
    writeFileSync(yaml, "lint:\n  exclude:\n    - samples/\n");
    expect(readConfigFile(yaml)).toEqual({ lint: { exclude: ["samples/"] } });
    writeFileSync(yaml, "# nothing yet\n");
    expect(readConfigFile(yaml)).toEqual({});
    const json = path.join(root, "config");
    writeFileSync(json, '{"minSeverity": "low"}');
    expect(readConfigFile(json)).toEqual({ minSeverity: "low" });
  });

  it.each([
    ["bad.yaml", "lint: [unclosed\n", /^.*bad\.yaml: not valid YAML \([^\n]+\)$/],
    ["list.yml", "- a\n- b\n", /list\.yml: configuration must be a YAML mapping$/],
    ["bad.json", "lint: {}", /bad\.json: not valid JSON \(/],
  ])("reports %s in one line", (name, text, expected) => {
    writeFileSync(path.join(root, name), text);
    expect(errorOf(() => readConfigFile(path.join(root, name)))).toMatch(expected);
  });

  it("validates lint.exclude like every other key", () => {
    const file = path.join(root, ".parapet.yaml");
    writeFileSync(file, "lint:\n  exclude: [test/fixtures/]\n");
    expect(loadConfig(file, {}).lint.exclude).toEqual(["test/fixtures/"]);
    expect(loadConfig(undefined, {}).lint.exclude).toEqual([]);
    writeFileSync(file, "lint:\n  exclude: samples/\n");
    expect(errorOf(() => loadConfig(file, {}))).toBe(".parapet.yaml: lint.exclude: must be array");
    writeFileSync(file, "lint:\n  exlude: [samples/]\n");
    expect(errorOf(() => loadConfig(file, {}))).toBe('.parapet.yaml: lint: unknown key "exlude"');
  });
});
