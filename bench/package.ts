import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
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

/** Runs in the child: requires the flow-log bundle, then handles one CloudWatch Logs event (argv[2]). */
const FIRST_EVENT_CHILD = `
const start = process.hrtime.bigint();
const mod = require(process.argv[1]);
const loaded = process.hrtime.bigint();
mod.cloudWatchHandler(JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"))).then(() => {
  const done = process.hrtime.bigint();
  process.stderr.write("PARAPET_FIRST_EVENT_MS=" + Number(done - loaded) / 1e6 + "\\n");
}, (err) => { process.stderr.write(String(err)); process.exit(3); });
`;

/** A CloudWatch Logs subscription event carrying the bundled sample flow log. */
function sampleCloudWatchEvent(): string {
  const lines = readFileSync(path.join(PACKAGE_ROOT, "samples/flowlogs/sample.log"), "utf8").split("\n").filter((l) => /^\d/.test(l));
  const payload = {
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "/vpc/flow-logs",
    logStream: "eni-0a1b2c3d4e5f60001-all",
    subscriptionFilters: ["parapet"],
    logEvents: lines.map((message, i) => ({ id: String(i), timestamp: 1718000000000, message })),
  };
  const file = path.join(os.tmpdir(), `parapet-bench-cloudwatch-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } }));
  return file;
}

/** A fresh container's environment: dry run (no publishing), quiet logs, the SDK's Node warning off. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PARAPET_DRY_RUN: "true", LOG_LEVEL: "ERROR", AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...extra };
}

/** The first event's extra time in a fresh container: what initialisation deferred to first use. */
function firstEventMs(bundle: string, event: string): number {
  // Interfaces from the sample inventory: no EC2 calls (there is no network here).
  const inventory = ["network-interfaces.json", "instances.json"].map((f) => path.join(PACKAGE_ROOT, "samples/flowlogs", f));
  const env = childEnv({ PARAPET_CONFIG_JSON: JSON.stringify({ flowlogs: { inventoryFiles: inventory } }) });
  const result = spawnSync(process.execPath, ["-e", FIRST_EVENT_CHILD, bundle, event], { env, encoding: "utf8", cwd: path.dirname(bundle) });
  const found = /PARAPET_FIRST_EVENT_MS=([\d.]+)/.exec(result.stderr);
  if (result.status !== 0 || !found) throw new Error(`first event on ${bundle} failed: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return Number(found[1]);
}

interface ColdStart {
  requireMs: number;
  wallMs: number;
}

function coldStart(bundle: string): ColdStart {
  const env = childEnv();
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
  const event = sampleCloudWatchEvent();
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
    const firstEvent =
      pkg.name === "flowlogs"
        ? `; then the first event (the 31-line sample, interfaces from the sample inventory) median ${median(Array.from({ length: RUNS }, () => firstEventMs(r.bundle, event))).toFixed(0)} ms`
        : "";
    console.log(
      `  ${pkg.name.padEnd(11)} index.js ${(r.bundleBytes / 1024).toFixed(0).padStart(5)} KiB ${sizeOk ? "(≤ 2 MB)" : "(OVER 2 MB)"}  zip ${(r.zipBytes / 1024).toFixed(0).padStart(4)} KiB` +
        `  require+compile median ${cold.toFixed(0).padStart(4)} ms (min ${Math.min(...requireMs).toFixed(0)}, max ${Math.max(...requireMs).toFixed(0)})` +
        ` ${coldOk ? "≤" : ">"} ${COLD_START_TARGET_MS} ms target  whole process ${wall.toFixed(0)} ms${firstEvent}`,
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
