import { S3Client } from "@aws-sdk/client-s3";
import { Command, InvalidArgumentError } from "commander";
import { SingleBar } from "cli-progress";
import { loadRules } from "../../engine";
import { buildReport } from "../../pipeline/report";
import { scanCloudTrailInputs, type CloudTrailFileOutcome } from "../../pipeline/cloudtrail";
import { exitCodeFor, formatReport } from "../../report";
import { listCloudTrailInputs, parseS3Uri, type CloudTrailInput, type SkippedInput } from "../../sources/cloudtrail";
import { addAlertOptions, alertSinkFor, publishFindings, type AlertCliOptions } from "../alertOptions";
import { loadCommandConfig } from "../config";
import { emit } from "../output";
import { addReportOptions, formatOptionsFor, type ReportOptions } from "../reportOptions";

interface ScanCloudTrailOptions extends ReportOptions, AlertCliOptions {
  concurrency: number;
  progress: boolean;
}

/** Below this many files a progress bar is noise. */
const PROGRESS_MIN_FILES = 20;

export function scanCommand(): Command {
  return new Command("scan").description("scan recorded AWS activity against the rules").addCommand(cloudTrailCommand());
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError("expected a whole number from 1 to 256");
  return n;
}

function cloudTrailCommand(): Command {
  return addAlertOptions(addReportOptions(
    new Command("cloudtrail")
      .description(
        "check CloudTrail log files: .json or .json.gz files, directories (searched recursively) or s3://bucket/prefix.\n" +
          "Exit 0: nothing at or above --fail-on; 1: findings at or above it; 2: a usage error or an input file that could not be read.",
      )
      .argument("<targets...>", "file.json, file.json.gz, directory or s3://bucket/prefix"),
  ))
    .option("--concurrency <n>", "files read and evaluated at the same time", positiveInt, 4)
    .option("--region <region>", "AWS region for S3 and SNS (default: the SDK's, or the topic ARN's)")
    .option("--no-progress", "never show the progress bar (shown on a terminal when there are many files)")
    .action(async (targets: string[], opts: ScanCloudTrailOptions) => {
      const { config } = loadCommandConfig(opts.config);
      const { ruleSet } = loadRules({ config, ruleDirs: opts.rules, includeBuiltin: true, lazy: true });
      const s3 = targets.some((t) => parseS3Uri(t) !== undefined) ? new S3Client(opts.region ? { region: opts.region } : {}) : undefined;
      const sink = alertSinkFor(opts);

      try {
        const inputs: CloudTrailInput[] = [];
        const skipped: SkippedInput[] = [];
        for (const target of targets) {
          const listed = await listCloudTrailInputs(target, s3);
          inputs.push(...listed.inputs);
          skipped.push(...listed.skipped);
        }
        if (skipped.length > 0) process.stderr.write(`parapet: skipped ${skipped.length} file${skipped.length === 1 ? "" : "s"} that are not CloudTrail log files\n`);

        const progress = opts.progress && process.stderr.isTTY && inputs.length >= PROGRESS_MIN_FILES ? startProgress(inputs.length) : undefined;
        let result;
        try {
          result = await scanCloudTrailInputs(inputs, { ruleSet, s3, concurrency: opts.concurrency, onFile: progress?.update });
        } finally {
          progress?.stop();
        }

        const report = buildReport(ruleSet, { findings: result.findings, suppressed: result.suppressed, errors: result.errors, filesScanned: inputs.length });
        emit(formatReport(opts.format, report, formatOptionsFor(opts, targets)), opts.output);
        process.exitCode = result.filesFailed > 0 ? 2 : exitCodeFor(report.findings, opts.failOn);
        // After the report, so a failed publish still leaves the findings on record.
        if (sink) await publishFindings(sink, report.findings);
      } finally {
        s3?.destroy();
      }
    });
}

/** A bar on stderr (stdout stays clean for the report): files done, records read, findings so far. */
function startProgress(total: number): { update: (outcome: CloudTrailFileOutcome) => void; stop: () => void } {
  const bar = new SingleBar({
    stream: process.stderr,
    format: "scanning {bar} {value}/{total} files | {records} records | {findings} findings | {eta_formatted}",
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  let records = 0;
  let findings = 0;
  bar.start(total, 0, { records, findings });
  return {
    update(outcome) {
      if (outcome.status === "evaluated") {
        records += outcome.result.records;
        findings += outcome.result.findings.length;
      }
      bar.increment(1, { records, findings });
    },
    stop: () => bar.stop(),
  };
}
