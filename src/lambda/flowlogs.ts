/**
 * Lambda entry points for VPC flow logs (`index.<name>` in the zip `npm run package` writes): `kinesisHandler` (Kinesis
 * stream fed by a CloudWatch Logs subscription), `cloudWatchHandler` (subscription invoking the
 * function directly) and `s3Handler` (S3-delivered `.log.gz` files, S3 events direct or via SNS).
 *
 * Configuration, compiled rules, the interface directory (its cache lives as long as the container)
 * and SDK clients are built once per container at init and reused by every invocation. Interfaces come
 * from `flowlogs.inventoryFiles` when configured, else from live EC2 calls in the function's region.
 * Environment: as the CloudTrail function (PARAPET_CONFIG, PARAPET_ALERT_TOPIC_ARN, PARAPET_DRY_RUN,
 * PARAPET_MIN_SEVERITY, POWERTOOLS_LOG_LEVEL).
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import { loadConfig, loadRules } from "../engine";
import { createFlowLogEnricher, flowLogFormat, flowLogSettings } from "../pipeline/flowlogs";
import { alertSinkFor } from "./alertSink";
import type { Context } from "aws-lambda";
import { createFlowLogHandlers, type FlowLogHandlers } from "./flowlogsHandler";
import { createLogger, createMetrics } from "./observability";

const log = createLogger();
const config = loadConfig();
const settings = flowLogSettings(config);
const { ruleSet } = loadRules({ config, lazy: true });
const region = process.env.AWS_REGION;

// Inventory files are read asynchronously, so the handlers wait for this once-per-container setup.
const ready: Promise<FlowLogHandlers> = createFlowLogEnricher({
  inventoryFiles: settings.inventoryFiles,
  ipRanges: settings.ipRanges,
  ec2Client: settings.inventoryFiles.length === 0 ? lazyEc2Client() : undefined,
  region,
}).then((enricher) => {
  log.info("initialized", { rules: ruleSet.rules.length, dryRun: config.alerts.dryRun, topicArn: config.alerts.topicArn, inventory: settings.inventoryFiles.length > 0 });
  return createFlowLogHandlers({ ruleSet, enricher, format: flowLogFormat(settings.format), s3: new S3Client({}), sink: alertSinkFor(config, log), log, metrics: createMetrics() });
});

/** Created on the first interface lookup, so a container that never looks one up never loads the EC2 SDK. */
function lazyEc2Client(): Pick<EC2Client, "send"> {
  let client: EC2Client | undefined;
  return {
    send: ((command: Parameters<EC2Client["send"]>[0]) => {
      client ??= new (require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2")).EC2Client({});
      return client.send(command);
    }) as EC2Client["send"],
  };
}

export const kinesisHandler = async (event: unknown, context?: Partial<Context>) => (await ready).kinesis(event, context);
export const cloudWatchHandler = async (event: unknown, context?: Partial<Context>) => (await ready).cloudWatch(event, context);
export const s3Handler = async (event: unknown, context?: Partial<Context>) => (await ready).s3(event, context);
