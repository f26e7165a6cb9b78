/**
 * A real SNS protocol server on loopback for integration tests: fauxqs (SNS → SQS) in a child
 * process, a topic, and an SQS queue subscribed to it. Publish through the real `SNSClient` from
 * `server.sns` (or any client built with `server.clientConfig`), then `drain()` what the topic
 * delivered.
 *
 *   const server = await startSnsServer();
 *   afterAll(() => server.stop());
 *   await publishAlerts(server.sns, server.topicArn, alerts);
 *   const received = await server.drain({ expected: alerts.length });
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

export interface ReceivedSnsMessage {
  subject: string | undefined;
  /** The published `Message`, as a string. */
  message: string;
  /** Message attributes by name (string values). */
  attributes: Record<string, string>;
  topicArn: string | undefined;
  messageId: string | undefined;
}

export interface DrainOptions {
  /** Keep polling until this many messages arrived (or the timeout passes). Without it, drain until the queue is empty. */
  expected?: number;
  timeoutMs?: number;
}

export interface SnsServerOptions {
  topicName?: string;
  queueName?: string;
}

export interface SnsTestServer {
  endpoint: string;
  region: string;
  /** Spread into `new SNSClient({...})` / `new S3Client` etc. to talk to this server. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
  sns: SNSClient;
  sqs: SQSClient;
  topicArn: string;
  queueUrl: string;
  /** Creates another topic with its own subscribed queue on the same server. */
  addTopic(name: string): Promise<{ topicArn: string; drain: (options?: DrainOptions) => Promise<ReceivedSnsMessage[]> }>;
  drain(options?: DrainOptions): Promise<ReceivedSnsMessage[]>;
  stop(): Promise<void>;
}

const LAUNCHER = join(__dirname, "fauxqsMain.mjs");

function startProcess(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, [LAUNCHER], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("fauxqs did not start within 15 s"));
    }, 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      lines.close();
      try {
        resolve({ child, endpoint: (JSON.parse(line) as { address: string }).address });
      } catch {
        reject(new Error(`fauxqs printed an unexpected line: ${line}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fauxqs exited with code ${code} before listening`));
    });
  });
}

function parseEnvelope(body: string): ReceivedSnsMessage {
  const envelope = JSON.parse(body) as {
    Subject?: string;
    Message: string;
    MessageAttributes?: Record<string, { Type: string; Value: string }>;
    TopicArn?: string;
    MessageId?: string;
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.MessageAttributes ?? {})) attributes[name] = value.Value;
  return { subject: envelope.Subject, message: envelope.Message, attributes, topicArn: envelope.TopicArn, messageId: envelope.MessageId };
}

async function drainQueue(sqs: SQSClient, queueUrl: string, options: DrainOptions = {}): Promise<ReceivedSnsMessage[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const received: ReceivedSnsMessage[] = [];
  for (;;) {
    const response = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ["All"] }));
    const messages = response.Messages ?? [];
    for (const message of messages) received.push(parseEnvelope(message.Body ?? "{}"));
    if (messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
      );
      continue;
    }
    const done = options.expected === undefined || received.length >= options.expected;
    if (done || Date.now() > deadline) return received;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startSnsServer(options: SnsServerOptions = {}): Promise<SnsTestServer> {
  const { child, endpoint } = await startProcess();
  const region = "us-east-1";
  const clientConfig = { endpoint, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  const sns = new SNSClient(clientConfig);
  // The server answers queue URLs on its own host; keep requests on the configured endpoint anyway.
  const sqs = new SQSClient({ ...clientConfig, useQueueUrlAsEndpoint: false });

  async function addTopic(name: string, queueName = `${name}-queue`) {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: attributes.Attributes?.QueueArn }));
    if (!TopicArn || !QueueUrl) throw new Error("fauxqs did not return a topic ARN or queue URL");
    return { topicArn: TopicArn, queueUrl: QueueUrl, drain: (o?: DrainOptions) => drainQueue(sqs, QueueUrl, o) };
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      sns.destroy();
      sqs.destroy();
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin?.end();
    });
    return stopped;
  };

  try {
    const main = await addTopic(options.topicName ?? "parapet-alerts", options.queueName);
    return {
      endpoint,
      region,
      clientConfig,
      sns,
      sqs,
      topicArn: main.topicArn,
      queueUrl: main.queueUrl,
      addTopic: async (name) => {
        const extra = await addTopic(name);
        return { topicArn: extra.topicArn, drain: extra.drain };
      },
      drain: main.drain,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
