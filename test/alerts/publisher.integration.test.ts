import { SNSClient } from "@aws-sdk/client-sns";
import { findingToAlert, type OpsGenieAlert } from "../../src/alerts/opsgenie";
import { publishAlerts, PublishError } from "../../src/alerts/publisher";
import { SnsAlertSink } from "../../src/alerts/sink";
import { startSnsServer, type SnsTestServer } from "../helpers/snsServer";
import { ctFinding } from "./sample";

let server: SnsTestServer;

beforeAll(async () => {
  server = await startSnsServer();
}, 20_000);

afterAll(() => server?.stop());

function alertsFor(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const f = ctFinding();
    f.event = { ...f.event!, eventId: `event-${i}` };
    return findingToAlert(f);
  });
}

describe("publishAlerts against a real SNS protocol server", () => {
  it("publishes 23 alerts in batches of ten and every one arrives intact", async () => {
    const alerts = alertsFor(23);
    const result = await publishAlerts(server.sns, server.topicArn, alerts);
    expect(result).toEqual({ published: 23, duplicates: 0, calls: 3 });

    const received = await server.drain({ expected: 23 });
    expect(received).toHaveLength(23);
    const byAlias = new Map(received.map((m) => [(JSON.parse(m.message) as OpsGenieAlert).alias, m]));
    for (const alert of alerts) {
      const got = byAlias.get(alert.alias);
      expect(got?.message).toBe(alert.message);
      expect(got?.subject).toBe(alert.subject);
      expect(got?.attributes).toMatchObject({ severity: "high", ruleId: "ct-sg-open-to-internet", source: "parapet" });
    }
  });

  it("publishes a redelivered finding once per call", async () => {
    const [alert] = alertsFor(1);
    const result = await new SnsAlertSink(server.sns, server.topicArn).publish([alert!, alert!, alert!]);
    expect(result).toMatchObject({ published: 1, duplicates: 2 });
    expect(await server.drain()).toHaveLength(1);
  });

  it("throws, naming how many failed, when the topic does not exist", async () => {
    const missing = server.topicArn.replace(/[^:]+$/, "no-such-topic");
    const promise = publishAlerts(server.sns, missing, alertsFor(3), { sleep: async () => {} });
    await expect(promise).rejects.toThrow(PublishError);
    await expect(publishAlerts(server.sns, missing, alertsFor(3), { sleep: async () => {} })).rejects.toThrow(/failed for 3 of 3 alerts/);
  });

  it("retries a whole batch when the endpoint is unreachable, then gives up with an error", async () => {
    const dead = new SNSClient({ ...server.clientConfig, endpoint: "http://127.0.0.1:9" });
    const sleeps: number[] = [];
    await expect(
      publishAlerts(dead, server.topicArn, alertsFor(2), { maxAttempts: 3, baseDelayMs: 10, sleep: async (ms) => void sleeps.push(ms) }),
    ).rejects.toThrow(/failed for 2 of 2 alerts/);
    expect(sleeps).toHaveLength(2);
    dead.destroy();
  });
});
