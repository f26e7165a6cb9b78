import path from "node:path";
import { loadConfig, type Config } from "../../src/engine/config";
import { PACKAGE_ROOT } from "../../src/paths";

/**
 * The sample team's policy (samples/parapet.yaml: owner and environment tags, London business hours).
 * parapet's own defaults require no tags and know no business hours, so tests of the tagging and
 * off-hours alerts run with this policy, as `npm start` does.
 */
export const SAMPLE_POLICY_FILE = path.join(PACKAGE_ROOT, "samples", "parapet.yaml");

export function samplePolicy(): Config {
  return loadConfig(SAMPLE_POLICY_FILE, {});
}
