import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { isObject } from "../util/objects";
import { UserError } from "../util/errors";

/** A repository's own configuration, found the way .cfnlintrc or .eslintrc are: in order of preference. */
export const CONFIG_FILE_NAMES = [".parapet.yaml", ".parapet.yml", ".parapet.json"] as const;

/**
 * The configuration file that applies in `start`: the nearest of CONFIG_FILE_NAMES in it or a parent
 * directory. The search ends at the repository's top level (a directory holding `.git`): a file above
 * a repository belongs to something else. Two names in one directory are a mistake (which one would
 * an edit go to?), not a choice to make silently.
 */
export function findConfigFile(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const present = CONFIG_FILE_NAMES.map((name) => path.join(dir, name)).filter((file) => existsSync(file));
    if (present.length > 1) throw new UserError(`${present.map((file) => path.basename(file)).join(" and ")} both in ${dir}: keep one`);
    if (present.length === 1) return present[0];
    if (existsSync(path.join(dir, ".git")) || path.dirname(dir) === dir) return undefined;
  }
}

/** A configuration file's object: YAML for `.yaml`/`.yml`, JSON otherwise. Not validated here. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read configuration ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    // YAML errors quote the offending line below the message: the first line says what and where.
    throw new UserError(`${file}: not valid ${yaml ? "YAML" : "JSON"} (${(err as Error).message.split("\n")[0]})`);
  }
  // A YAML file with every line commented out is an empty configuration, not a broken one.
  if (yaml && value == null) return {};
  if (!isObject(value)) throw new UserError(`${file}: configuration must be a ${yaml ? "YAML mapping" : "JSON object"}`);
  return value;
}
