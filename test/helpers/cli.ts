import { Readable } from "node:stream";
import { main } from "../../src/cli/main";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing stdout and stderr, optionally feeding stdin. */
export async function runCli(args: string[], options: { stdin?: Buffer } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const realStdin = Object.getOwnPropertyDescriptor(process, "stdin")!;
  if (options.stdin) Object.defineProperty(process, "stdin", { value: Readable.from([options.stdin]), configurable: true });
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (options.stdin) Object.defineProperty(process, "stdin", realStdin);
    process.exitCode = undefined;
  }
}

/**
 * Points the AWS SDK clients the CLI creates for `service` at a loopback server, the way a user would
 * (the SDK's standard endpoint variable, plus credentials it accepts); returns what undoes it.
 */
export function useEndpoint(service: "S3" | "SNS", endpoint: string, credentials = { accessKeyId: "test", secretAccessKey: "test" }): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, { [`AWS_ENDPOINT_URL_${service}`]: endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
  return () => {
    process.env = saved;
  };
}
