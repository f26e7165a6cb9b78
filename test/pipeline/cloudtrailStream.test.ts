import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { evaluateCloudTrailRecords, evaluateCloudTrailStream, type CloudTrailFileResult } from "../../src/pipeline/cloudtrail";
import type { Outcome } from "../../src/pipeline/outcome";
import { openCloudTrailBytes, openCloudTrailFile } from "../../src/sources/cloudtrail";
import { InputFailure } from "../../src/util/errors";
import { goodRecords, missionRuleSet, sampleRecord } from "../helpers/cloudtrailFixtures";

const ruleSet = missionRuleSet();
const FILE = "s3://trail/AWSLogs/123837392027/CloudTrail/us-east-1/2023/07/11/x.json.gz";

/** `data` in pieces of the given sizes (cycled), like a socket; `fail` throws after that many bytes. */
function source(data: Buffer, sizes: number[], fail?: { after: number; error: Error }, released?: { done: boolean }): AsyncIterable<Uint8Array> {
  return (async function* () {
    try {
      let from = 0;
      for (let i = 0; from < data.length; i++) {
        if (fail && from >= fail.after) throw fail.error;
        const size = sizes[i % sizes.length]!;
        yield data.subarray(from, from + size);
        from += size;
      }
    } finally {
      if (released) released.done = true;
    }
  })();
}

const open = (data: Buffer, sizes: number[] = [65536], extra: { fail?: { after: number; error: Error }; released?: { done: boolean }; bare?: boolean } = {}) =>
  openCloudTrailBytes(FILE, source(data, sizes, extra.fail, extra.released), {
    allowBareArray: extra.bare ?? false,
    notGzip: extra.bare ? undefined : "not a gzip file (CloudTrail delivers .json.gz)",
    readError: (err) => new InputFailure(FILE, `could not read from S3 (${(err as Error).message})`, "retryable"),
  });

/** The result of a file that was read to its end. */
async function evaluated(promise: Promise<Outcome<CloudTrailFileResult>>): Promise<CloudTrailFileResult> {
  const outcome = await promise;
  if (outcome.status !== "evaluated") throw new Error(`expected the file evaluated, got ${outcome.status}: ${outcome.reason}`);
  return outcome.result;
}

/** A file that broke: how (skipped or failed), why, and what the records before the break showed. */
async function broken(promise: Promise<Outcome<CloudTrailFileResult>>): Promise<{ status: string; reason: string; partial: CloudTrailFileResult }> {
  const outcome = await promise;
  if (outcome.status === "evaluated" || outcome.partial === undefined) throw new Error(`expected a broken file with a partial result, got ${outcome.status}`);
  return { status: outcome.status, reason: outcome.reason, partial: outcome.partial };
}

const summary = (r: { findings: { ruleId: string; location: { pointer?: string } }[] }) => r.findings.map((f) => `${f.ruleId} ${f.location.pointer}`).sort();

/** An untagged launch first, then enough benign records that a cut halfway through the gzip lands well after it. */
function launchThenFiller(filler = 400): Record<string, unknown>[] {
  const read = sampleRecord("Error_AccessDenied.invictus.json");
  // hashed ids keep the filler from compressing to nothing, so gzip offsets track record offsets
  const id = (i: number) => createHash("sha256").update(String(i)).digest("hex");
  return [sampleRecord("RunInstances_success_tagSpecificationSet.invictus.json"), ...Array.from({ length: filler }, (_, i) => ({ ...read, eventID: `filler-${i}`, requestID: id(i) }))];
}

describe("evaluateCloudTrailStream", () => {
  const records = goodRecords();
  const expected = evaluateCloudTrailRecords(records, FILE, { ruleSet });

  it.each([[[1]], [[7, 3]], [[100]], [[65536]]])("finds the same as a whole-file evaluation, whatever the pieces (%j bytes)", async (sizes) => {
    for (const chunkRecords of [1, 2, 1000]) {
      const result = await evaluated(evaluateCloudTrailStream(await open(gzipSync(JSON.stringify({ Records: records })), sizes), { ruleSet, chunkRecords }));
      expect(summary(result)).toEqual(summary(expected));
      expect(result.records).toBe(records.length);
      expect(result.bytes).toBe(Buffer.byteLength(JSON.stringify({ Records: records })));
    }
  });

  it("streams plain JSON and bare arrays when gzip is not required (local files)", async () => {
    const result = await evaluated(evaluateCloudTrailStream(await open(Buffer.from(JSON.stringify(records, null, 2)), [13], { bare: true }), { ruleSet }));
    expect(summary(result)).toEqual(summary(expected));
  });

  it("evaluates the records before a truncated gzip breaks, and says where it broke", async () => {
    const gz = gzipSync(JSON.stringify({ Records: launchThenFiller() }));
    const err = await broken(evaluateCloudTrailStream(await open(gz.subarray(0, Math.floor(gz.length / 2)), [4096]), { ruleSet, chunkRecords: 50 }));
    expect(err.partial.file).toBe(FILE);
    expect(err.status).toBe("skipped");
    expect(err.reason).toMatch(
      new RegExp(`^corrupt or truncated gzip \\(unexpected end of file\\) after [\\d,]+ bytes of log text \\([\\d,]+ bytes of gzip read\\); [\\d,]+ records before the break were evaluated$`),
    );
    expect(err.partial.records).toBeGreaterThan(100);
    expect(err.partial.records).toBeLessThan(401);
    expect(err.partial.findings.map((f) => f.ruleId)).toEqual(["required-tags"]);
    expect(err.partial.findings[0]!.location.pointer).toBe("/Records/0");
  });

  it("keeps a failed read retryable and still hands back the records before it", async () => {
    const gz = gzipSync(JSON.stringify({ Records: launchThenFiller() }));
    const released = { done: false };
    const err = await broken(evaluateCloudTrailStream(await open(gz, [1024], { fail: { after: gz.length / 2, error: new Error("socket hang up") }, released }), { ruleSet }));
    expect(err.status).toBe("failed");
    expect(err.reason).toMatch(/could not read from S3 \(socket hang up\); [\d,]+ records before the break were evaluated$/);
    expect(err.partial.findings.map((f) => f.ruleId)).toEqual(["required-tags"]);
    expect(released.done).toBe(true);
  });

  it("stops reading at a record that is not JSON, after evaluating the ones before it, and releases the source", async () => {
    const good = JSON.stringify({ Records: launchThenFiller(5) });
    const invalid = good.replace('"eventID":"filler-3"', '"eventID":filler-3');
    const released = { done: false };
    const tail = Buffer.alloc(4 * 1024 * 1024, 0x20); // more body after the bad record that must not be read
    const err = await broken(evaluateCloudTrailStream(await open(gzipSync(Buffer.concat([Buffer.from(invalid), tail])), [512], { released }), { ruleSet, chunkRecords: 2 }));
    expect(err.status).toBe("skipped");
    expect(err.reason).toMatch(/^not valid JSON at \/Records\/4 \(.*\); 4 records before the break were evaluated$/);
    expect(err.partial.records).toBe(4);
    expect(err.partial.findings.map((f) => f.ruleId)).toEqual(["required-tags"]);
    expect(released.done).toBe(true);
  });

  it("reports content that is not a log with its usual message and nothing evaluated", async () => {
    const err = await broken(evaluateCloudTrailStream(await open(gzipSync(JSON.stringify({ records: [] }))), { ruleSet }));
    expect(err.reason).toBe(`no "Records" array: not a CloudTrail log file (top level is an object with records)`);
    expect(err.partial.records).toBe(0);
  });

  it("rejects a body that is not gzip when opening, before anything is evaluated", async () => {
    await expect(open(Buffer.from(JSON.stringify({ Records: records })))).rejects.toThrow(`${FILE}: not a gzip file (CloudTrail delivers .json.gz)`);
  });
});

describe("openCloudTrailFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "parapet-stream-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("streams .json.gz, and .json detected by content, bare arrays included", async () => {
    const records = goodRecords();
    writeFileSync(join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: records })));
    writeFileSync(join(dir, "b.json"), JSON.stringify(records));
    writeFileSync(join(dir, "c.json"), gzipSync(JSON.stringify({ Records: records }))); // gzip despite the name
    for (const name of ["a.json.gz", "b.json", "c.json"]) {
      const result = await evaluated(evaluateCloudTrailStream(await openCloudTrailFile(join(dir, name)), { ruleSet }));
      expect(result.records).toBe(records.length);
      expect(result.findings).toHaveLength(3);
    }
  });

  it("names the file when it cannot be read or is not gzip despite its name", async () => {
    await expect(openCloudTrailFile(join(dir, "nope.json.gz"))).rejects.toThrow(`${join(dir, "nope.json.gz")}: cannot read (ENOENT)`);
    writeFileSync(join(dir, "plain.json.gz"), "{}");
    await expect(openCloudTrailFile(join(dir, "plain.json.gz"))).rejects.toThrow(`${join(dir, "plain.json.gz")}: not a gzip file despite its .gz name`);
  });
});
