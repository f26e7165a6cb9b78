import type { SNSClient } from "@aws-sdk/client-sns";
import type { SnsAlert } from "./opsgenie";
import { dedupeByAlias, publishAlerts, type PublishOptions, type PublishResult } from "./publisher";

/** Where alerts go. The pipeline depends on this, never on SNS directly. */
export interface AlertSink {
  publish(alerts: readonly SnsAlert[]): Promise<PublishResult>;
}

export class SnsAlertSink implements AlertSink {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly options: PublishOptions = {},
  ) {}

  publish(alerts: readonly SnsAlert[]): Promise<PublishResult> {
    return publishAlerts(this.sns, this.topicArn, alerts, this.options);
  }
}

/** Anything with `write(string)`: `process.stdout`, a file stream, a test buffer. */
export interface TextWriter {
  write(chunk: string): unknown;
}

/**
 * Prints what would be published, one JSON object per line (`jq`-friendly), with the message body
 * parsed so it reads as the alert rather than as an escaped string.
 */
export class DryRunAlertSink implements AlertSink {
  constructor(private readonly out: TextWriter) {}

  async publish(alerts: readonly SnsAlert[]): Promise<PublishResult> {
    const { unique, duplicates } = dedupeByAlias(alerts);
    for (const alert of unique) {
      const attributes = Object.fromEntries(Object.entries(alert.messageAttributes).map(([name, value]) => [name, value.StringValue]));
      this.out.write(`${JSON.stringify({ subject: alert.subject, attributes, message: JSON.parse(alert.message) as unknown })}\n`);
    }
    return { published: unique.length, duplicates, calls: 0 };
  }
}

/** Counts alerts and drops them: for benchmarks, where publishing would measure the network. */
export class NullAlertSink implements AlertSink {
  count = 0;

  async publish(alerts: readonly SnsAlert[]): Promise<PublishResult> {
    this.count += alerts.length;
    return { published: alerts.length, duplicates: 0, calls: 0 };
  }
}
