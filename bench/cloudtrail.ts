import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzip, gunzipSync, gzipSync } from "node:zlib";
import { promisify } from "node:util";
import { findingsToAlerts, NullAlertSink } from "../src/alerts";
import { defaultConfiguration } from "../src/engine/config";
import { loadRules } from "../src/engine/loader";
import type { RuleSet } from "../src/engine/ruleset";
import { SAMPLES_DIR } from "../src/paths";
import { evaluateCloudTrailRecords, evaluateCloudTrailStream } from "../src/pipeline/cloudtrail";
import { openCloudTrailBytes, openCloudTrailFile, parseLogBody, type CloudTrailStream } from "../src/sources/cloudtrail";
import { InputFailure } from "../src/util/errors";
import { formatRow, measureCycles, peakRssMiB, type Measurement } from "./harness";

/**
 * CloudTrail throughput: a generated log file of at least 50 MB (records drawn from the bundled
 * sample: ~80% reads, ~20% writes, 1 in 20 writes a violation; unique event ids, times out of order),
 * gzipped, then in the same run
 *   floor: gunzip (1 MiB chunks) + JSON.parse — what any reader must pay (it holds the whole body);
 *   whole: the pipeline's streaming path — gzip arriving in 64 KiB pieces as from an S3 socket, gunzip
 *          with 1 MiB chunks, record splitting, parse per group, normalize, evaluate with the built-in
 *          rules, alerts to a null sink.
 * Peak memory of each is measured in a child process that does only that one run; the whole path's
 * child streams the file from disk as `parapet scan cloudtrail` does.
 */
const TARGET_BYTES = 50 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

type Rec = Record<string, unknown>;

function templates(ruleSet: RuleSet): { reads: Rec[]; clean: Rec[]; violating: Rec[] } {
  const records = parseLogBody(gunzipSync(readFileSync(path.join(SAMPLES_DIR, "cloudtrail/sample.json.gz"))), "sample") as Rec[];
  const reads: Rec[] = [];
  const clean: Rec[] = [];
  const violating: Rec[] = [];
  for (const r of records) {
    if (r.readOnly === true && r.eventName !== "ConsoleLogin") reads.push(r);
    else if (evaluateCloudTrailRecords([r], "t", { ruleSet }).findings.length > 0) violating.push(r);
    else clean.push(r);
  }
  return { reads, clean, violating };
}

/** Deterministic pseudo-random numbers, so every run measures the same file. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

export function generateLog(ruleSet: RuleSet): { json: string; records: number; writes: number } {
  const { reads, clean, violating } = templates(ruleSet);
  const random = lcg(42);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const parts: string[] = [];
  let bytes = 14;
  let writes = 0;
  const day = Date.UTC(2024, 7, 1);
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const write = random() < 0.2;
    const template = write ? (random() < 0.05 ? pick(violating) : pick(clean)) : pick(reads);
    if (write) writes += 1;
    const hex = i.toString(16).padStart(12, "0");
    // CloudTrail writes eventVersion first (the Stratus exports sort keys alphabetically).
    const record = {
      eventVersion: template.eventVersion ?? "1.09",
      ...template,
      eventID: `00000000-0000-4000-8000-${hex}`,
      requestID: `10000000-0000-4000-8000-${hex}`,
      eventTime: new Date(day + Math.floor(random() * 86_400) * 1000).toISOString().replace(".000Z", "Z"),
    };
    const text = JSON.stringify(record);
    parts.push(text);
    bytes += text.length + 1;
  }
  return { json: `{"Records":[${parts.join(",")}]}`, records: parts.length, writes };
}

async function floor(gz: Buffer): Promise<number> {
  const body = await gunzipAsync(gz, { chunkSize: 1024 * 1024 });
  const doc = JSON.parse(body.toString("utf8")) as { Records: unknown[] };
  return doc.Records.length;
}

/** `data` in pieces of `size` bytes, as a socket delivers a download. */
async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let from = 0; from < data.length; from += size) yield data.subarray(from, from + size);
}

function inMemory(gz: Buffer): Promise<CloudTrailStream> {
  return openCloudTrailBytes("bench.json.gz", pieces(gz, 64 * 1024), {
    allowBareArray: false,
    notGzip: "not gzip",
    readError: (err) => new InputFailure("bench.json.gz", String(err)),
  });
}

async function whole(stream: Promise<CloudTrailStream>, ruleSet: RuleSet, sink: NullAlertSink): Promise<number> {
  const outcome = await evaluateCloudTrailStream(await stream, { ruleSet });
  if (outcome.status !== "evaluated") throw new Error(outcome.reason);
  const result = outcome.result;
  await sink.publish(findingsToAlerts(result.findings));
  return result.findings.length;
}

/**
 * `node cloudtrail.js --child floor|whole <file.gz>`: one run, then print the peak RSS and the RSS
 * just before the file was read (Node, the SDK and the compiled rules: not the file's cost).
 */
async function child(mode: string, file: string): Promise<void> {
  const ruleSet = mode === "whole" ? loadRules({ config: defaultConfiguration() }).ruleSet : undefined;
  const beforeMiB = process.memoryUsage().rss / 1024 / 1024;
  if (ruleSet) await whole(openCloudTrailFile(file), ruleSet, new NullAlertSink());
  else await floor(readFileSync(file));
  process.stdout.write(`${JSON.stringify({ peakRssMiB: peakRssMiB(), beforeMiB })}\n`);
}

function childPeak(mode: string, file: string): { peakRssMiB: number; beforeMiB: number } {
  const result = spawnSync(process.execPath, [__filename, "--child", mode, file], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${mode} child failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as { peakRssMiB: number; beforeMiB: number };
}

export async function runCloudTrailBench(): Promise<void> {
  const { ruleSet } = loadRules({ config: defaultConfiguration() });
  const { json, records, writes } = generateLog(ruleSet);
  const gz = gzipSync(json, { level: 6 });
  const mb = json.length / 1024 / 1024;
  console.log(
    `cloudtrail: ${mb.toFixed(1)} MiB uncompressed (${records.toLocaleString("en")} records, ${((writes / records) * 100).toFixed(0)}% writes), ${(gz.length / 1024 / 1024).toFixed(1)} MiB gzip, ${ruleSet.rules.length} rules`,
  );

  const sink = new NullAlertSink();
  let findings = 0;
  const [f, w] = (await measureCycles([
    { name: "floor: gunzip 1 MiB chunks + JSON.parse", run: () => floor(gz) },
    { name: "whole (streaming): gunzip+split+parse+eval", run: async () => void (findings = await whole(inMemory(gz), ruleSet, sink)) },
  ])) as [Measurement, Measurement];
  const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(0)} MiB/s`;
  console.log(formatRow(f, rate(f.medianMs)));
  console.log(formatRow(w, `${rate(w.medianMs)}, ${findings} findings → null sink`));
  const ratio = f.medianMs / w.medianMs;
  console.log(`  whole/floor throughput: ${ratio.toFixed(2)} (target ≥ 0.80) ${ratio >= 0.8 ? "ok" : "BELOW TARGET"}`);

  const dir = mkdtempSync(path.join(tmpdir(), "parapet-bench-"));
  try {
    const file = path.join(dir, "bench.json.gz");
    writeFileSync(file, gz);
    const floorRun = childPeak("floor", file);
    const wholeRun = childPeak("whole", file);
    const limit = 3 * mb;
    const own = wholeRun.peakRssMiB - wholeRun.beforeMiB;
    const verdict = (v: number) => (v <= limit ? "ok" : "ABOVE TARGET");
    console.log(`  peak RSS (target ≤ ${limit.toFixed(0)} MiB = 3× uncompressed):`);
    console.log(`    floor, whole process:          ${floorRun.peakRssMiB.toFixed(0).padStart(4)} MiB (holds the gzip, the body and the parsed document)`);
    console.log(`    whole path, whole process:     ${wholeRun.peakRssMiB.toFixed(0).padStart(4)} MiB ${verdict(wholeRun.peakRssMiB)}`);
    console.log(
      `    whole path above the baseline: ${own.toFixed(0).padStart(4)} MiB ${verdict(own)} (baseline ${wholeRun.beforeMiB.toFixed(0)} MiB before the file was opened: Node, SDK, compiled rules)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [flag, mode, file] = process.argv.slice(2);
  const run = flag === "--child" && mode && file ? child(mode, file) : runCloudTrailBench();
  run.catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
