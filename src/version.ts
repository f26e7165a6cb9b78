import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./paths";

/** What package.json says about parapet: its version and where it lives (set once there). */
export interface PackageInfo {
  version: string;
  /** The repository's README: SARIF `informationUri`, links to rule documentation. */
  homepage: string;
  /** Where users report bugs. */
  issues: string;
}

export const packageInfo: PackageInfo = (() => {
  try {
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string; homepage?: string; bugs?: { url?: string } };
    return { version: manifest.version, homepage: manifest.homepage ?? "", issues: manifest.bugs?.url ?? "" };
  } catch {
    return { version: "0.0.0", homepage: "", issues: "" };
  }
})();

export const version: string = packageInfo.version;
