import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { findingToAlert, snsMessageBytes, type SnsAlert } from "../../src/alerts/opsgenie";
import { packBatches, publishAlerts, PublishError } from "../../src/alerts/publisher";
import { DryRunAlertSink, NullAlertSink } from "../../src/alerts/sink";
import { ctFinding } from "./sample";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:parapet-alerts";
const sns = mockClient(SNSClient);
const client = new SNSClient({ region: "eu-west-1" });
const noSleep = { sleep: async () => {} };

beforeEach(() => sns.reset());

function alertsFor(count: number, evidence = "x"): SnsAlert[] {
  return Array.from({ length: count }, (_, i) => {
    const f = ctFinding({ evidence: [{ path: "p", op: "eq", actual: evidence }] });
    f.event = { ...f.event!, eventId: `event-${i}` };
    return findingToAlert(f);
  });
}

function sentInputs(): PublishBatchCommandInput[] {
  return sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input);
}

/** Echoes every entry as successful except those `fail` picks. */
function respond(fail: (id: string, call: number) => { Code: string; SenderFault: boolean } | undefined) {
  let call = 0;
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
    call += 1;
    const entries = input.PublishBatchRequestEntries ?? [];
    const Successful = [];
    const Failed = [];
    for (const entry of entries) {
      const failure = fail(entry.Id!, call);
      if (failure) Failed.push({ Id: entry.Id, ...failure, Message: "boom" });
      else Successful.push({ Id: entry.Id, MessageId: `mid-${call}-${entry.Id}` });
    }
    return { Successful, Failed };
  });
}

describe("publishAlerts with per-entry failures", () => {
  it("sends batches of at most ten with ids unique per batch", async () => {
    respond(() => undefined);
    const result = await publishAlerts(client, TOPIC, alertsFor(25), noSleep);
    expect(result).toEqual({ published: 25, duplicates: 0, calls: 3 });
    const inputs = sentInputs();
    expect(inputs.map((i) => i.PublishBatchRequestEntries!.length)).toEqual([10, 10, 5]);
    for (const input of inputs) {
      const ids = input.PublishBatchRequestEntries!.map((e) => e.Id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(input.TopicArn).toBe(TOPIC);
      expect(input.PublishBatchRequestEntries![0]!.MessageGroupId).toBeUndefined();
    }
  });

  it("retries only the retryable failed entries, and succeeds when they go through", async () => {
    respond((id, call) => (call === 1 && (id === "m2" || id === "m5") ? { Code: "InternalError", SenderFault: false } : undefined));
    const alerts = alertsFor(8);
    const sleeps: number[] = [];
    const result = await publishAlerts(client, TOPIC, alerts, { sleep: async (ms) => void sleeps.push(ms), baseDelayMs: 100 });
    expect(result).toEqual({ published: 8, duplicates: 0, calls: 2 });
    const retried = sentInputs()[1]!.PublishBatchRequestEntries!.map((e) => e.Message);
    expect(retried).toEqual([alerts[2]!.message, alerts[5]!.message]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThan(100);
  });

  it("does not retry sender faults and throws naming how many failed", async () => {
    respond((id) => (id === "m1" ? { Code: "InvalidParameter", SenderFault: true } : undefined));
    const log: string[] = [];
    const error = await publishAlerts(client, TOPIC, alertsFor(4), { ...noSleep, log: (line) => log.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).message).toBe("SNS publish failed for 1 of 4 alerts (first: InvalidParameter: boom)");
    expect((error as PublishError).published).toBe(3);
    expect(sentInputs()).toHaveLength(1);
    expect(log[0]).toMatch(/^alert parapet-ct-sg-open-to-internet-[0-9a-f]+ not published: InvalidParameter: boom$/);
  });

  it("gives up after maxAttempts rounds of retryable failures", async () => {
    respond((id) => (id === "m0" ? { Code: "Throttled", SenderFault: false } : undefined));
    await expect(publishAlerts(client, TOPIC, alertsFor(3), { ...noSleep, maxAttempts: 3 })).rejects.toThrow("SNS publish failed for 1 of 3 alerts (first: Throttled: boom)");
    expect(sentInputs().map((i) => i.PublishBatchRequestEntries!.length)).toEqual([3, 1, 1]);
  });

  it("republishes entries the response does not mention", async () => {
    let call = 0;
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      call += 1;
      const entries = input.PublishBatchRequestEntries ?? [];
      // First answer forgets the last entry; the retry answers it.
      const answered = call === 1 ? entries.slice(0, -1) : entries;
      return { Successful: answered.map((e) => ({ Id: e.Id, MessageId: "m" })), Failed: [] };
    });
    expect(await publishAlerts(client, TOPIC, alertsFor(3), noSleep)).toEqual({ published: 3, duplicates: 0, calls: 2 });
  });

  it("retries throttled calls and not access-denied ones", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottledException", $fault: "client", $metadata: { httpStatusCode: 400 } });
    sns.on(PublishBatchCommand).rejectsOnce(throttled).resolves({ Successful: [{ Id: "m0", MessageId: "1" }], Failed: [] });
    expect(await publishAlerts(client, TOPIC, alertsFor(1), noSleep)).toMatchObject({ published: 1, calls: 2 });

    sns.reset();
    const denied = Object.assign(new Error("not authorized to perform: SNS:Publish"), { name: "AuthorizationErrorException", $fault: "client", $metadata: { httpStatusCode: 403 } });
    sns.on(PublishBatchCommand).rejects(denied);
    await expect(publishAlerts(client, TOPIC, alertsFor(2), noSleep)).rejects.toThrow(
      "SNS publish failed for 2 of 2 alerts (first: AuthorizationErrorException: not authorized to perform: SNS:Publish)",
    );
    expect(sentInputs()).toHaveLength(1);
  });

  it("deduplicates identical aliases within one call", async () => {
    respond(() => undefined);
    const [a, b] = alertsFor(2);
    expect(await publishAlerts(client, TOPIC, [a!, b!, a!, a!], noSleep)).toEqual({ published: 2, duplicates: 2, calls: 1 });
    expect(sentInputs()[0]!.PublishBatchRequestEntries).toHaveLength(2);
  });

  it("sets group and deduplication ids on FIFO topics", async () => {
    respond(() => undefined);
    const [alert] = alertsFor(1);
    await publishAlerts(client, `${TOPIC}.fifo`, [alert!], noSleep);
    const entry = sentInputs()[0]!.PublishBatchRequestEntries![0]!;
    expect(entry.MessageDeduplicationId).toBe(alert!.deduplicationId);
    expect(entry.MessageDeduplicationId!.length).toBeLessThanOrEqual(128);
    expect(entry.MessageGroupId).toBe("parapet");
  });

  it("keeps each batch under 256 KB even when ten alerts would not fit", () => {
    // Alerts at the default 64 KiB cap: ten of them would be 640 KB.
    const big = alertsFor(10).map((alert) => ({ ...alert, message: JSON.stringify({ description: "é".repeat(30_000) }) }));
    const batches = packBatches(big);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.reduce((n, a) => n + snsMessageBytes(a), 0)).toBeLessThanOrEqual(262_144);
    expect(batches.flat()).toEqual(big);
  });

  it("does nothing for no alerts", async () => {
    expect(await publishAlerts(client, TOPIC, [], noSleep)).toEqual({ published: 0, duplicates: 0, calls: 0 });
    expect(sentInputs()).toHaveLength(0);
  });
});

describe("alert sinks", () => {
  it("dry-run prints one JSON line per distinct alert instead of publishing", async () => {
    let out = "";
    const [a, b] = alertsFor(2);
    const result = await new DryRunAlertSink({ write: (chunk: string) => (out += chunk) }).publish([a!, b!, a!]);
    expect(result).toEqual({ published: 2, duplicates: 1, calls: 0 });
    const lines = out.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ subject: a!.subject, attributes: { severity: "high", priority: "P2" }, message: { alias: a!.alias, priority: "P2" } });
    expect(sentInputs()).toHaveLength(0);
  });

  it("the null sink only counts", async () => {
    const sink = new NullAlertSink();
    await sink.publish(alertsFor(3));
    await sink.publish(alertsFor(2));
    expect(sink.count).toBe(5);
  });
});
