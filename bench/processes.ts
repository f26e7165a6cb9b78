import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Whole-process measurements (wall time including start-up, peak RSS) through GNU time. */
export interface ProcessRun {
  wallMs: number;
  peakRssMiB: number;
  status: number | null;
}

export function runProcess(command: string, args: string[], options: { cwd?: string; input?: string } = {}): ProcessRun {
  const timeBin = "/usr/bin/time";
  const useTime = existsSync(timeBin);
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync(timeBin, ["-f", "PARAPET_BENCH_RSS_KB=%M", command, ...args], { cwd: options.cwd, input: options.input, encoding: "utf8", maxBuffer: 1 << 30 })
    : spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: "utf8", maxBuffer: 1 << 30 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = /PARAPET_BENCH_RSS_KB=(\d+)/.exec(result.stderr ?? "");
  return { wallMs, peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN, status: result.status };
}

export function medianRuns(runs: number, fn: () => ProcessRun): { wallMs: number; minMs: number; maxMs: number; peakRssMiB: number; status: number | null } {
  fn(); // warm-up: file cache, lazy compilation caches
  const results = Array.from({ length: runs }, fn);
  const walls = results.map((r) => r.wallMs).sort((a, b) => a - b);
  const rss = results.map((r) => r.peakRssMiB).sort((a, b) => a - b);
  return { wallMs: walls[Math.floor(runs / 2)]!, minMs: walls[0]!, maxMs: walls[runs - 1]!, peakRssMiB: rss[Math.floor(runs / 2)]!, status: results[0]!.status };
}

/**
 * cfn-guard for side-by-side numbers, from the npm package that ships its Linux binary. Fetched with
 * `npm pack` into a cache (not a dependency: its peer dependency is all of aws-cdk-lib).
 */
export function cfnGuard(): { binary: string; rules: string } | undefined {
  const cache = path.join(os.tmpdir(), "parapet-bench-cfnguard");
  const binary = path.join(cache, "package/bin/ubuntu/x86_64/cfn-guard");
  if (!existsSync(binary)) {
    mkdirSync(cache, { recursive: true });
    const pack = spawnSync("npm", ["pack", "@cdklabs/cdk-validator-cfnguard@0.0.62", "--silent"], { cwd: cache, encoding: "utf8" });
    const tgz = readdirSync(cache).find((f) => f.endsWith(".tgz"));
    if (pack.status !== 0 || !tgz) return undefined;
    spawnSync("tar", ["xzf", tgz], { cwd: cache });
  }
  return existsSync(binary) ? { binary, rules: path.join(cache, "package/rules/control-tower/cfn-guard") } : undefined;
}
