import { spawn } from "node:child_process";
import path from "node:path";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Bytes fed to the CLI's standard input (otherwise it gets an empty, closed stdin). */
  stdin?: Buffer | string;
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  /** Milliseconds before the process is killed and the test fails (default 60 s). */
  timeoutMs?: number;
}

export const REPO_ROOT = path.join(__dirname, "..", "..");
/** The built CLI as users run it: test/globalSetup.js builds it from the sources before every test run. */
export const CLI = path.join(REPO_ROOT, "bin", "parapet.js");

/**
 * Runs the built CLI (`bin/parapet.js` → `dist/parapet.js`) in a child process, the way a user or CI
 * does: what the tests see is what ships, not the TypeScript sources. The child inherits this process's
 * environment (so `useEndpoint` reaches it) plus `options.env`.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const run = { code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
      if (signal) reject(new Error(`parapet ${args.join(" ")} was killed (${signal}) after ${options.timeoutMs ?? 60_000} ms\n${run.stderr}`));
      else resolve(run);
    });
    // A CLI that exits before reading its input closes the pipe: that is its business, not the test's.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
  });
}

/**
 * Points the AWS SDK clients the CLI creates for `service` at a loopback server, the way a user would
 * (the SDK's standard endpoint variable, plus credentials it accepts); returns what undoes it.
 */
export function useEndpoint(service: "S3" | "SNS" | "EC2", endpoint: string, credentials = { accessKeyId: "test", secretAccessKey: "test" }): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, { [`AWS_ENDPOINT_URL_${service}`]: endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
  return () => {
    process.env = saved;
  };
}
