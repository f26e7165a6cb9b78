/**
 * Tiny benchmark harness: runs a function several times after a warm-up and reports the median,
 * because this 2-core machine is noisy. Each benchmark measures its floor in the same run.
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

export interface Contender {
  name: string;
  run: () => unknown;
}

/**
 * Measures a floor (the first contender) and the others in the same run, robust to a machine whose
 * speed drifts: `cycles` times over, each contender gets a block of one warm-up and `runsPerBlock`
 * timed runs. The warm-up absorbs the garbage and JIT state the previous contender left, so every
 * timed run is that contender's steady state (runs interleaved one by one made each pay for the
 * other's garbage); the cycles spread drift over all contenders alike. Medians over all timed runs.
 */
export async function measureCycles(contenders: readonly Contender[], cycles = 3, runsPerBlock = 3): Promise<Measurement[]> {
  const times = contenders.map((): number[] => []);
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (let i = 0; i < contenders.length; i++) {
      for (let run = -1; run < runsPerBlock; run++) {
        const start = process.hrtime.bigint();
        await contenders[i]!.run();
        if (run >= 0) times[i]!.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return contenders.map((c, i) => summarize(c.name, times[i]!));
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
