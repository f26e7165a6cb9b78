import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRules } from "../../src/engine/loader";
import { samplePolicy } from "../helpers/samplePolicy";
import {
  evaluateCloudTrailRecord,
  evaluateCloudTrailRecords,
  forEachLimited,
  scanCloudTrailInputs,
  type CloudTrailFileOutcome,
} from "../../src/pipeline/cloudtrail";
import { listCloudTrailInputs, readCloudTrailFile } from "../../src/sources/cloudtrail";
import { SAMPLES_DIR } from "../../src/paths";
import { badLogs, goodLog, goodRecords, hugeRecordLog, logKey, missionRuleSet, NIGHT_KEY_EVENT_ID } from "../helpers/cloudtrailFixtures";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";

const ruleSet = missionRuleSet();
const key = (f: { ruleId: string; subject: { id: string }; event?: { eventId: string } }) => `${f.ruleId} ${f.subject.id} ${f.event?.eventId}`;

describe("evaluateCloudTrailRecords", () => {
  it("finds the mission's three violations among benign records", () => {
    const result = evaluateCloudTrailRecords(goodRecords(), "good.json", { ruleSet });
    expect(result.findings.map(key).sort()).toEqual([
      `iam-change-outside-business-hours ${NIGHT_KEY_EVENT_ID} ${NIGHT_KEY_EVENT_ID}`,
      "required-tags i-05c30218156bcc246 8c9d5d59-f65e-4d38-a71b-6d712487cd91",
      "sg-internet-ingress-port-not-allowed sg-04cfb7a4712d75b00 74bd84b4-6729-4895-b2a4-e2beb7c6b377",
    ]);
    expect(result.findings.every((f) => /^\/Records\/\d+$/.test(f.location.pointer) && f.location.file === "good.json")).toBe(true);
    expect(result.records).toBe(goodRecords().length);
    expect(result.recordErrors).toEqual([]);
  });

  it("gives the same findings, pointers and errors whatever the chunk size", () => {
    const records: unknown[] = [...goodRecords(), 42, ...goodRecords().reverse(), { eventName: "RunInstances" }];
    const whole = evaluateCloudTrailRecords(records, "f.json", { ruleSet, chunkRecords: 10_000 });
    for (const chunkRecords of [1, 2, 7]) {
      const chunked = evaluateCloudTrailRecords(records, "f.json", { ruleSet, chunkRecords });
      expect(chunked.findings.map((f) => `${key(f)} ${f.location.pointer}`)).toEqual(whole.findings.map((f) => `${key(f)} ${f.location.pointer}`));
      expect(chunked.recordErrors).toEqual(whole.recordErrors);
      expect(chunked.subjects).toBe(whole.subjects);
    }
    expect(whole.recordErrors.map((e) => e.pointer)).toEqual(["/Records/9", `/Records/${records.length - 1}`]);
    expect(whole.recordErrors[0]!.message).toMatch(/not an object/);
  });

  it("evaluates one inline record at the pointer it was given", () => {
    const night = goodRecords().find((r) => r.eventID === NIGHT_KEY_EVENT_ID);
    const outcome = evaluateCloudTrailRecord(night, { file: "eventbridge:e-1", pointer: "/detail" }, { ruleSet });
    if (outcome.status !== "evaluated") throw new Error(outcome.reason);
    expect(outcome.result.findings.map((f) => [f.ruleId, f.location])).toEqual([["iam-change-outside-business-hours", { file: "eventbridge:e-1", pointer: "/detail" }]]);
  });

  it("skips an inline record that yields nothing but errors, as a malformed file is skipped", () => {
    const outcome = evaluateCloudTrailRecord({ eventName: "RunInstances" }, { file: "eventbridge:e-2", pointer: "/detail" }, { ruleSet });
    expect(outcome).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^\/detail: /), partial: { records: 1, subjects: 0 } });
  });
});

describe("the bundled sample", () => {
  it("raises each of the mission's alerts with the built-in rules", async () => {
    const file = await readCloudTrailFile(join(SAMPLES_DIR, "cloudtrail/sample.json.gz"));
    const { ruleSet: builtin } = loadRules({ config: samplePolicy() });
    const result = evaluateCloudTrailRecords(file.records, file.file, { ruleSet: builtin });
    const ids = new Set(result.findings.map((f) => `${f.ruleId} ${f.subject.type}`));
    expect(ids.has("required-tags AWS::EC2::Instance")).toBe(true);
    expect(ids.has("sg-internet-ingress-port-not-allowed AWS::EC2::SecurityGroupIngress")).toBe(true);
    expect(ids.has("iam-change-outside-business-hours Parapet::CloudTrail::ApiCall")).toBe(true);
    // Plenty of benign records: most produce nothing.
    expect(file.records.length).toBeGreaterThan(300);
    expect(new Set(result.findings.map((f) => f.location.pointer)).size).toBeLessThan(file.records.length / 4);
    expect(result.recordErrors).toEqual([]);
  });
});

describe("scanCloudTrailInputs over local files", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "parapet-ct-"));
    mkdirSync(join(dir, "a"));
    writeFileSync(join(dir, "a/good.json.gz"), goodLog());
    writeFileSync(join(dir, "good.json"), JSON.stringify(goodRecords())); // a bare array, as exported logs are
    writeFileSync(join(dir, "huge.json.gz"), hugeRecordLog());
    for (const bad of badLogs()) writeFileSync(join(dir, `bad-${bad.name}.json.gz`), bad.body);
    writeFileSync(join(dir, "notes.txt"), "not a log");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives each bad file one clear error line and processes the rest", async () => {
    const { inputs } = await listCloudTrailInputs(dir);
    const done: CloudTrailFileOutcome[] = [];
    const result = await scanCloudTrailInputs(inputs, { ruleSet, concurrency: 3, onFile: (o) => done.push(o) });
    expect(result.filesScanned).toBe(3 + badLogs().length);
    expect(done).toHaveLength(result.filesScanned);
    expect(result.filesFailed).toBe(badLogs().length);
    for (const bad of badLogs()) {
      const lines = result.errors.filter((e) => e.file === join(dir, `bad-${bad.name}.json.gz`));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.message).toMatch(bad.error);
      expect(lines[0]!.message).not.toContain(dir); // the file is named once, in `file`
    }
    // two good files (3 findings each) and the huge record's untagged launch
    expect(result.findings).toHaveLength(7);
    // ... and the truncated file's one record completed before the break (an access-denied read: no finding)
    expect(result.records).toBe(2 * goodRecords().length + 1 + 1);
    const truncated = done.find((o) => o.input.kind === "file" && o.input.path.endsWith("bad-truncated.json.gz"));
    expect(truncated).toMatchObject({ status: "skipped", partial: { records: 1 } });
    // `files` holds the same outcomes, in input order.
    expect(result.files.map((o) => o.input)).toEqual(inputs);
    expect(result.errors.find((e) => e.file.endsWith("bad-truncated.json.gz"))?.message).toMatch(
      /^corrupt or truncated gzip \(unexpected end of file\) after 4,068 bytes of log text \(1,748 bytes of gzip read\); 1 record before the break was evaluated$/,
    );
    expect(result.bytes).toBeGreaterThan(8 * 1024 * 1024);
  });

  it("keeps findings in input order whatever order files finish in", async () => {
    const { inputs } = await listCloudTrailInputs(dir);
    const one = await scanCloudTrailInputs(inputs, { ruleSet, concurrency: 1 });
    const many = await scanCloudTrailInputs(inputs, { ruleSet, concurrency: 8 });
    expect(many.findings.map((f) => `${f.location.file} ${key(f)}`)).toEqual(one.findings.map((f) => `${f.location.file} ${key(f)}`));
  });
});

describe("forEachLimited", () => {
  it("never has more than the limit in flight and visits every item once", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited([...Array(20).keys()], 3, async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, item % 4));
      seen.push(item);
      inFlight -= 1;
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});

describe("scanCloudTrailInputs over s3://bucket/prefix", () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ["trail"] });
    await s3.put("trail", `logs/${logKey("Good0000Good0000")}`, goodLog());
    await s3.put("trail", `logs/${logKey("Bad00000Bad00000")}`, badLogs()[0]!.body);
    await s3.put("trail", "logs/AWSLogs/123837392027/CloudTrail-Digest/us-east-1/2023/07/11/x_CloudTrail-Digest_y.json.gz", goodLog());
    await s3.put("trail", "other/AWSLogs/123837392027/CloudTrail/us-east-1/2023/07/11/elsewhere.json.gz", goodLog());
  }, 20_000);
  afterAll(() => s3?.stop());

  it("lists log files under the prefix only, skips digests, reads through the SDK and reports the bad object by URI", async () => {
    const { inputs, skipped } = await listCloudTrailInputs("s3://trail/logs/", s3.s3);
    expect(inputs).toHaveLength(2);
    expect(skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/digest/)]);
    const result = await scanCloudTrailInputs(inputs, { ruleSet, s3: s3.s3 });
    expect(result.findings).toHaveLength(3);
    expect(result.findings[0]!.location.file).toBe(`s3://trail/logs/${logKey("Good0000Good0000")}`);
    expect(result.errors).toEqual([{ file: `s3://trail/logs/${logKey("Bad00000Bad00000")}`, message: expect.stringMatching(/corrupt or truncated gzip/) }]);
  });
});
