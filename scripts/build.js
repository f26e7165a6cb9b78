#!/usr/bin/env node
"use strict";
/**
 * `npm run build`: turns the TypeScript sources into the JavaScript that ships and the tools that
 * develop it. Plain JavaScript because it is the step that compiles everything else.
 *
 * Everything is bundled by esbuild, never emitted by `tsc` (which only typechecks): TypeScript 7.0's
 * emitter dropped the parentheses of `new (require(...) as T).Client()`, and the tests, which run the
 * sources through swc, could not see it. esbuild compiles the sources the same way swc does, and the
 * tests run the bundle this script writes (test/globalSetup.js builds it before every run).
 *
 * What ships (`files` in package.json):
 * - `dist/parapet.js`: the CLI, with every library it uses except the AWS SDK. One file starts faster
 *   than hundreds (`lint` reads no node_modules at all), and the package has no runtime dependencies
 *   to install.
 * - `dist/aws-sdk.js`: the S3, SNS and EC2 clients, bundled on their own so that `lint` never parses
 *   them; `scan` and `flows` load it on first use, and each client is evaluated only when asked for.
 * - `dist/rules.bundle.json`: the built-in rules, validated once (see src/engine/loader.ts).
 * - `dist/THIRD-PARTY-NOTICES.txt`: name, version, licence and licence text of every bundled library.
 *
 * What does not ship: `build/scripts/*.js` and `build/bench/*.js`, one bundle per entry point with
 * node_modules left external (they run only in a development checkout).
 */
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const ROOT = path.join(__dirname, "..");
const DIST = path.join(ROOT, "dist");

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  // CommonJS builds first: they are what these libraries run as under Node.
  mainFields: ["main", "module"],
  // The licences of bundled libraries are collected whole into dist/THIRD-PARTY-NOTICES.txt instead.
  legalComments: "none",
  metafile: true,
  // ES module builds (chosen for \`import\` statements) may call createRequire(import.meta.url), which a
  // CommonJS bundle lacks: give them the bundle's own URL.
  define: { "import.meta.url": "__bundleUrl" },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
};

/**
 * Code the CLI loads only on some paths, bundled into files of its own so that the others never parse
 * it (parsing the CLI bundle is a fixed cost of every run). `imports` maps what the sources import to
 * the property of the separate bundle's exports that stands for it ("" for the whole module).
 */
const SEPARATE_BUNDLES = [
  // scan and flows: the S3, SNS and EC2 clients; each is evaluated only when asked for (src/aws-sdk.ts).
  {
    file: "aws-sdk.js",
    entry: "src/aws-sdk.ts",
    imports: { "@aws-sdk/client-ec2": "ec2", "@aws-sdk/client-s3": "s3", "@aws-sdk/client-sns": "sns" },
    // The SDK's ES module builds let esbuild drop the commands parapet never sends.
    mainFields: ["module", "main"],
  },
  // Validating a rule file that is not in dist/rules.bundle.json: custom rules, `rules test`.
  { file: "rule-validator.js", entry: "src/engine/generated/ruleValidator.js", imports: { "src/engine/generated/ruleValidator": "" } },
  // Compiling the rule schema at run time: only when the generated validator is stale (development).
  { file: "ajv.js", entry: "node_modules/ajv/dist/ajv.js", imports: { ajv: "" } },
];

/** In the CLI bundle, each import named in SEPARATE_BUNDLES becomes a require of its bundle. */
const separateBundles = {
  name: "separate-bundles",
  setup(build) {
    const targets = new Map();
    for (const bundle of SEPARATE_BUNDLES) {
      for (const [specifier, property] of Object.entries(bundle.imports)) targets.set(specifier, { file: bundle.file, property });
    }
    build.onResolve({ filter: /./ }, (args) => {
      if (args.namespace !== "file" || args.kind === "entry-point") return undefined;
      const key = args.path.startsWith(".") ? path.relative(ROOT, path.join(args.resolveDir, args.path)).split(path.sep).join("/") : args.path;
      const target = targets.get(key);
      if (target) return { path: key, namespace: "separate-bundle", pluginData: target };
      if (/^@aws-sdk\/client-/.test(args.path)) return { errors: [{ text: `${args.path} is not in src/aws-sdk.ts: add it there and to SEPARATE_BUNDLES` }] };
      return undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "separate-bundle" }, ({ pluginData: { file, property } }) => ({
      contents: `module.exports = require("./${file}")${property ? "." + property : ""};`,
      loader: "js",
      resolveDir: DIST,
    }));
    build.onResolve({ filter: /^\.\/[a-z-]+\.js$/, namespace: "separate-bundle" }, (args) => ({ path: args.path, external: true }));
  },
};

function entries(dir) {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(ROOT, dir, f));
}

/**
 * The notices of every package whose code is in a shipped bundle: each distinct licence text once,
 * after the packages (name, version, licence) it belongs to.
 */
function thirdPartyNotices(metafiles) {
  const packageDirs = new Set();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) packageDirs.add(match[1]);
    }
  }
  const packagesByText = new Map();
  for (const dir of packageDirs) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, "package.json"), "utf8"));
    const licenceFile = readdirSync(path.join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile ? readFileSync(path.join(ROOT, dir, licenceFile), "utf8").trim() : `${manifest.license} (the package ships no licence file)`;
    const names = packagesByText.get(text) ?? [];
    names.push(`${manifest.name} ${manifest.version} (${manifest.license})`);
    packagesByText.set(text, names);
  }
  const sections = [...packagesByText].map(([text, names]) => `${names.sort().join("\n")}\n\n${text}\n`).sort();
  const rule = "\n" + "-".repeat(78) + "\n\n";
  return "parapet bundles the following libraries. Their licences and notices follow.\n" + rule + sections.join(rule);
}

/** Everything the build reads: when none of it changed, neither would what it writes. */
function inputsHash() {
  const hash = createHash("sha256");
  const add = (rel) => {
    const full = path.join(ROOT, rel);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full, { withFileTypes: true, recursive: true }).sort((a, b) => a.parentPath.localeCompare(b.parentPath) || a.name.localeCompare(b.name))) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      hash.update(path.relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  };
  ["src", "scripts", "bench", "rules", "schemas"].forEach(add);
  for (const file of ["config.json", "package.json", "package-lock.json"]) hash.update(file).update("\0").update(readFileSync(path.join(ROOT, file)));
  return hash.digest("hex");
}

/**
 * Writes the shipped files into a fresh folder, then renames each into dist/ (a rename replaces a file
 * atomically): a CLI started meanwhile, by a test run in parallel, reads a whole old or a whole new
 * file, never a missing or half-written one.
 */
async function buildShipped(staging) {
  const shipped = await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(ROOT, "src/cli/main.ts")], outfile: path.join(staging, "parapet.js"), plugins: [separateBundles] }),
    ...SEPARATE_BUNDLES.map((b) =>
      esbuild.build({ ...common, entryPoints: [path.join(ROOT, b.entry)], outfile: path.join(staging, b.file), mainFields: b.mainFields ?? common.mainFields }),
    ),
  ]);
  writeFileSync(path.join(staging, "THIRD-PARTY-NOTICES.txt"), thirdPartyNotices(shipped.map((r) => r.metafile)));
}

async function main() {
  const started = Date.now();
  const quiet = process.argv.includes("--quiet");
  const hash = inputsHash();
  const hashFile = path.join(ROOT, "build", "inputs.sha256");
  // `--if-changed` (the test run's global setup): nothing to do when the sources are as last built.
  const unchanged = () => existsSync(hashFile) && readFileSync(hashFile, "utf8") === hash && existsSync(path.join(DIST, "parapet.js")) && existsSync(path.join(ROOT, "build/scripts"));
  if (process.argv.includes("--if-changed") && unchanged()) return;

  await Promise.all([
    // Development tools: each entry is its own bundle (bench/run.js spawns its siblings by file name).
    esbuild.build({ ...common, entryPoints: entries("scripts"), outdir: path.join(ROOT, "build/scripts"), packages: "external", legalComments: "none", minify: false }),
    esbuild.build({ ...common, entryPoints: entries("bench"), outdir: path.join(ROOT, "build/bench"), packages: "external", legalComments: "none", minify: false }),
  ]);
  mkdirSync(path.join(ROOT, "build"), { recursive: true });
  const staging = mkdtempSync(path.join(ROOT, "build", "dist-"));
  try {
    await buildShipped(staging);
    // The rule bundle is written by parapet's own loader, so a broken built-in rule fails the build
    // with the message the CLI would print.
    const rules = spawnSync(process.execPath, [path.join(ROOT, "build/scripts/bundleRules.js"), "--out", path.join(staging, "rules.bundle.json"), ...(quiet ? ["--quiet"] : [])], { stdio: "inherit" });
    if (rules.status !== 0) process.exit(rules.status ?? 1);
    mkdirSync(DIST, { recursive: true });
    const written = new Set(readdirSync(staging));
    for (const name of written) renameSync(path.join(staging, name), path.join(DIST, name));
    for (const name of readdirSync(DIST)) if (!written.has(name)) rmSync(path.join(DIST, name), { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  writeFileSync(hashFile, hash);
  if (!quiet) console.log(`built dist/ and build/ in ${Date.now() - started} ms`);
}

main().catch((err) => {
  // esbuild has printed the located errors already.
  if (!(err && Array.isArray(err.errors))) console.error(err);
  process.exit(1);
});
