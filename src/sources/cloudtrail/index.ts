/** The CloudTrail source: log files (S3 objects, local files) → records → subjects. Lambda events are parsed in src/lambda/envelopes. */
export {
  readCloudTrailObject,
  readCloudTrailFile,
  readCloudTrailInput,
  openCloudTrailObject,
  openCloudTrailFile,
  openCloudTrailInput,
  openCloudTrailBytes,
  listCloudTrailInputs,
  parseLogBody,
  inputLabel,
} from "./read";
export type { CloudTrailFile, CloudTrailInput, CloudTrailStream } from "./read";
export { RecordSplitter } from "./recordSplitter";
export type { RecordGroup, RecordSplitterOptions } from "./recordSplitter";
export { recordsToSubjects, forEachRecordSubject, recordToSubjects, API_CALL_TYPE } from "./subjects";
export type { RecordError, SubjectsResult, RecordOptions, SubjectCallback, ErrorCallback } from "./subjects";
export { classifyLogKey } from "./keys";
export type { KeyVerdict } from "./keys";
export { parseS3Uri, s3Uri } from "../s3";
export type { S3Object, SkippedInput } from "../s3";
export { eventContext, actorOf } from "./eventContext";
export { NormalizerRegistry, defaultRegistry, ALL_NORMALIZERS } from "./normalize/registry";
export type { Normalizer, NormalizerEntry } from "./normalize/types";
