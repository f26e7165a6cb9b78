/** Limits from the SNS API model and the OpsGenie alert API (see shared reference alerts.md §1, §2, §4.3). */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** "Less than 100 characters". */
export const SNS_SUBJECT_MAX = 99;
export const SNS_BATCH_MAX_ENTRIES = 10;
/** The whole PublishBatch payload counts against the same 256 KB. */
export const SNS_BATCH_MAX_BYTES = 262_144;
/** A raw-delivery SQS subscription accepts at most 10 message attributes. */
export const SNS_MAX_ATTRIBUTES = 10;

export const OPSGENIE = {
  message: 130,
  alias: 512,
  description: 15_000,
  tags: 20,
  tag: 50,
  /** Keys plus values, in total. */
  details: 8_000,
  entity: 512,
  /** Not in alerts.md; the OpsGenie Alert API documents 100 characters for `source`. */
  source: 100,
} as const;
