/** The CloudTrail source: Lambda event → objects to read → records → subjects. */
export { parseIntake, IntakeError } from "./intake";
export type { Intake, BatchTask, S3ObjectRef, SkippedInput, ObjectTrigger } from "./intake";
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
  CloudTrailFileError,
} from "./read";
export type { CloudTrailFile, CloudTrailInput, CloudTrailStream } from "./read";
export { RecordSplitter } from "./recordSplitter";
export type { RecordGroup, RecordSplitterOptions } from "./recordSplitter";
export { recordsToSubjects, forEachRecordSubject, recordToSubjects, API_CALL_TYPE } from "./subjects";
export type { RecordError, SubjectsResult, RecordOptions, SubjectCallback, ErrorCallback } from "./subjects";
export { classifyLogKey, decodeS3EventKey } from "./keys";
export { parseS3Uri, s3Uri } from "../s3";
export { eventContext, actorOf } from "./eventContext";
export { NormalizerRegistry, defaultRegistry, ALL_NORMALIZERS } from "./normalize/registry";
export type { Normalizer, NormalizerEntry } from "./normalize/types";
