/**
 * Tiny benchmark harness: runs a function several times after a warm-up and reports the median,
 * because this 2-core machine is noisy. Each benchmark measures its floor in the same run, each
 * contender in a block of its own runs: its warm-up absorbs the garbage the one before left, so every
 * timed run is that contender's steady state (interleaving them made each pay for the other's garbage).
 */
import { readFileSync } from "node:fs";

export interface Measurement {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export function measure(name: string, fn: () => unknown, runs = 5, warmup = 1): Measurement {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarize(name, times);
}

export async function measureAsync(name: string, fn: () => Promise<unknown>, runs = 5, warmup = 1): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarize(name, times);
}

function summarize(name: string, times: number[]): Measurement {
  const sorted = [...times].sort((a, b) => a - b);
  return { name, medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, runs: times.length };
}

export function formatRow(m: Measurement, extra = ""): string {
  return `  ${m.name.padEnd(44)} median ${m.medianMs.toFixed(1).padStart(9)} ms  (min ${m.minMs.toFixed(1)}, max ${m.maxMs.toFixed(1)})${extra ? "  " + extra : ""}`;
}

/**
 * This process's own peak RSS. `getrusage` max RSS is kept across fork + exec, so a child of a large
 * parent reports the parent's peak; `VmHWM` belongs to the process's own address space. Falls back
 * to `getrusage` off Linux.
 */
export function peakRssMiB(): number {
  try {
    const kb = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
