/** What a normalizer sees and how it hands back subjects. */
import type { EventContext, Location } from "../../../engine/model";
import type { JsonObject } from "../../../util/objects";

export interface NormalizeInput {
  /** The record, not copied: normalizers must not mutate it. */
  readonly record: JsonObject;
  readonly requestParameters: JsonObject | undefined;
  readonly responseElements: JsonObject | undefined;
  readonly event: EventContext;
  readonly location: Location;
}

export interface SubjectSink {
  /** Adds a subject of `type` with CloudFormation-shaped `properties` (undefined values dropped). */
  emit(type: string, id: string, properties: Record<string, unknown>): void;
  /** Reports a problem with this record; the record's other subjects still count. */
  problem(message: string): void;
}

export type Normalizer = (input: NormalizeInput, sink: SubjectSink) => void;

/** A normalizer for one `eventSource` + `eventName` pair. */
export interface NormalizerEntry {
  eventSource: string;
  eventName: string;
  normalize: Normalizer;
}
