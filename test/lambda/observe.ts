/**
 * The Lambda functions' real logger and metrics (Powertools), with what they write captured and
 * parsed, so tests assert on the JSON lines CloudWatch Logs would receive: stdout and stderr both
 * (Powertools writes WARN and ERROR lines to stderr; Lambda sends both streams to the log group).
 *
 *   const out = observe();          // in a test, or a beforeEach
 *   afterEach(() => out.restore());
 *   out.logs()                      // [{ level, message, timestamp, service, ... }]
 *   out.metrics()                   // { InputsSkipped: 1 } summed over the EMF lines
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

export interface Observed {
  log: Logger;
  metricsSink: Metrics;
  /** Log lines (those with a `level`), parsed. */
  logs(): Record<string, unknown>[];
  /** Other JSON lines written (a dry-run sink's alerts, EMF metrics), parsed. */
  others(): Record<string, unknown>[];
  /** Metric values summed over the EMF lines written so far. */
  metrics(): Record<string, number>;
  restore(): void;
}

export function observe(): Observed {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, "write").mockImplementation(capture), jest.spyOn(process.stderr, "write").mockImplementation(capture)];
  const json = () =>
    written
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    log: new Logger({ serviceName: "parapet" }),
    metricsSink: new Metrics({ namespace: "parapet", serviceName: "parapet" }),
    logs: () => json().filter((j) => "level" in j),
    others: () => json().filter((j) => !("level" in j)),
    metrics() {
      const sums: Record<string, number> = {};
      for (const line of json()) {
        const aws = line._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
        // A metric added several times in one flush is written as a list of values.
        for (const { Name } of aws?.CloudWatchMetrics?.[0]?.Metrics ?? []) sums[Name] = (sums[Name] ?? 0) + [line[Name]].flat().reduce((a: number, v) => a + Number(v), 0);
      }
      return sums;
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
