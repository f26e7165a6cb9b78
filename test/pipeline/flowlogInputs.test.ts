import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { createFlowLogEnricher } from "../../src/pipeline/flowlogs";
import { listFlowLogSources, processFlowLogSources } from "../../src/pipeline/flowlogInputs";
import { UserError } from "../../src/util/errors";
import { sampleText } from "../helpers/flowlogFixtures";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-flow-inputs-"));
  mkdirSync(join(dir, "day"));
  writeFileSync(join(dir, "day", "a.log"), sampleText());
  writeFileSync(join(dir, "day", "b.log.gz"), "");
  writeFileSync(join(dir, "day", "notes.txt"), "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noS3 = (): S3Client => {
  throw new Error("no S3 expected");
};

describe("listFlowLogSources", () => {
  it("expands directories to their flow log files and lists each source once, in order", async () => {
    const a = join(dir, "day", "a.log");
    const { sources, skipped } = await listFlowLogSources([a, join(dir, "day"), a], noS3);
    expect(sources).toEqual([
      { kind: "path", path: a },
      { kind: "path", path: join(dir, "day", "b.log.gz") },
    ]);
    expect(skipped).toBe(0);
  });

  it("refuses stdin among other inputs and a path that names nothing", async () => {
    await expect(listFlowLogSources(["-", "x.log"], noS3)).rejects.toThrow("- (stdin) cannot be combined with other inputs");
    await expect(listFlowLogSources([join(dir, "missing.log")], noS3)).rejects.toThrow(UserError);
  });
});

describe("processFlowLogSources", () => {
  it("processes the readable sources and names the others, without repeating the file in the message", async () => {
    const enricher = await createFlowLogEnricher({ region: "us-east-1" });
    const seen: string[] = [];
    const outcome = await processFlowLogSources(
      [
        { kind: "path", path: "good.log" },
        { kind: "path", path: "gone.log" },
        { kind: "path", path: "junk.log" },
      ],
      { enricher },
      {
        readPath: async (path) => {
          if (path === "gone.log") throw new UserError("gone.log: cannot read flow log file (ENOENT)");
          return { text: path === "good.log" ? sampleText() : "hello\nworld\n", label: path };
        },
        s3: noS3,
        onResult: (result) => seen.push(result.file),
      },
    );
    expect(outcome.results.map((r) => [r.file, r.records])).toEqual([["good.log", 30]]);
    expect(outcome.failures).toEqual([
      { file: "gone.log", message: "cannot read flow log file (ENOENT)" },
      { file: "junk.log", message: "no valid flow log records (2 malformed lines)" },
    ]);
    expect(seen).toEqual(["good.log", "junk.log"]);
  });
});
