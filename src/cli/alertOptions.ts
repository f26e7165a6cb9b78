import { SNSClient } from "@aws-sdk/client-sns";
import type { Command } from "commander";
import { DryRunAlertSink, findingsToAlerts, PublishError, SnsAlertSink, type AlertSink } from "../alerts";
import type { Finding } from "../engine/model";
import { UserError } from "../util/errors";

/** The alerting options of the commands that scan recorded activity: scan cloudtrail, flows scan. */
export interface AlertCliOptions {
  publish?: string;
  dryRun?: boolean;
  region?: string;
}

export function addAlertOptions(command: Command): Command {
  return command
    .option("--publish <topic-arn>", "publish an alert per finding to this SNS topic (OpsGenie-ready)")
    .option("--dry-run", "print the alerts that would be published, one JSON object per line, instead of publishing");
}

/** The sink the options ask for (checked before any input is read), or undefined for none. */
export function alertSinkFor(opts: AlertCliOptions): AlertSink | undefined {
  if (opts.dryRun) return new DryRunAlertSink(process.stdout);
  if (!opts.publish) return undefined;
  const arn = /^arn:[^:]+:sns:([^:]+):\d{12}:[^:]+$/.exec(opts.publish);
  if (!arn) throw new UserError(`--publish: ${opts.publish} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)`);
  return new SnsAlertSink(new SNSClient({ region: opts.region ?? arn[1] }), opts.publish, {
    log: (line) => process.stderr.write(`parapet: ${line}\n`),
  });
}

/** Publishes one alert per finding; call it after the report is written, so a failed publish still leaves the findings on record. */
export async function publishFindings(sink: AlertSink, findings: readonly Finding[]): Promise<void> {
  try {
    const result = await sink.publish(findingsToAlerts(findings));
    if (!(sink instanceof DryRunAlertSink)) process.stderr.write(`parapet: published ${result.published} alert${result.published === 1 ? "" : "s"}\n`);
  } catch (err) {
    if (err instanceof PublishError) throw new UserError(`--publish: ${err.message}`);
    throw err;
  }
}
