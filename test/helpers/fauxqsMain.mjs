// Runs the fauxqs SNS/SQS emulator in its own process (the package is ESM-only; jest here is CommonJS).
// Listens on loopback only, on a port the OS picks, prints {"address": ...} once, and exits when its
// stdin closes, so it never outlives the test process that started it.
import { buildApp } from "fauxqs";

const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ address })}\n`);
process.stdin.on("end", () => {
  app.close().finally(() => process.exit(0));
});
process.stdin.resume();
