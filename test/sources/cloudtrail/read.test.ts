import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import {
  listCloudTrailInputs,
  readCloudTrailFile,
  readCloudTrailInput,
  readCloudTrailObject,
  recordsToSubjects,
} from "../../../src/sources/cloudtrail";
import { InputFailure } from "../../../src/util/errors";
import { record, sample, STRATUS } from "./helpers";

const LOG_KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1225Z_Mu0KsOhtH1ar15ZZ.json.gz";
const body = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));
const stream = (data: Uint8Array) => sdkStreamMixin(Readable.from([Buffer.from(data)]));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-ct-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<InputFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(InputFailure);
    return err as InputFailure;
  }
  throw new Error("expected a InputFailure");
}

describe("readCloudTrailFile", () => {
  test("reads .json.gz and .json, and bare arrays of records locally", async () => {
    const records = [sample("CreateUser.invictus.json"), sample("CreateAccessKey.invictus.json")];
    writeFileSync(join(dir, "a.json.gz"), body(records));
    writeFileSync(join(dir, "b.json"), JSON.stringify({ Records: records }));
    writeFileSync(join(dir, "c.json"), JSON.stringify(records));
    for (const name of ["a.json.gz", "b.json", "c.json"]) {
      const file = await readCloudTrailFile(join(dir, name));
      expect(file.file).toBe(join(dir, name));
      expect(file.records).toHaveLength(2);
    }
  });

  test.each([
    ["truncated.json.gz", () => body([record({})]).subarray(0, 40), /corrupt or truncated gzip/],
    ["random.json.gz", () => Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), /corrupt or truncated gzip/],
    ["noise.json.gz", () => Buffer.from("definitely not gzip at all"), /not a gzip file/],
    ["bad.json", () => Buffer.from('{"Records": [1, 2'), /not valid JSON/],
    ["digest.json", () => Buffer.from('{"awsAccountId":"1","digestSignatureAlgorithm":"SHA256withRSA","logFiles":[]}'), /digest file/],
    ["wrong.json", () => Buffer.from('{"Events": []}'), /no "Records" array.*an object with Events/],
  ])("%s gives a clear error naming the file", async (name, content, message) => {
    const path = join(dir, name);
    writeFileSync(path, content());
    const err = await failure(readCloudTrailFile(path));
    expect(err.message.startsWith(`${path}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
    expect(err.kind).toBe("permanent");
  });

  test("a missing file is a clear error", async () => {
    expect((await failure(readCloudTrailFile(join(dir, "nope.json")))).message).toMatch(/nope\.json: cannot read \(ENOENT\)/);
  });
});

describe("readCloudTrailObject", () => {
  const s3Mock = mockClient(S3Client);
  const s3 = new S3Client({ region: "us-east-1" });
  afterEach(() => s3Mock.reset());

  test("GetObject + gunzip + parse; the file label is s3://bucket/key", async () => {
    s3Mock.on(GetObjectCommand, { Bucket: "trail", Key: LOG_KEY }).resolves({ Body: stream(body([record({ eventID: "x" })])) as never });
    const file = await readCloudTrailObject(s3, "trail", LOG_KEY);
    expect(file.file).toBe(`s3://trail/${LOG_KEY}`);
    expect(recordsToSubjects(file.records, file.file).subjects[0]!.location).toEqual({ file: `s3://trail/${LOG_KEY}`, pointer: "/Records/0" });
  });

  test("plain JSON in a .json.gz object names bucket and key", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: stream(Buffer.from('{"Records":[]}')) as never });
    const err = await failure(readCloudTrailObject(s3, "trail", LOG_KEY));
    expect(err.message).toBe(`s3://trail/${LOG_KEY}: not a gzip file (CloudTrail delivers .json.gz)`);
  });

  test("gzip of something that is not a log file", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: stream(gzipSync('{"hello": "world"}')) as never });
    expect((await failure(readCloudTrailObject(s3, "trail", LOG_KEY))).message).toMatch(/no "Records" array/);
  });

  test("NoSuchKey is permanent; throttling and 5xx are retryable", async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }));
    const missing = await failure(readCloudTrailObject(s3, "trail", LOG_KEY));
    expect(missing.message).toMatch(/could not read from S3 \(NoSuchKey: The specified key does not exist\.\)/);
    expect(missing.kind).toBe("permanent");
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("Slow Down"), { name: "SlowDown", $metadata: { httpStatusCode: 503 } }));
    expect((await failure(readCloudTrailObject(s3, "trail", LOG_KEY))).kind).toBe("retryable");
  });
});

describe("listCloudTrailInputs", () => {
  test("a directory is walked recursively; digest files and non-JSON files skipped; sorted", async () => {
    const root = join(dir, "tree");
    const logs = join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01");
    const digests = join(root, "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/08/01");
    mkdirSync(logs, { recursive: true });
    mkdirSync(digests, { recursive: true });
    writeFileSync(join(logs, "b.json.gz"), body([]));
    writeFileSync(join(logs, "a.json"), "{}");
    writeFileSync(join(logs, "README.md"), "hi");
    writeFileSync(join(digests, "d.json.gz"), body([]));
    const { inputs, skipped } = await listCloudTrailInputs(root);
    expect(inputs).toEqual([
      { kind: "file", path: join(logs, "a.json") },
      { kind: "file", path: join(logs, "b.json.gz") },
    ]);
    expect(skipped).toEqual([{ key: join(digests, "d.json.gz"), reason: "CloudTrail digest file" }]);
  });

  test("a single file is taken as is; a missing path is a clear error", async () => {
    const path = join(dir, "single.json");
    writeFileSync(path, "{}");
    expect((await listCloudTrailInputs(path)).inputs).toEqual([{ kind: "file", path }]);
    await expect(listCloudTrailInputs(join(dir, "missing"))).rejects.toThrow(`${join(dir, "missing")}: no such file or directory`);
  });

  test("s3://bucket/prefix is listed page by page, keeping only log keys", async () => {
    const s3Mock = mockClient(S3Client);
    const s3 = new S3Client({ region: "us-east-1" });
    s3Mock
      .on(ListObjectsV2Command, { Bucket: "trail", Prefix: "AWSLogs/", ContinuationToken: undefined })
      .resolves({ Contents: [{ Key: LOG_KEY, Size: 10 }, { Key: "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/x.json.gz" }], IsTruncated: true, NextContinuationToken: "t2" })
      .on(ListObjectsV2Command, { Bucket: "trail", Prefix: "AWSLogs/", ContinuationToken: "t2" })
      .resolves({ Contents: [{ Key: LOG_KEY.replace("Mu0", "Zz9") }], IsTruncated: false });
    const { inputs, skipped } = await listCloudTrailInputs("s3://trail/AWSLogs/", s3);
    expect(inputs).toEqual([
      { kind: "s3", bucket: "trail", key: LOG_KEY, size: 10 },
      { kind: "s3", bucket: "trail", key: LOG_KEY.replace("Mu0", "Zz9") },
    ]);
    expect(skipped).toHaveLength(1);
    s3Mock.on(GetObjectCommand).resolves({ Body: stream(body([])) as never });
    expect((await readCloudTrailInput(inputs[0]!, s3)).records).toEqual([]);
    s3Mock.restore();
  });

  test("an S3 target without a client is a clear error", async () => {
    await expect(listCloudTrailInputs("s3://trail/x")).rejects.toThrow("s3://trail/x: an S3 client is needed to list it");
  });
});

describe("malformed content inside a good file", () => {
  test("bad records are reported by index and the rest still produce subjects", async () => {
    const path = join(dir, "mixed.json.gz");
    const huge = record({ eventID: "huge", requestParameters: { blob: "z".repeat(5_000_000) } });
    writeFileSync(path, body([7, sample("CreateUser.invictus.json"), "text", huge, { noEvent: true }, sample("CreateAccessKey.invictus.json")]));
    const file = await readCloudTrailFile(path);
    const { subjects, errors } = recordsToSubjects(file.records, file.file);
    expect(errors.map((e) => e.pointer)).toEqual(["/Records/0", "/Records/2", "/Records/4"]);
    expect(new Set(subjects.map((s) => s.type))).toEqual(
      new Set(["Parapet::CloudTrail::ApiCall", "AWS::IAM::User", "AWS::IAM::AccessKey"]),
    );
    expect(subjects.filter((s) => s.id === "huge")).toHaveLength(1);
  });
});

describe("Stratus Red Team detonation logs", () => {
  const files = readdirSync(STRATUS).filter((f) => f.endsWith(".json"));

  test("the corpus is there", () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  test.each(files)("%s loads and normalizes without errors", async (name) => {
    const file = await readCloudTrailFile(join(STRATUS, name));
    expect(file.records.length).toBeGreaterThan(0);
    const { subjects, errors } = recordsToSubjects(file.records, file.file);
    expect(errors).toEqual([]);
    for (const subject of subjects) {
      expect(subject.source).toBe("cloudtrail");
      expect(subject.location.pointer).toMatch(/^\/Records\/\d+$/);
      expect(subject.source === "cloudtrail" && subject.context.event?.eventId).toBeTruthy();
    }
  });

  test("the same files wrapped and gzipped as a trail delivers them read identically", async () => {
    const name = "aws.exfiltration.ec2-security-group-open-port-22-ingress.json";
    const records = JSON.parse(readFileSync(join(STRATUS, name), "utf8")) as unknown[];
    const path = join(dir, "stratus.json.gz");
    writeFileSync(path, body(records));
    const { subjects } = recordsToSubjects((await readCloudTrailFile(path)).records, path);
    const ingress = subjects.filter((s) => s.type === "AWS::EC2::SecurityGroupIngress");
    expect(ingress.map((s) => s.properties)).toEqual([expect.objectContaining({ CidrIp: "208.236.235.254/0", FromPort: 22, ToPort: 22 })]);
  });
});
