import { SNSClient } from "@aws-sdk/client-sns";
import { DryRunAlertSink, SnsAlertSink, type AlertSink, type TextWriter } from "../alerts";
import type { Config } from "../engine";
import { UserError } from "../util/errors";
import type { Logger } from "@aws-lambda-powertools/logger";

/** The sink the configuration asks for; a deployment without a topic must say it wants a dry run. */
export function alertSinkFor(
  config: Config,
  log: Logger,
  { sns = () => new SNSClient({}), out = process.stdout }: { sns?: () => SNSClient; out?: TextWriter } = {},
): AlertSink {
  if (config.alerts.dryRun) return new DryRunAlertSink(out);
  const topicArn = config.alerts.topicArn;
  if (!topicArn) throw new UserError("alerts.topicArn is not set: set PARAPET_ALERT_TOPIC_ARN (or PARAPET_DRY_RUN=true to print alerts instead)");
  return new SnsAlertSink(sns(), topicArn, { log: (line) => log.warn(line) });
}
