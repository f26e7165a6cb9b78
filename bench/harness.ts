/**
 * Tiny benchmark harness: runs a function several times after a warm-up and reports the median,
 * because this 2-core machine is noisy. Each benchmark measures its floor in the same run. Garbage
 * is collected before each timed run (with `--expose-gc`), so no run pays for the one before.
 */
import { readFileSync } from "node:fs";

/** `global.gc` when node runs with `--expose-gc` (as `npm run bench` starts every benchmark). */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

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
    collectGarbage?.();
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

export interface PairedMeasurement {
  measurements: Measurement[];
  /** Per contender: the median over rounds of floor time ÷ its time in the same round (the floor's is 1). */
  ofFloor: number[];
}

/**
 * Runs the floor (the first contender) and the others in turn, round after round, like an A/B
 * comparison: each ratio to the floor is taken within a round and the median of those is reported,
 * so the machine's speed drifting during the run (this one is noisy) moves both sides of a ratio.
 */
export async function measureRounds(contenders: readonly Contender[], rounds = 7, warmup = 1): Promise<PairedMeasurement> {
  const times = contenders.map((): number[] => []);
  for (let round = -warmup; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      // The previous contender's garbage is collected before the clock starts, not on this one's time.
      collectGarbage?.();
      const start = process.hrtime.bigint();
      await contenders[i]!.run();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (round >= 0) times[i]!.push(ms);
    }
  }
  const floor = times[0]!;
  return {
    measurements: contenders.map((c, i) => summarize(c.name, times[i]!)),
    ofFloor: times.map((own) => median(own.map((ms, round) => floor[round]! / ms))),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
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
