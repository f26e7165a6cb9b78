/**
 * `npm run package`: one deployable zip per Lambda handler, `build/lambda/<name>.zip`, holding
 * `index.js` (the handler bundled by esbuild, with the built-in rules and the default configuration
 * embedded) plus the data files it reads at run time.
 *
 * - `@aws-sdk/*` is bundled, not taken from the runtime's copy: the function runs the SDK version the
 *   tests ran, and one minified file loads faster than the runtime's SDK spread over hundreds of
 *   files (cloud trail handler import ≈130 ms bundled vs ≈200 ms external, measured here). The ES
 *   module builds are preferred so esbuild drops the commands and clients we never call, which keeps
 *   the flow-log bundle (EC2, S3 and SNS clients) under its 2 MB budget.
 * - Rule test cases are left out of the embedded rules: they are for `parapet rules test`, and they
 *   were more than half of the bundle's rule data.
 * - The rules are embedded as the bundle `npm run build` writes (definitions already validated),
 *   through esbuild `define` (see `PARAPET_EMBEDDED_RULES` in src/engine/loader.ts): the function
 *   ships no `rules/` directory and compiles the rule set without parsing YAML.
 * - Zips are reproducible (fixed timestamps and modes, sorted entries): unchanged code gives an
 *   unchanged zip, so re-uploading it does not make CloudFormation replace the function's code.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defaultConfiguration } from "../src/engine/config";
import { contentHash, loadRules, type RuleBundle } from "../src/engine/loader";
import type { RuleDefinition } from "../src/engine/rule";
import { BUILTIN_RULES_DIR, PACKAGE_ROOT } from "../src/paths";
import { UserError } from "../src/util/errors";
import { compileIpRanges } from "../src/sources/flowlog/ipRanges";

export interface LambdaPackage {
  /** Output name: `build/lambda/<name>.zip`. */
  name: string;
  /** Handler module, relative to the package root. */
  entry: string;
  /** Exported handler functions (`index.<export>` in the template). */
  handlers: string[];
  /** Files copied into the zip (relative to the package root → path inside the zip), JSON optionally converted. */
  files: { from: string; to: string; convert?: (json: unknown) => unknown }[];
  /** Modules left out of the bundle and loaded from the Lambda runtime. */
  external?: string[];
}

export const LAMBDA_PACKAGES: readonly LambdaPackage[] = [
  // The CloudFormation type list checks a configuration's `tagging` types (read only when one names any).
  { name: "cloudtrail", entry: "src/lambda/cloudtrail.ts", handlers: ["handler"], files: [{ from: "data/cfn-resource-types.json", to: "data/cfn-resource-types.json" }] },
  {
    name: "flowlogs",
    entry: "src/lambda/flowlogs.ts",
    handlers: ["kinesisHandler", "cloudWatchHandler", "s3Handler"],
    // The enricher classifies AWS addresses with this snapshot, found beside index.js.
    // Shipped compiled (see compileIpRanges): a quarter of the size and no table to build at cold start.
    files: [
      { from: "data/ip-ranges.json", to: "data/ip-ranges.json", convert: (json) => compileIpRanges(json) },
      { from: "data/cfn-resource-types.json", to: "data/cfn-resource-types.json" },
    ],
    // The EC2 client is 1 MB of the bundle (its schema registry) and is only needed for live interface
    // lookups, on the first cache miss: the Node.js Lambda runtime ships SDK v3 clients, so it is loaded
    // from there, lazily, and cold start stays within budget. Everything else stays bundled.
    external: ["@aws-sdk/client-ec2"],
  },
];

/** Largest bundled `index.js` accepted (the issue's budget). */
export const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;

export const LAMBDA_BUILD_DIR = path.join(PACKAGE_ROOT, "build", "lambda");

/** The built-in rules, validated and compiled once, keyed like `dist/rules.bundle.json`. */
export function buildRuleBundle(): RuleBundle {
  const { files } = loadRules({ config: defaultConfiguration(), ruleDirs: [BUILTIN_RULES_DIR] });
  const out: RuleBundle["files"] = {};
  for (const f of files) {
    const rel = path.relative(BUILTIN_RULES_DIR, f.file).split(path.sep).join("/");
    // `tests` are for `parapet rules test`; a function never runs them.
    const { tests: _tests, ...definition } = f.definition;
    out[rel] = { sha1: contentHash(readFileSync(f.file, "utf8")), definition: definition as RuleDefinition };
  }
  return { files: out };
}

export interface PackageResult {
  name: string;
  /** `build/lambda/<name>/index.js` */
  bundle: string;
  bundleBytes: number;
  zip: string;
  zipBytes: number;
}

export interface PackageOptions {
  outDir?: string;
  rules?: RuleBundle;
  /** Minify (default true). */
  minify?: boolean;
}

/** Bundles one handler into `<outDir>/<name>/index.js` and zips that folder into `<outDir>/<name>.zip`. */
export async function packageLambda(pkg: LambdaPackage, options: PackageOptions = {}): Promise<PackageResult> {
  const outDir = options.outDir ?? LAMBDA_BUILD_DIR;
  const rules = options.rules ?? buildRuleBundle();
  const dir = path.join(outDir, pkg.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  // Loaded here, not at the top: only packaging needs the esbuild binary.
  const esbuild = await import("esbuild");
  const bundle = path.join(dir, "index.js");
  const result = await esbuild.build({
    entryPoints: [path.join(PACKAGE_ROOT, pkg.entry)],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: options.minify ?? true,
    // Licence notices of the bundled libraries stay in the file that contains their code.
    legalComments: "eof",
    mainFields: ["module", "main"],
    // A string literal holding the JSON (see loader.ts for why not an object literal).
    external: pkg.external ?? [],
    define: { PARAPET_EMBEDDED_RULES: JSON.stringify(JSON.stringify(rules)) },
    logLevel: "silent",
  });
  for (const warning of result.warnings) process.stderr.write(`package ${pkg.name}: ${warning.text}\n`);

  const entries: Record<string, Uint8Array> = { "index.js": readFileSync(bundle) };
  for (const f of pkg.files) {
    const target = path.join(dir, f.to);
    mkdirSync(path.dirname(target), { recursive: true });
    const data = compactIfJson(f.from, readFileSync(path.join(PACKAGE_ROOT, f.from)), f.convert);
    writeFileSync(target, data);
    entries[f.to] = data;
  }
  const zip = path.join(outDir, `${pkg.name}.zip`);
  writeFileSync(zip, deterministicZip(entries));
  return { name: pkg.name, bundle, bundleBytes: statSync(bundle).size, zip, zipBytes: statSync(zip).size };
}

/** Whitespace out of JSON data files: less to unzip and read at cold start. */
function compactIfJson(file: string, data: Buffer, convert: (json: unknown) => unknown = (json) => json): Uint8Array {
  if (!file.endsWith(".json")) return data;
  return Buffer.from(JSON.stringify(convert(JSON.parse(data.toString("utf8")))));
}

/** 2000-01-01 local time: any fixed date works; zip timestamps before 1980 are not representable. */
const FIXED_MTIME = new Date(2000, 0, 1);

/**
 * A zip whose bytes depend only on the entries: sorted names, one timestamp, mode 0644 (Lambda
 * needs the files world-readable). fflate: small, dependency-free, synchronous, sets both.
 */
export function deterministicZip(entries: Record<string, Uint8Array>): Uint8Array {
  const { zipSync } = require("fflate") as typeof import("fflate");
  const sorted: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number; level: 9 }]> = {};
  for (const name of Object.keys(entries).sort()) {
    sorted[name] = [entries[name]!, { mtime: FIXED_MTIME, os: 3, attrs: 0o100644 << 16, level: 9 }];
  }
  return zipSync(sorted);
}

async function main(): Promise<void> {
  const rules = buildRuleBundle();
  let tooBig = false;
  for (const pkg of LAMBDA_PACKAGES) {
    const r = await packageLambda(pkg, { rules });
    const rel = (p: string) => path.relative(process.cwd(), p);
    console.log(`${rel(r.zip)}  ${kib(r.zipBytes)} zipped; index.js ${kib(r.bundleBytes)}; handlers ${pkg.handlers.map((h) => `index.${h}`).join(", ")}`);
    if (r.bundleBytes > MAX_BUNDLE_BYTES) {
      process.stderr.write(`parapet: ${rel(r.bundle)} is ${kib(r.bundleBytes)}, over the ${kib(MAX_BUNDLE_BYTES)} budget\n`);
      tooBig = true;
    }
  }
  console.log(`${Object.keys(rules.files).length} rules embedded; upload with: aws s3 cp build/lambda/<name>.zip s3://<CodeBucket>/<CodeKey>`);
  if (tooBig) process.exitCode = 1;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof UserError) {
      for (const line of err.message.split("\n")) process.stderr.write(`parapet: ${line}\n`);
      process.exit(2);
    }
    throw err;
  });
}
