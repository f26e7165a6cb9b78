import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { PACKAGE_ROOT } from "../src/paths";

/**
 * `npm run generate:cfn-types`: refreshes `data/cfn-resource-types.json`, the CloudFormation resource
 * types and their property names that rule and configuration checks compare against (a typo in a
 * rule's `types:` or in `tagging.resourceTypes` must be an error, not a rule that never fires).
 *
 * The source is the resource specification the AWS CDK team publishes on npm as
 * `@aws-cdk/aws-service-spec` (every CloudFormation type, SAM's included). It is fetched with
 * `npm pack` into a temporary directory rather than installed: it is a 15 MB database of which
 * parapet needs 250 kB, and only when the snapshot is refreshed. Pass another version as the
 * first argument (`npm run generate:cfn-types -- 0.1.300`); the default is the one last used.
 */
const SPEC_PACKAGE = "@aws-cdk/aws-service-spec";
const DEFAULT_VERSION = "0.1.216";
const OUTPUT = path.join(PACKAGE_ROOT, "data", "cfn-resource-types.json");

interface SpecDatabase {
  schema?: { resource?: { entities?: Array<{ cloudFormationType?: unknown; properties?: unknown }> } };
}

function fetchSpec(version: string): SpecDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), "parapet-cfn-spec-"));
  try {
    const packed = execFileSync("npm", ["pack", `${SPEC_PACKAGE}@${version}`, "--silent", "--pack-destination", dir], { encoding: "utf8" }).trim().split("\n").pop()!;
    execFileSync("tar", ["xzf", path.join(dir, packed), "-C", dir, "package/db.json.gz"]);
    return JSON.parse(gunzipSync(readFileSync(path.join(dir, "package", "db.json.gz"))).toString("utf8")) as SpecDatabase;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Type name → its property names joined by spaces: compact, fast to parse, one line per type in diffs. */
export function compactTypes(db: SpecDatabase): Record<string, string> {
  const entities = db.schema?.resource?.entities;
  if (!Array.isArray(entities) || entities.length < 1000) throw new Error("unexpected specification layout: no schema.resource.entities list");
  const out: Record<string, string> = {};
  for (const entity of entities) {
    if (typeof entity.cloudFormationType !== "string" || typeof entity.properties !== "object" || entity.properties === null) {
      throw new Error(`unexpected resource entry: ${JSON.stringify(entity).slice(0, 200)}`);
    }
    out[entity.cloudFormationType] = Object.keys(entity.properties).sort().join(" ");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function renderSnapshot(types: Record<string, string>, source: string): string {
  const lines = Object.entries(types).map(([type, properties]) => `    ${JSON.stringify(type)}: ${JSON.stringify(properties)}`);
  return `{\n  "source": ${JSON.stringify(source)},\n  "types": {\n${lines.join(",\n")}\n  }\n}\n`;
}

if (require.main === module) {
  const version = process.argv[2] ?? DEFAULT_VERSION;
  const types = compactTypes(fetchSpec(version));
  writeFileSync(OUTPUT, renderSnapshot(types, `${SPEC_PACKAGE}@${version}`));
  console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}: ${Object.keys(types).length} resource types from ${SPEC_PACKAGE}@${version}`);
}
