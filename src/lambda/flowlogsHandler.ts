/**
 * The flow-log Lambda handlers: envelope → the CLI's flow-log pipeline → alerts, built from their
 * dependencies so tests can use loopback servers (`flowlogs.ts` wires the real ones). Three triggers:
 * Kinesis (a CloudWatch Logs subscription to a stream, one payload per record: failures reported per
 * record in `batchItemFailures` by Powertools' batch processor), a CloudWatch Logs subscription
 * invoking the function directly, and S3-delivered `.log(.gz)` files. Failures: src/lambda/runner.ts.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import type { RuleSet } from "../engine/ruleset";
import { classifyFlowLogKey, processFlowLogSources } from "../pipeline/flowlogInputs";
import { flowLogProblems, processCloudWatchPayload, type FlowLogOptions, type FlowLogResult } from "../pipeline/flowlogs";
import { attempt } from "../pipeline/outcome";
import type { Enricher, FlowFormat } from "../sources/flowlog";
import { InputFailure, UserError } from "../util/errors";
import { objectDelivery, parseKinesisRecord, parseSubscriptionEvent, type LogsDelivery, type S3BatchResponse } from "./envelopes";
import { createRunner, type Invocation, type InvocationSummary, type Outputs, type Settled } from "./runner";

export interface FlowLogHandlerDeps extends Outputs {
  ruleSet: RuleSet;
  enricher: Enricher;
  /** Configured format of CloudWatch-delivered records (`flowlogs.format`); S3 files carry a header. */
  format?: FlowFormat;
  /** Needed by the S3 handler only. */
  s3?: Pick<S3Client, "send">;
  chunkSize?: number;
}

type Handler<R> = (event: unknown, context?: Partial<Context>) => Promise<R>;

export interface FlowLogHandlers {
  kinesis: Handler<KinesisStreamBatchResponse>;
  cloudWatch: Handler<InvocationSummary>;
  s3: Handler<InvocationSummary | S3BatchResponse>;
}

export function createFlowLogHandlers(deps: FlowLogHandlerDeps): FlowLogHandlers {
  const options: FlowLogOptions = { ruleSet: deps.ruleSet, enricher: deps.enricher, format: deps.format, chunkSize: deps.chunkSize };
  const runner = createRunner<FlowLogResult>({ ...deps, problems: flowLogProblems });
  // Records one at a time: they share the enricher's cache, and a shard's order is kept.
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const s3 = () => {
    if (deps.s3 === undefined) throw new UserError("the S3 flow-log handler needs an S3 client");
    return deps.s3;
  };

  /** One payload: evaluated, skipped when it does not decode, ignored when it is a control message. */
  async function settlePayload(invocation: Invocation<FlowLogResult>, delivery: LogsDelivery): Promise<Settled | undefined> {
    if (delivery.kind === "control") return void invocation.ignore([{ reason: `CloudWatch Logs control message (${delivery.label})` }]);
    const outcome = delivery.kind === "malformed" ? ({ status: "skipped", reason: delivery.reason } as const) : await attempt(() => processCloudWatchPayload(delivery.payload, options));
    return invocation.settle(delivery.label, outcome);
  }

  return {
    kinesis: (event, context) =>
      runner.invoke("kinesis", context, (invocation) => {
        const handleRecord = async (record: KinesisStreamRecord) => {
          const settled = await settlePayload(invocation, parseKinesisRecord(record));
          if (settled?.status === "failed") throw new InputFailure(settled.input, settled.reason, "retryable");
        };
        // A batch where every record failed is answered, not thrown: Lambda retries it the same way.
        return processPartialResponse(event as KinesisStreamEvent, handleRecord, processor, { context: context as Context, processInParallel: false, throwOnFullBatchFailure: false });
      }),
    cloudWatch: (event, context) =>
      runner.invoke("cloudwatch", context, async (invocation) => {
        await settlePayload(invocation, parseSubscriptionEvent(event));
        return invocation.finish();
      }),
    s3: (event, context) =>
      runner.invoke("s3", context, (invocation) =>
        invocation.objects(objectDelivery(event, classifyFlowLogKey), async (objects) => (await processFlowLogSources(objects.map((o) => ({ kind: "s3", ...o })), options, { s3 })).outcomes),
      ),
  };
}
