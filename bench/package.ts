import { spawnSync } from "node:child_process";
import path from "node:path";
import { buildRuleBundle, LAMBDA_PACKAGES, MAX_BUNDLE_BYTES, packageLambda } from "../scripts/package";
import { PACKAGE_ROOT } from "../src/paths";

/**
 * The Lambda packages as a cold container sees them: bundle and zip size, and cold start — a fresh
 * process requiring the bundled handler module, which loads the configuration and compiles the
 * embedded rule set at import (what Lambda's init phase runs). Timed in the child with
 * `process.hrtime` around the require, and as the whole process's wall time (node start-up
 * included). Median of several fresh processes, after one warm-up for the file cache.
 */
const RUNS = 9;
const COLD_START_TARGET_MS = 150;

/** Runs in the child: prints the require time in ms, or exits non-zero if the module failed. */
const CHILD = `
const start = process.hrtime.bigint();
const mod = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (Object.keys(mod).length === 0) process.exit(3);
process.stderr.write("PARAPET_COLD_START_MS=" + ms + "\\n");
`;

interface ColdStart {
  requireMs: number;
  wallMs: number;
}

function coldStart(bundle: string): ColdStart {
  const env = {
    ...process.env,
    PARAPET_DRY_RUN: "true",
    LOG_LEVEL: "ERROR",
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["-e", CHILD, bundle], { env, encoding: "utf8", cwd: path.dirname(bundle) });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const found = /PARAPET_COLD_START_MS=([\d.]+)/.exec(result.stderr);
  if (result.status !== 0 || !found) throw new Error(`requiring ${bundle} failed (exit ${result.status}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return { requireMs: Number(found[1]), wallMs };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function main(): Promise<void> {
  const outDir = path.join(PACKAGE_ROOT, "build", "lambda");
  const rules = buildRuleBundle();
  console.log(`package: Lambda bundles (esbuild, ${Object.keys(rules.files).length} rules embedded); cold start = fresh process requiring the bundle, median of ${RUNS}`);
  let failed = false;
  for (const pkg of LAMBDA_PACKAGES) {
    const r = await packageLambda(pkg, { outDir, rules });
    coldStart(r.bundle); // warm-up: file cache
    const runs = Array.from({ length: RUNS }, () => coldStart(r.bundle));
    const requireMs = runs.map((x) => x.requireMs);
    const wall = median(runs.map((x) => x.wallMs));
    const cold = median(requireMs);
    const sizeOk = r.bundleBytes <= MAX_BUNDLE_BYTES;
    const coldOk = cold <= COLD_START_TARGET_MS;
    failed ||= !sizeOk;
    console.log(
      `  ${pkg.name.padEnd(11)} index.js ${(r.bundleBytes / 1024).toFixed(0).padStart(5)} KiB ${sizeOk ? "(≤ 2 MB)" : "(OVER 2 MB)"}  zip ${(r.zipBytes / 1024).toFixed(0).padStart(4)} KiB` +
        `  require+compile median ${cold.toFixed(0).padStart(4)} ms (min ${Math.min(...requireMs).toFixed(0)}, max ${Math.max(...requireMs).toFixed(0)})` +
        ` ${coldOk ? "≤" : ">"} ${COLD_START_TARGET_MS} ms target  whole process ${wall.toFixed(0)} ms`,
    );
  }
  const floor = median(Array.from({ length: RUNS }, () => { const s = process.hrtime.bigint(); spawnSync(process.execPath, ["-e", "0"]); return Number(process.hrtime.bigint() - s) / 1e6; }));
  console.log(`  floor: node start-up alone, whole process ${floor.toFixed(0)} ms`);
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench package: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
