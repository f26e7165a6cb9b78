/**
 * A real S3 protocol server on loopback for integration tests: s3rver 3.7.1 in this process, storing
 * objects in a temporary directory, with an `S3Client` already configured for it (path-style
 * addressing; checksums only when required, or s3rver stores streamed uploads with their chunk
 * framing). `stop()` closes the client, every open connection and the server, and removes the data.
 *
 *   const s3 = await startS3Server({ buckets: ["trail"] });
 *   afterAll(() => s3.stop());
 *   await s3.put("trail", key, gzipSync(body));
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import { PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
// s3rver ships no types; the part used here is small.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
};

export interface S3TestServer {
  endpoint: string;
  /** Spread into `new S3Client({...})` for another client of this server. */
  clientConfig: S3ClientConfig;
  s3: S3Client;
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server({ buckets = [] as string[] } = {}): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), "parapet-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clientConfig: S3ClientConfig = {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    maxAttempts: 1,
  };
  const s3 = new S3Client(clientConfig);

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    clientConfig,
    s3,
    async put(bucket, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    stop() {
      stopped ??= (async () => {
        s3.destroy();
        // Keep-alive sockets of other clients would hold close() open until they time out.
        server.httpServer?.closeAllConnections();
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
