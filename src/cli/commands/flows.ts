/**
 * `parapet flows enrich <inputs...>`: VPC flow log records → enriched flows, one JSON object per line.
 * `parapet flows scan <inputs...>`: the same flows evaluated against the rules, reported as `lint` reports.
 * Inputs are files (flow log records, or a CloudWatch Logs subscription payload saved as JSON),
 * directories (their `.log` and `.log.gz` files, recursively), globs,
 * `s3://bucket/prefix` (its `.log` and `.log.gz` objects), or `-` for stdin; one enricher serves them
 * all, so an interface is looked up once per run. An input that cannot be read, or holds no record at
 * all, is reported with its name and the others are still processed (exit code 2 at the end).
 *
 * Interfaces come from `--inventory` files (offline: `aws ec2 describe-network-interfaces` and
 * optionally `describe-instances` JSON), else `flowlogs.inventoryFiles` in the configuration, else live
 * `DescribeNetworkInterfaces` calls in the SDK's region (`--region`, AWS_REGION); `--offline` skips
 * lookups entirely. Malformed lines are reported on stderr with their line numbers, never fatal.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Command } from "commander";
import { loadRules, type Config } from "../../engine";
import { listFlowLogSources, processFlowLogSources, type FlowLogSourcesOutcome } from "../../pipeline/flowlogInputs";
import { createFlowLogEnricher, flowLogFormat, flowLogSettings, malformedLines, type FlowLogOptions } from "../../pipeline/flowlogs";
import { buildReport } from "../../pipeline/report";
import { exitCodeFor, formatReport } from "../../report";
import { flowLogBytesToText, readFlowLogFile, type EnrichedFlow, type Enricher } from "../../sources/flowlog";
import { addAlertOptions, alertSinkFor, publishFindings, type AlertCliOptions } from "../alertOptions";
import { addReportOptions, formatOptionsFor, type ReportOptions } from "../reportOptions";
import { loadCommandConfig } from "../config";
import { emit } from "../output";

interface EnrichmentOptions {
  inventory?: string[];
  ipRanges?: string;
  formatString?: string;
  region?: string;
  offline?: boolean;
  config?: string;
}

type ScanOptions = EnrichmentOptions & ReportOptions & AlertCliOptions;

export function flowsCommand(): Command {
  return new Command("flows").description("enrich and check VPC flow logs").addCommand(enrichCommand()).addCommand(scanCommand());
}

function withEnrichmentOptions(command: Command): Command {
  return command
    .option("--inventory <file...>", "interface inventory: aws ec2 describe-network-interfaces JSON (and describe-instances JSON for instance tags); no EC2 calls")
    .option("--ip-ranges <file>", "a newer AWS ip-ranges.json (default: the bundled snapshot)")
    .option("--format-string <format>", "record format of files without a header line, as configured on the flow log: '${version} ${account-id} ...'")
    .option("--region <region>", "AWS region for live EC2 lookups, S3 reads and SNS (default: the SDK's, or the topic ARN's)")
    .option("--offline", "no EC2 lookups: classify addresses with ip-ranges only");
}

const INPUTS_ARGUMENT = ["<inputs...>", "flow log files (.log, .log.gz, or a CloudWatch Logs payload .json), directories, globs, s3://bucket/prefix, or - for stdin"] as const;

function enrichCommand(): Command {
  return withEnrichmentOptions(
    new Command("enrich")
      .description(
        "print each flow enriched with interface, instance, tag and AWS service data, one JSON object per line.\n" +
          "Exit 0: done; 2: a usage error, or an input that could not be read (the others are still enriched).",
      )
      .argument(...INPUTS_ARGUMENT),
  )
    .option("-o, --output <file>", "write the flows to a file instead of stdout")
    .option("-c, --config <file>", "configuration file")
    .action(async (inputs: string[], opts: EnrichmentOptions & { output?: string }) => {
      const { config } = loadCommandConfig(opts.config);
      const lines: string[] = [];
      const onFlows = (flows: readonly EnrichedFlow[]) => {
        for (const flow of flows) lines.push(JSON.stringify(flow));
      };
      const { failures } = await withEnricher(config, opts, (enricher) =>
        processInputs(inputs, { enricher, format: formatOf(config, opts), onFlows }, { region: opts.region, printMalformed: true }),
      );
      emit(lines.join("\n"), opts.output);
      if (failures.length > 0) process.exitCode = 2;
    });
}

function scanCommand(): Command {
  return addAlertOptions(addReportOptions(
    withEnrichmentOptions(
      new Command("scan")
        .description(
          "check flows against the rules (exposure, cross-AZ cost, load-balancer bypass, ...).\n" +
            "Exit 0: nothing at or above --fail-on; 1: findings at or above it; 2: a usage error or an input that could not be read.",
        )
        .argument(...INPUTS_ARGUMENT),
    ),
  )).action(async (inputs: string[], opts: ScanOptions) => {
      const { config } = loadCommandConfig(opts.config);
      const { ruleSet } = loadRules({ config, ruleDirs: opts.rules, includeBuiltin: true, lazy: true });
      const sink = alertSinkFor(opts);
      const { results, failures } = await withEnricher(config, opts, (enricher) =>
        processInputs(inputs, { ruleSet, enricher, format: formatOf(config, opts) }, { region: opts.region, printMalformed: false }),
      );
      const report = buildReport(ruleSet, {
        findings: results.flatMap((r) => r.findings),
        suppressed: results.flatMap((r) => r.suppressed),
        errors: [...failures, ...results.flatMap((r) => r.errors)],
        filesScanned: results.length + failures.length,
      });
      emit(formatReport(opts.format, report, formatOptionsFor(opts, inputs)), opts.output);
      process.exitCode = failures.length > 0 ? 2 : exitCodeFor(report.findings, opts.failOn);
      if (sink) await publishFindings(sink, report.findings);
    });
}

/**
 * Lists and processes the inputs (`pipeline/flowlogInputs.ts`), telling stderr as it goes: malformed
 * lines (only when `printMalformed`: the scan report lists them, except for a file with no valid
 * record at all), interface lookup problems, skipped S3 keys, and each input that failed.
 */
async function processInputs(
  inputs: readonly string[],
  options: FlowLogOptions,
  { region, printMalformed }: { region?: string; printMalformed: boolean },
): Promise<FlowLogSourcesOutcome> {
  let s3: S3Client | undefined;
  const s3Client = () => (s3 ??= new S3Client(region ? { region } : {}));
  const say = (line: string) => process.stderr.write(`parapet: ${line}\n`);
  try {
    const { sources, skipped } = await listFlowLogSources(inputs, s3Client);
    if (skipped > 0) say(`skipped ${skipped} object${skipped === 1 ? "" : "s"} not named .log or .log.gz`);
    return await processFlowLogSources(sources, options, {
      readPath: readInput,
      s3: s3Client,
      onResult: (result, usable) => {
        if (printMalformed || !usable) for (const line of malformedLines(result)) say(line);
        for (const warning of result.warnings) say(`${result.file}: interface lookup: ${warning}`);
      },
      onFailure: (failure) => say(`${failure.file}: ${failure.message}`),
    });
  } finally {
    s3?.destroy();
  }
}

function formatOf(config: Config, opts: EnrichmentOptions) {
  return flowLogFormat(opts.formatString ?? flowLogSettings(config).format);
}

/** Builds the enricher for one command run and closes its EC2 client afterwards. */
async function withEnricher<T>(config: Config, opts: EnrichmentOptions, run: (enricher: Enricher) => Promise<T>): Promise<T> {
  const settings = flowLogSettings(config);
  const inventoryFiles = opts.inventory ?? settings.inventoryFiles;
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const ec2 = inventoryFiles.length === 0 && !opts.offline ? new (require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2")).EC2Client(region ? { region } : {}) : undefined;
  try {
    const enricher = await createFlowLogEnricher({ inventoryFiles, ipRanges: opts.ipRanges ?? settings.ipRanges, ec2Client: ec2, region });
    return await run(enricher);
  } finally {
    ec2?.destroy();
  }
}

async function readInput(file: string): Promise<{ text: string; label: string }> {
  if (file !== "-") return { text: await readFlowLogFile(file), label: file };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return { text: flowLogBytesToText(Buffer.concat(chunks), "<stdin>"), label: "<stdin>" };
}
