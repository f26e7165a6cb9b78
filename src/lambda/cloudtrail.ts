/**
 * Lambda entry point for CloudTrail deliveries: `handler` (`index.handler` in the zip `npm run package` writes).
 * Triggers: the SNS notification CloudTrail sends, S3 event notifications (direct or through SNS),
 * EventBridge "... via CloudTrail" and S3 "Object Created" events, and S3 Batch Operations (schema 1.0 and 2.0).
 *
 * Configuration, compiled rules, SDK clients, logger and metrics are built once per container, at
 * init (module scope, as Powertools recommends), and reused by every invocation. A configuration or
 * rule mistake fails init with one clear message. Environment: PARAPET_CONFIG, PARAPET_ALERT_TOPIC_ARN,
 * PARAPET_DRY_RUN (print alerts instead of publishing), PARAPET_MIN_SEVERITY, PARAPET_TIME_ZONE,
 * POWERTOOLS_LOG_LEVEL (or Lambda's log-level control).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { loadConfig, loadRules } from "../engine";
import { alertSinkFor } from "./alertSink";
import { createCloudTrailHandler } from "./cloudtrailHandler";
import { createLogger, createMetrics } from "./observability";

const log = createLogger();
const config = loadConfig();
const { ruleSet } = loadRules({ config, lazy: true });
log.info("initialized", { rules: ruleSet.rules.length, dryRun: config.alerts.dryRun, topicArn: config.alerts.topicArn });

export const handler = createCloudTrailHandler({ ruleSet, s3: new S3Client({}), sink: alertSinkFor(config, log), log, metrics: createMetrics() });
