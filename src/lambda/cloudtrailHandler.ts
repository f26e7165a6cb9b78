/**
 * The CloudTrail Lambda handler: envelope → the CLI's CloudTrail pipeline → alerts, built from its
 * dependencies so tests can point it at servers on loopback (`cloudtrail.ts` wires the real ones).
 * What a failure does is the runner's (src/lambda/runner.ts); the table is in docs/deploy.md.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import type { RuleSet } from "../engine/ruleset";
import { evaluateCloudTrailRecord, recordErrorLine, scanCloudTrailInputs, type CloudTrailFileResult } from "../pipeline/cloudtrail";
import { classifyLogKey } from "../sources/cloudtrail";
import { cloudTrailDelivery, type S3BatchResponse } from "./envelopes";
import { createRunner, type InvocationSummary, type Outputs } from "./runner";

export interface CloudTrailHandlerDeps extends Outputs {
  ruleSet: RuleSet;
  s3: S3Client;
  /** Objects read at once within one invocation. Default 2. */
  concurrency?: number;
  chunkRecords?: number;
}

export type CloudTrailHandler = (event: unknown, context?: Partial<Context>) => Promise<InvocationSummary | S3BatchResponse>;

export function createCloudTrailHandler(deps: CloudTrailHandlerDeps): CloudTrailHandler {
  const runner = createRunner<CloudTrailFileResult>({ ...deps, problems: (result) => result.recordErrors.map(recordErrorLine) });
  const evaluate = { ruleSet: deps.ruleSet, chunkRecords: deps.chunkRecords };
  const scan = { ...evaluate, s3: deps.s3, concurrency: deps.concurrency ?? 2 };

  return (event, context) =>
    runner.invoke("cloudtrail", context, async (invocation) => {
      const delivery = cloudTrailDelivery(event, classifyLogKey);
      if (delivery.kind !== "record") {
        return invocation.objects(delivery, async (objects) => (await scanCloudTrailInputs(objects.map((o) => ({ kind: "s3", ...o })), scan)).files);
      }
      await invocation.settle(delivery.file, evaluateCloudTrailRecord(delivery.record, { file: delivery.file, pointer: delivery.pointer }, evaluate));
      return invocation.finish();
    });
}
