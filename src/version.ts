import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./paths";

/** What package.json says about parapet: its version and where it lives (set once there). */
export interface PackageInfo {
  version: string;
  /** package.json's `repository` (its URL), else its `homepage`: where report links point (src/report/links.ts). */
  repository: string;
  /** Where users report bugs. */
  issues: string;
}

export const packageInfo: PackageInfo = (() => {
  try {
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as {
      version: string;
      homepage?: string;
      repository?: string | { url?: string };
      bugs?: { url?: string };
    };
    const repository = typeof manifest.repository === "string" ? manifest.repository : manifest.repository?.url;
    return { version: manifest.version, repository: repository ?? manifest.homepage ?? "", issues: manifest.bugs?.url ?? "" };
  } catch {
    return { version: "0.0.0", repository: "", issues: "" };
  }
})();

export const version: string = packageInfo.version;
