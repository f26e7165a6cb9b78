import path from "node:path";
import { loadConfig, type Config } from "../engine/config";
import { findConfigFile } from "../engine/configFile";

/**
 * The configuration a command runs with, and the file it came from: `--config`, else
 * PARAPET_CONFIG, else the repository's own `.parapet.yaml` (`.yml`, `.json`) found by walking up
 * from the current directory. Paths in the file (lint excludes) are relative to its directory.
 */
export function loadCommandConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): { config: Config; file?: string } {
  const found = (explicit ?? env.PARAPET_CONFIG) ? undefined : findConfigFile(cwd);
  // Messages name a discovered file as the user would: `.parapet.yaml`, `../.parapet.yaml`.
  const file = explicit ?? env.PARAPET_CONFIG ?? (found && path.relative(cwd, found));
  return { config: loadConfig(file, env), file };
}
