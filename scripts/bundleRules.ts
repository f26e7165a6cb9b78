import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defaultConfiguration } from "../src/engine/config";
import { contentHash, loadRules } from "../src/engine/loader";
import { BUILTIN_RULES_BUNDLE, BUILTIN_RULES_DIR } from "../src/paths";
import { UserError } from "../src/util/errors";

/**
 * Part of `npm run build`: validates and compiles every built-in rule once, then writes the
 * definitions with their content hashes so start-up skips YAML parsing and validation.
 * A broken rule fails the build with the same located message the CLI would print.
 *
 * Usage: `node build/scripts/bundleRules.js [--out FILE] [--quiet]` (default: dist/rules.bundle.json).
 */
const outIndex = process.argv.indexOf("--out");
const target = outIndex > 0 && process.argv[outIndex + 1] ? path.resolve(process.argv[outIndex + 1]!) : BUILTIN_RULES_BUNDLE;
let files: ReturnType<typeof loadRules>["files"];
try {
  files = loadRules({ config: defaultConfiguration() }).files;
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  for (const line of err.message.split("\n")) process.stderr.write(`parapet: ${line}\n`);
  process.exit(2);
}
const out: Record<string, { sha1: string; definition: unknown }> = {};
for (const f of files) {
  const rel = path.relative(BUILTIN_RULES_DIR, f.file).split(path.sep).join("/");
  out[rel] = { sha1: contentHash(readFileSync(f.file, "utf8")), definition: f.definition };
}
writeFileSync(target, JSON.stringify({ files: out }));
if (!process.argv.includes("--quiet")) console.log(`bundled ${files.length} rules into ${path.relative(process.cwd(), target)}`);
