/**
 * The error taxonomy (src/util/errors.ts) and its one classification of S3 read errors, through the
 * real SDK: against s3rver where it can produce the error (missing key and bucket, bad credentials),
 * against a closed port and a server that never answers (network, timeout), and against a loopback
 * server answering with S3's own XML error documents for what s3rver cannot produce (KMS denied,
 * ExpiredToken, RequestTimeout, SlowDown, 500, archived objects) — so the SDK's real parsing of the
 * status and error code is what gets classified. Both sources read S3 through the same function.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Socket } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { createFlowLogEnricher, processFlowLogObject } from "../../src/pipeline/flowlogs";
import { readCloudTrailObject } from "../../src/sources/cloudtrail";
import { failureKind, InputFailure, s3FailureKind, UserError } from "../../src/util/errors";
import { startS3Server, type S3TestServer } from "../helpers/s3Server";

const BUCKET = "trail";
const KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1225Z_Mu0KsOhtH1ar15ZZ.json.gz";

/** What reading `KEY` with `s3` fails with, through the CloudTrail reader. */
async function cloudTrailReadFailure(s3: S3Client, key = KEY): Promise<InputFailure> {
  try {
    await readCloudTrailObject(s3, BUCKET, key);
  } catch (err) {
    if (err instanceof InputFailure) return err;
    throw err;
  }
  throw new Error("expected the read to fail");
}

describe("failureKind", () => {
  it("is the input failure's own kind, user for other user errors, and retryable for anything unexpected", () => {
    expect(failureKind(new InputFailure("f", "not gzip"))).toBe("permanent");
    expect(failureKind(new InputFailure("f", "throttled", "retryable"))).toBe("retryable");
    expect(failureKind(new UserError("unrecognized Lambda event: x"))).toBe("user");
    // A bug or an outage: failing keeps the event for a retry and then the failure destination.
    expect(failureKind(new TypeError("x is undefined"))).toBe("retryable");
    expect(failureKind("a string")).toBe("retryable");
  });

  it("keeps input failures printable by the CLI as one line (they are user errors there, exit 2)", () => {
    const failure = new InputFailure("s3://b/k", "could not read from S3 (AccessDenied: Access Denied)", "retryable");
    expect(failure).toBeInstanceOf(UserError);
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toBe("s3://b/k: could not read from S3 (AccessDenied: Access Denied)");
  });
});

describe("S3 errors s3rver produces", () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
  }, 20_000);
  afterAll(() => s3?.stop());

  it("a missing key or bucket is permanent: no retry brings the object back", async () => {
    const missing = await cloudTrailReadFailure(s3.s3);
    expect(missing).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/^could not read from S3 \(NoSuchKey: /) });
    try {
      await readCloudTrailObject(s3.s3, "no-such-bucket", KEY);
      throw new Error("expected a failure");
    } catch (err) {
      expect(err).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/NoSuchBucket/) });
    }
  });

  it("an unknown access key (InvalidAccessKeyId, 403) is retryable: a person can fix the credentials, and the event must still be there", async () => {
    const client = new S3Client({ ...s3.clientConfig, credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "S3RVER" } });
    expect(await cloudTrailReadFailure(client)).toMatchObject({ kind: "retryable", reason: expect.stringMatching(/^could not read from S3 \(InvalidAccessKeyId: /) });
    client.destroy();
  });
});

describe("network failures", () => {
  it("a refused connection is retryable", async () => {
    const client = new S3Client({ region: "us-east-1", endpoint: "http://127.0.0.1:9", forcePathStyle: true, credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
    expect(await cloudTrailReadFailure(client)).toMatchObject({ kind: "retryable", reason: expect.stringMatching(/ECONNREFUSED/) });
    client.destroy();
  });

  it("a server that never answers times out, and a timeout is retryable", async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    expect(await cloudTrailReadFailure(client)).toMatchObject({ kind: "retryable", reason: expect.stringMatching(/TimeoutError/) });
    client.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe("S3 error documents s3rver cannot produce", () => {
  let server: Server;
  let answer: { status: number; code: string; message: string };
  let client: S3Client;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { "content-type": "application/xml", "x-amz-request-id": "4442587FB7D0A2F9" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>${answer.message}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>h</HostId></Error>`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // Each of these was skipped silently before (every 4xx but 429 was "permanent"); now they fail the invocation.
  it.each([
    [403, "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/parapet/fn is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because no identity-based policy allows the kms:Decrypt action"],
    [400, "KMS.DisabledException", "arn:aws:kms:us-east-1:111122223333:key/1234abcd is disabled."],
    [400, "ExpiredToken", "The provided token has expired."],
    [400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."],
    [403, "InvalidObjectState", "The operation is not valid for the object's storage class"],
    [503, "SlowDown", "Please reduce your request rate."],
    [500, "InternalError", "We encountered an internal error. Please try again."],
  ])("%i %s is retryable, in both sources", async (status, code, message) => {
    answer = { status, code, message };
    const failure = await cloudTrailReadFailure(client);
    expect(failure).toMatchObject({ kind: "retryable", reason: `could not read from S3 (${code}: ${message})` });
    const enricher = await createFlowLogEnricher({ region: "us-east-1" });
    const flowLog = await processFlowLogObject(client, { bucket: BUCKET, key: "flows.log.gz" }, { enricher });
    expect(flowLog).toEqual({ status: "failed", reason: `could not read from S3 (${code}: ${message})` });
  });

  it("404 NoSuchKey from a real error document is permanent, in both sources", async () => {
    answer = { status: 404, code: "NoSuchKey", message: "The specified key does not exist." };
    expect(await cloudTrailReadFailure(client)).toMatchObject({ kind: "permanent" });
    const enricher = await createFlowLogEnricher({ region: "us-east-1" });
    expect(await processFlowLogObject(client, { bucket: BUCKET, key: "flows.log.gz" }, { enricher })).toMatchObject({ status: "skipped" });
  });

  it("classifies by the error's name or status alone", () => {
    expect(s3FailureKind({ name: "NoSuchVersion", $metadata: { httpStatusCode: 404 } })).toBe("permanent");
    expect(s3FailureKind({ name: "NotFound", $metadata: { httpStatusCode: 404 } })).toBe("permanent");
    expect(s3FailureKind({ name: "Unknown", $metadata: { httpStatusCode: 404 } })).toBe("permanent");
    expect(s3FailureKind({ name: "InvalidArgument", $metadata: { httpStatusCode: 400 } })).toBe("retryable");
    expect(s3FailureKind(undefined)).toBe("retryable");
  });
});
