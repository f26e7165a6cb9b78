export {
  alertAlias,
  cloudTrailEventUrl,
  findingIdentity,
  findingToAlert,
  findingsToAlerts,
  PRIORITY_BY_SEVERITY,
  snsMessageBytes,
  type AlertOptions,
  type OpsGenieAlert,
  type Priority,
  type SnsAlert,
} from "./opsgenie";
export { dedupeByAlias, packBatches, publishAlerts, PublishError, type FailedAlert, type PublishOptions, type PublishResult } from "./publisher";
export { DryRunAlertSink, NullAlertSink, SnsAlertSink, type AlertSink, type TextWriter } from "./sink";
