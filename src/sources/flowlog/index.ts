/** The VPC flow log source: parse → enrich → subjects. Entry points for the CLI and Lambda handlers. */
export { DEFAULT_FORMAT, FIELDS, type FlowAction, type FlowRecord, type LogStatus } from "./fields";
export {
  compileFormat,
  describeMalformed,
  FlowLogParser,
  parseFlowLogChunks,
  parseFlowLogText,
  parseFormatString,
  type FlowFormat,
  type MalformedLine,
  type ParseOptions,
  type ParseResult,
} from "./parse";
export {
  cloudWatchLabel,
  decodeCloudWatchLogsPayload,
  flowLogBytesToText,
  parseCloudWatchLogEvents,
  readFlowLogFile,
  toCloudWatchLogsPayload,
  type CloudWatchLogsPayload,
} from "./delivery";
export { addressScope, type AddressScope } from "./addresses";
export { buildIpRanges, BUNDLED_IP_RANGES_PATH, loadIpRanges, type AwsRange, type IpRanges } from "./ipRanges";
export { classifyInterface, type EndpointType } from "./classify";
export {
  createEc2Directory,
  createInventoryDirectory,
  inventoryFromDocuments,
  loadInventoryFiles,
  type DirectoryStats,
  type InterfaceDirectory,
  type Inventory,
} from "./interfaces";
export {
  ConversationTable,
  foldRecords,
  MAX_LINES_PER_CONVERSATION,
  type Conversation,
  type FlowGapRecord,
  type FlowUnit,
  type FoldableRecord,
} from "./conversations";
export { FlowLogFolder, foldFlowLogText, type FoldOptions } from "./fold";
export {
  createEnricher,
  enrichConversations,
  enrichFlows,
  protocolName,
  type Endpoint,
  type EnrichedFlow,
  type EnrichedGap,
  type EnrichedTraffic,
  type Enricher,
  type EnricherOptions,
} from "./enrich";
export { FLOW_TYPE, flowObservation, flowSubjectId, flowsToSubjects, isObservedIngress, type FlowSubject } from "./subjects";
