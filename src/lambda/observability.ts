/**
 * Logs and metrics for the Lambda functions, from Powertools for AWS Lambda: one JSON object per line
 * (`level`, `message`, `timestamp`, `service`, and with the invocation's context `function_request_id`
 * and `cold_start`), the level from `POWERTOOLS_LOG_LEVEL`, or from Lambda's own log-level control
 * (`AWS_LAMBDA_LOG_LEVEL`), which wins; metrics as CloudWatch embedded metric format lines, so they
 * need no API call. Both are created once per container, at init.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME || "parapet";

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE });
}

/** Namespace `parapet` unless `POWERTOOLS_METRICS_NAMESPACE` says otherwise. */
export function createMetrics(): Metrics {
  return new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || "parapet", serviceName: SERVICE });
}
