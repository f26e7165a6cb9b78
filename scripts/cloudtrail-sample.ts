import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { PACKAGE_ROOT } from "../src/paths";

/**
 * Builds `samples/cloudtrail/sample.json.gz`, the CloudTrail log file the README quick start scans:
 * every Stratus Red Team detonation record (mostly benign reads, plus an SSH port opened to a /0
 * range and an IAM user backdoored at night) and the real reference records, with a few edited
 * copies so each of the mission's alerts has a clear example next to a compliant twin:
 *
 * - RunInstances without the required tags (alert) and with them (no alert);
 * - SSH opened to 0.0.0.0/0 (alert) next to HTTPS opened to 0.0.0.0/0 (allowed);
 * - CreateAccessKey at 02:14 London time on a Tuesday (alert) and CreateUser at 13:03 (no alert).
 *
 * Usage: `node build/scripts/cloudtrail-sample.js [path/to/shared]` (default: `../shared`).
 * The output is deterministic (gzip without a timestamp), so rebuilding changes nothing.
 */
type Rec = Record<string, unknown>;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

function records(doc: unknown): Rec[] {
  if (Array.isArray(doc)) return doc as Rec[];
  const d = doc as { Records?: Rec[] };
  return d.Records ?? [doc as Rec];
}

/** A copy with a new event id (so its alert alias differs) and the given fields replaced. */
function variant(record: Rec, eventID: string, changes: Rec): Rec {
  return { ...structuredClone(record), ...changes, eventID };
}

export function buildSampleRecords(shared: string): Rec[] {
  const stratusDir = path.join(shared, "conformance/cloudtrail/stratus");
  const samplesDir = path.join(shared, "reference/cloudtrail-samples");
  const stratus = readdirSync(stratusDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => records(readJson(path.join(stratusDir, f))));
  const sample = (name: string) => records(readJson(path.join(samplesDir, name)))[0]!;
  const reference = readdirSync(samplesDir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("EventBridge_"))
    .sort()
    .map(sample)
    // Some reference records are copies of Stratus ones; a file never holds one event twice.
    .filter((r) => !stratus.some((s) => s.eventID === r.eventID));

  const runInstances = sample("RunInstances_success_tagSpecificationSet.invictus.json");
  const tagged = variant(runInstances, "5b3c1f7e-0c6d-4f2a-9a51-7d0f3a1b2c01", {
    requestParameters: {
      ...(runInstances.requestParameters as Rec),
      tagSpecificationSet: {
        items: [
          {
            resourceType: "instance",
            tags: [
              { key: "owner", value: "platform-team@example.com" },
              { key: "environment", value: "production" },
            ],
          },
        ],
      },
    },
    responseElements: JSON.parse(JSON.stringify(runInstances.responseElements).replaceAll("i-05c30218156bcc246", "i-0aa11bb22cc33dd44")),
  });
  const nightKey = variant(sample("CreateAccessKey.invictus.json"), "5b3c1f7e-0c6d-4f2a-9a51-7d0f3a1b2c02", { eventTime: "2023-07-11T01:14:09Z" });

  // Not in time order, as CloudTrail delivers them: the edited copies sit among the originals.
  const mixed = [...stratus.slice(0, 150), tagged, ...reference, nightKey, ...stratus.slice(150)];
  return mixed;
}

if (require.main === module) {
  const shared = path.resolve(process.argv[2] ?? path.join(PACKAGE_ROOT, "../shared"));
  const body = JSON.stringify({ Records: buildSampleRecords(shared) });
  const out = path.join(PACKAGE_ROOT, "samples/cloudtrail/sample.json.gz");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, gzipSync(body, { level: 9 }));
  console.log(`wrote ${path.relative(PACKAGE_ROOT, out)} (${JSON.parse(body).Records.length} records, ${body.length} bytes uncompressed)`);
}
