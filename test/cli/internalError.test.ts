/**
 * A bug (anything that is not a user mistake) ends the run with exit 70, its stack, and one line asking
 * for a report that names the version and where to file it. In-process, with a command made to fail:
 * the built CLI has no way to reach a bug on purpose.
 */
import { Command } from "commander";

jest.mock("../../src/cli/commands/lint", () => ({
  lintCommand: () =>
    new Command("lint").action(() => {
      throw new TypeError("cannot read properties of undefined (reading 'Resources')");
    }),
}));

import { EXIT_INTERNAL_ERROR, main } from "../../src/cli/main";
import { packageInfo } from "../../src/version";

it("reports an internal error with exit 70 and a request to report it", async () => {
  let stderr = "";
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    expect(await main(["lint"])).toBe(EXIT_INTERNAL_ERROR);
  } finally {
    spy.mockRestore();
  }
  expect(EXIT_INTERNAL_ERROR).toBe(70);
  expect(stderr).toMatch(/^parapet: internal error: TypeError: cannot read properties of undefined \(reading 'Resources'\)\n {4}at /);
  expect(stderr).toContain(`parapet: this is a bug in parapet ${packageInfo.version}; please report it at ${packageInfo.issues} with the command you ran`);
  expect(packageInfo.issues).toMatch(/^https:\/\//);
});
