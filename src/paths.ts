import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The package root, found by walking up from this module: the same code runs from `src/` under
 * jest, from `dist/` in the CLI bundle and from `build/` in development tools, so fixed `../..` offsets would be wrong in one of them.
 */
function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "parapet") return dir;
      } catch {
        // keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
export const BUILTIN_RULES_DIR = path.join(PACKAGE_ROOT, "rules");
export const BUILTIN_RULES_BUNDLE = path.join(PACKAGE_ROOT, "dist", "rules.bundle.json");
export const SAMPLES_DIR = path.join(PACKAGE_ROOT, "samples");

/**
 * A file of parapet's `data/` folder: beside the bundled handler in a Lambda package (where
 * `__dirname` is the zip's root), else at the package root (the CLI's bundle, the sources under jest).
 */
export function dataFile(name: string): string {
  const besideBundle = path.join(__dirname, "data", name);
  return existsSync(besideBundle) ? besideBundle : path.join(PACKAGE_ROOT, "data", name);
}
