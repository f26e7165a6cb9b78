import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { STARTER_SECTIONS } from "../../src/cli/commands/init";
import { defaultConfiguration, loadConfig } from "../../src/engine/config";
import { loadRules } from "../../src/engine/loader";
import { runCli } from "../helpers/cli";

// Each test spawns the CLI a few times.
jest.setTimeout(30_000);

function emptyRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "parapet-init-"));
  mkdirSync(path.join(dir, ".git")); // discovery stops at a repository's top level
  return dir;
}

describe("parapet init", () => {
  it("writes a commented .parapet.yaml that loads to exactly parapet's defaults, and lint then finds it", async () => {
    const dir = emptyRepo();
    const run = await runCli(["init"], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toContain("wrote .parapet.yaml");
    const text = readFileSync(path.join(dir, ".parapet.yaml"), "utf8");
    for (const topic of ["required tags", "business hours", "ports that may be open", "reason", "expire", "lint` skips"]) expect(text.toLowerCase()).toContain(topic.toLowerCase());
    expect(loadConfig(path.join(dir, ".parapet.yaml"), {})).toEqual(defaultConfiguration());

    // The discovered file is in force: a typo added to it is reported against it.
    writeFileSync(path.join(dir, ".parapet.yaml"), text.replace("  disabled: []", "  disabled: [required-tag]"));
    writeFileSync(path.join(dir, "t.yaml"), "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n");
    const lint = await runCli(["lint", "t.yaml"], { cwd: dir });
    expect(lint.code).toBe(2);
    expect(lint.stderr).toBe('parapet: .parapet.yaml: rules.disabled: unknown rule id "required-tag" (did you mean "required-tags"?)\n');
  });

  it("refuses to overwrite a configuration unless --force", async () => {
    const dir = emptyRepo();
    writeFileSync(path.join(dir, ".parapet.yaml"), "minSeverity: high\n");
    const refused = await runCli(["init"], { cwd: dir });
    expect(refused).toMatchObject({ code: 2, stderr: "parapet: .parapet.yaml already exists; use --force to overwrite it\n" });
    expect(readFileSync(path.join(dir, ".parapet.yaml"), "utf8")).toBe("minSeverity: high\n");
    expect((await runCli(["init", "--force"], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, ".parapet.yaml"), "utf8")).toContain("# Business hours");

    const other = emptyRepo();
    writeFileSync(path.join(other, ".parapet.json"), "{}");
    expect(await runCli(["init"], { cwd: other })).toMatchObject({ code: 2, stderr: "parapet: .parapet.json already configures this directory; edit it instead\n" });
  });

  it("every example in the starter is a valid configuration naming real rules and types", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parapet-init-examples-"));
    for (const [i, section] of STARTER_SECTIONS.entries()) {
      if (!section.example) continue;
      const file = path.join(dir, `example-${i}.yaml`);
      writeFileSync(file, section.example + "\n");
      const config = loadConfig(file, {});
      expect(config).not.toEqual(loadConfig(undefined, {})); // the example changes something
      expect(() => loadRules({ config, lazy: true })).not.toThrow();
    }
  });
});
