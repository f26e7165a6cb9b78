import { Command, CommanderError } from "commander";
import { UserError } from "../util/errors";
import { lintCommand } from "./commands/lint";
import { rulesCommand } from "./commands/rules";
import { scanCommand } from "./commands/scan";
import { version } from "../version";

/** Builds the `parapet` command tree. Each subcommand lives in `commands/<name>.ts`. */
export function buildProgram(): Command {
  const program = new Command("parapet")
    .description("Compliance rules for CloudFormation templates, CloudTrail and VPC flow logs")
    .version(version)
    .exitOverride();
  program.addCommand(lintCommand());
  program.addCommand(rulesCommand());
  program.addCommand(scanCommand());
  return program;
}

/**
 * Runs the CLI. User mistakes (bad arguments, config, rule files, inputs) print one clear message and
 * exit 2; findings set exit 1 from within commands; anything else is a bug and keeps its stack.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`parapet: internal error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
