/**
 * The README shows real output: every ```console block is a `$ npx parapet ...` command (a pipe into
 * head or tail allowed) followed by exactly what it prints. Each is run with the built CLI in place of
 * `npx parapet`, from the repository root, and must print the block's text.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { CLI, REPO_ROOT } from "./helpers/cli";

const exec = promisify(execFile);

interface Example {
  command: string;
  output: string;
}

function consoleExamples(markdown: string): Example[] {
  return [...markdown.matchAll(/^```console\n\$ (.+)\n([\s\S]*?)^```$/gm)].map((m) => ({ command: m[1]!, output: m[2]! }));
}

const examples = consoleExamples(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"));

it("the README has console examples for lint, scan cloudtrail and flows scan", () => {
  expect(examples.map((e) => e.command.split(" ").slice(0, 3).join(" "))).toEqual(["npx parapet lint", "npx parapet scan", "npx parapet flows"]);
});

it.each(examples.map((e) => [e.command, e] as const))("README: %s", async (_command, example) => {
  expect(example.command).toMatch(/^npx parapet [^|;&`$]+(\| (head|tail) -n \d+)?$/);
  const command = example.command.replace(/^npx parapet /, `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} `);
  // Exit codes are the README's prose, not the example's: a failing lint still prints its report.
  const { stdout } = await exec("bash", ["-c", `${command}; true`], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } });
  expect(stdout).toBe(example.output);
});
