/**
 * The runner's partial-failure behaviour, with real findings (the mission's CloudTrail records), a
 * sink that can be told to fail, and the real Powertools logger and metrics.
 */
import type { Context } from "aws-lambda";
import { PublishError, type AlertSink, type PublishResult, type SnsAlert } from "../../src/alerts";
import { batchResponse, type ObjectDelivery } from "../../src/lambda/envelopes";
import { createRunner, type Invocation } from "../../src/lambda/runner";
import { evaluateCloudTrailRecords, recordErrorLine, type CloudTrailFileResult } from "../../src/pipeline/cloudtrail";
import type { Outcome } from "../../src/pipeline/outcome";
import type { S3Object } from "../../src/sources/s3";
import { InputFailure } from "../../src/util/errors";
import { goodRecords, missionRuleSet } from "../helpers/cloudtrailFixtures";
import { observe, type Observed } from "./observe";

const ruleSet = missionRuleSet();
const GOOD: S3Object = { bucket: "trail", key: "a/good.json.gz" };
const BROKEN: S3Object = { bucket: "trail", key: "b/broken.json.gz" };
const DOWN: S3Object = { bucket: "trail", key: "c/down.json.gz" };

/** The mission's records as one file's result: 3 findings; `bad` extra records that are not objects. */
function result(file: string, bad = 0): CloudTrailFileResult {
  return { ...evaluateCloudTrailRecords([...goodRecords(), ...Array.from({ length: bad }, (_, i) => i)], file, { ruleSet }), bytes: 0 };
}

class RecordingSink implements AlertSink {
  published: SnsAlert[] = [];
  failFiles = new Set<string>();
  async publish(alerts: readonly SnsAlert[]): Promise<PublishResult> {
    const failing = alerts.filter((a) => [...this.failFiles].some((f) => a.message.includes(f)));
    if (failing.length > 0) throw new PublishError(failing.map((a) => ({ alias: a.alias, code: "InternalError", senderFault: false })), alerts.length, 0);
    this.published.push(...alerts);
    return { published: alerts.length, duplicates: 0, calls: 1 };
  }
}

let out: Observed;
let sink: RecordingSink;
beforeEach(() => {
  out = observe();
  sink = new RecordingSink();
});
afterEach(() => out.restore());

const runner = () => createRunner<CloudTrailFileResult>({ sink, log: out.log, metrics: out.metricsSink, problems: (r) => r.recordErrors.map(recordErrorLine) });
const uri = (o: S3Object) => `s3://${o.bucket}/${o.key}`;

/** What the pipeline would say for each object: good evaluated; broken skipped after its first records; down failed. */
async function scan(objects: readonly S3Object[]): Promise<Outcome<CloudTrailFileResult>[]> {
  return objects.map((o): Outcome<CloudTrailFileResult> => {
    if (o === BROKEN) return { status: "skipped", reason: "corrupt or truncated gzip; 9 records before the break were evaluated", partial: result(uri(o)) };
    if (o === DOWN) return { status: "failed", reason: "could not read from S3 (SlowDown: Please reduce your request rate.)" };
    return { status: "evaluated", result: result(uri(o), 7) };
  });
}

const objects = (...named: S3Object[]): ObjectDelivery => ({ kind: "objects", objects: named, skipped: [{ bucket: "trail", key: "d/digest.json.gz", reason: "CloudTrail digest file" }] });

describe("objects named by an event that Lambda retries as a whole", () => {
  it("publishes a broken file's findings too, skips it with an error and a metric, and returns normally", async () => {
    const summary = await runner().invoke("cloudtrail", undefined, (inv) => inv.objects(objects(GOOD, BROKEN), scan));
    expect(summary).toEqual({ trigger: "cloudtrail", inputs: 2, evaluated: 1, ignored: 1, skipped: 1, failed: 0, records: 25, findings: 6, alerts: 6, published: 6 });
    expect(sink.published).toHaveLength(6);
    expect(out.metrics()).toEqual({ InputsSkipped: 1 });
    expect(out.logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "input skipped: it cannot be processed", input: uri(BROKEN), failure: "permanent", findings: 3, published: 3 }));
  });

  it("throws once every other input is published when one failed, naming it, so the event is retried", async () => {
    const run = runner().invoke("cloudtrail", undefined, (inv) => inv.objects(objects(DOWN, GOOD, BROKEN), scan));
    await expect(run).rejects.toThrow(InputFailure);
    await expect(run).rejects.toMatchObject({ kind: "retryable", message: `event: 1 input failed and will be retried: ${uri(DOWN)}: could not read from S3 (SlowDown: Please reduce your request rate.)` });
    expect(sink.published).toHaveLength(6);
    expect(out.metrics()).toEqual({ InputsSkipped: 1, InputsFailed: 1 });
    // However it ends, the invocation's counts are logged.
    expect(out.logs().filter((l) => l.message === "invocation done")).toEqual([expect.objectContaining({ inputs: 3, evaluated: 1, skipped: 1, failed: 1, published: 6 })]);
  });

  it("fails only the input whose alerts could not be published", async () => {
    sink.failFiles.add(GOOD.key);
    const other: S3Object = { bucket: "trail", key: "e/other.json.gz" };
    await expect(runner().invoke("cloudtrail", undefined, (inv) => inv.objects(objects(GOOD, other), scan))).rejects.toThrow(
      new RegExp(`^event: 1 input failed and will be retried: ${uri(GOOD)}: alerts not published: SNS publish failed for 3 of 3 alerts`),
    );
    expect(sink.published.every((a) => a.message.includes(other.key))).toBe(true);
    expect(sink.published).toHaveLength(3);
    expect(out.logs()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "alerts not published", input: uri(GOOD), failedAliases: expect.arrayContaining([expect.stringMatching(/^parapet-/)]) }));
  });

  it("logs the first problems inside an input one by one and counts the rest", async () => {
    await runner().invoke("cloudtrail", undefined, (inv) => inv.objects(objects(GOOD), scan));
    const problems = out.logs().filter((l) => l.level === "WARN");
    expect(problems.slice(0, 5).map((l) => [l.message, l.error])).toEqual(Array.from({ length: 5 }, () => ["input problem", expect.stringMatching(/^\/Records\/\d+: /)]));
    expect(problems[5]).toMatchObject({ message: "more input problems", input: uri(GOOD), count: 2 });
  });
});

describe("S3 Batch Operations", () => {
  it("answers each task by its own outcome, and a task whose alerts did not get out is retried", async () => {
    sink.failFiles.add("f/unpublished");
    const unpublished: S3Object = { bucket: "trail", key: "f/unpublished.json.gz" };
    const delivery: ObjectDelivery = {
      kind: "batch",
      invocation: {
        invocationSchemaVersion: "2.0",
        invocationId: "inv",
        jobId: "job",
        tasks: [
          { taskId: "good", status: "read", object: GOOD },
          { taskId: "broken", status: "read", object: BROKEN },
          { taskId: "down", status: "read", object: DOWN },
          { taskId: "unpublished", status: "read", object: unpublished },
          { taskId: "digest", status: "skip", bucket: "trail", key: "d/digest.json.gz", reason: "CloudTrail digest file" },
          { taskId: "bad", status: "invalid", reason: "task names no bucket or key" },
        ],
      },
    };
    const response = (await runner().invoke("cloudtrail", undefined, (inv) => inv.objects(delivery, scan))) as ReturnType<typeof batchResponse>;
    expect(response.results.map((r) => [r.taskId, r.resultCode, r.resultString])).toEqual([
      ["good", "Succeeded", "16 records, 3 findings, 3 alerts, 7 problems"],
      ["broken", "PermanentFailure", "corrupt or truncated gzip; 9 records before the break were evaluated"],
      ["down", "TemporaryFailure", expect.stringMatching(/SlowDown/)],
      ["unpublished", "TemporaryFailure", expect.stringMatching(/^alerts not published: /)],
      ["digest", "Succeeded", "skipped: CloudTrail digest file"],
      ["bad", "PermanentFailure", "invalid task: task names no bucket or key"],
    ]);
    expect(out.logs().find((l) => l.message === "invocation done")).toMatchObject({ inputs: 4, evaluated: 1, skipped: 1, failed: 2, ignored: 2 });
  });
});

describe("each invocation's log context", () => {
  it("carries the request id, the trigger and the cold start, and none of it leaks into the next invocation", async () => {
    // Lambda says how the environment started; Powertools reports a cold start only for on-demand ones.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
    out.restore();
    out = observe();
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    const r = runner();
    const context = { awsRequestId: "req-1", functionName: "parapet-cloudtrail", memoryLimitInMB: "1024", invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:parapet-cloudtrail" } as Partial<Context>;
    await r.invoke("cloudtrail", context, async (inv: Invocation<CloudTrailFileResult>) => inv.ignoreEvent("CloudTrail Insights event"));
    await r.invoke("kinesis", { ...context, awsRequestId: "req-2" }, async (inv: Invocation<CloudTrailFileResult>) => inv.summary());
    const [ignored, first, second] = out.logs();
    expect(ignored).toMatchObject({ message: "event ignored", trigger: "cloudtrail", function_request_id: "req-1", cold_start: true, function_name: "parapet-cloudtrail" });
    expect(first).toMatchObject({ message: "invocation done", trigger: "cloudtrail", ignored: 1 });
    expect(second).toMatchObject({ message: "invocation done", trigger: "kinesis", function_request_id: "req-2", cold_start: false, ignored: 0 });
  });
});
