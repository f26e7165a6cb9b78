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

export interface ListedObject {
  key: string;
  size?: number;
}

/** Every object under `s3://bucket/prefix`, page by page, in key order; a failed listing is a UserError naming the prefix. */
export async function listS3Objects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix || undefined })) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push(object.Size === undefined ? { key: object.Key } : { key: object.Key, size: object.Size });
      }
    }
  } catch (err) {
    const e = err as Error;
    throw new UserError(`${s3Uri(bucket, prefix)}: cannot list (${e.name}: ${e.message})`);
  }
  return objects;
}
