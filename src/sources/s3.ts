/**
 * S3 addressing and listing shared by the sources that read delivered logs (CloudTrail, flow logs).
 */
import { paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { UserError } from "../util/errors";

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** `s3://bucket/prefix` → parts; undefined when `target` is not an S3 URI (`s3:///x` is not: it has no bucket). */
export function parseS3Uri(target: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(target);
  return match === null ? undefined : { bucket: match[1]!, prefix: match[2]! };
}

/**
 * One S3 object, however it was named (an event notification, a Batch Operations task, a listing,
 * a command line): the one type the whole codebase uses for it. `key` is always decoded.
 */
export interface S3Object {
  bucket: string;
  key: string;
  versionId?: string;
  size?: number;
}

/** Something an event or a listing named that is not read, and why (a digest file, a deletion, a test event). */
export interface SkippedInput {
  bucket?: string;
  key?: string;
  reason: string;
}

export function s3ObjectUri(object: S3Object): string {
  return s3Uri(object.bucket, object.key);
}

/** Every object under `s3://bucket/prefix`, page by page, in key order; a failed listing is a UserError naming the prefix. */
export async function listS3Objects(s3: S3Client, bucket: string, prefix: string): Promise<S3Object[]> {
  const objects: S3Object[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix || undefined })) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push(object.Size === undefined ? { bucket, key: object.Key } : { bucket, key: object.Key, size: object.Size });
      }
    }
  } catch (err) {
    const e = err as Error;
    throw new UserError(`${s3Uri(bucket, prefix)}: cannot list (${e.name}: ${e.message})`);
  }
  return objects;
}
