import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * `npm run bench [name ...]`: each benchmark runs in its own process so start-up, peak memory and
 * JIT state do not leak between them.
 */
const BENCHES = ["engine", "lint", "cloudtrail", "flowlogs", "package"];

const wanted = process.argv.slice(2);
const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b)) : BENCHES;
let failed = false;
for (const name of selected) {
  const file = path.join(__dirname, `${name}.js`);
  if (!existsSync(file)) continue;
  console.log("");
  const result = spawnSync(process.execPath, [file], { stdio: "inherit", env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
