import { Command, CommanderError } from "commander";
import { UserError } from "../util/errors";
import { packageInfo, version } from "../version";

/**
 * Subcommands, each in `commands/<name>.ts`, loaded only when named: `parapet lint` in CI should not
 * pay for loading the AWS SDK that `scan` needs (about a third of its start-up time).
 */
const COMMANDS: Record<string, () => Command> = {
  lint: () => (require("./commands/lint") as typeof import("./commands/lint")).lintCommand(),
  scan: () => (require("./commands/scan") as typeof import("./commands/scan")).scanCommand(),
  rules: () => (require("./commands/rules") as typeof import("./commands/rules")).rulesCommand(),
  flows: () => (require("./commands/flows") as typeof import("./commands/flows")).flowsCommand(),
  init: () => (require("./commands/init") as typeof import("./commands/init")).initCommand(),
  "cfn-nag-scan": () => (require("./commands/cfnNagScan") as typeof import("./commands/cfnNagScan")).cfnNagScanCommand(),
};

/** Builds the `parapet` command tree: the named subcommand only, or all of them for help. */
export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command("parapet")
    .description("Compliance rules for CloudFormation templates, CloudTrail and VPC flow logs")
    .version(version)
    .exitOverride();
  const named = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  for (const make of named ? [named] : Object.values(COMMANDS)) program.addCommand(make());
  return program;
}

/** Exit code of an internal error (a bug in parapet), as in BSD's sysexits EX_SOFTWARE. */
export const EXIT_INTERNAL_ERROR = 70;

/**
 * Runs the CLI and returns its exit code. User mistakes (bad arguments, config, rule files, inputs)
 * print one clear message and exit 2; findings set exit 1 from within commands; anything else is a
 * bug: its stack and a request to report it, exit 70.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`parapet: internal error: ${detail}\n`);
    process.stderr.write(`parapet: this is a bug in parapet ${version}; please report it${packageInfo.issues ? ` at ${packageInfo.issues}` : ""} with the command you ran and the lines above\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

async function run(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  // One line per mistake, prefixed like every other parapet error, with a pointer to help.
  (function configure(cmd: Command) {
    cmd.exitOverride().configureOutput({
      outputError: (text, write) => write(`parapet: ${text.replace(/^error: /, "").trimEnd()} (see --help)\n`),
    });
    cmd.commands.forEach(configure);
  })(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      for (const line of err.message.split("\n")) process.stderr.write(`parapet: ${line}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
