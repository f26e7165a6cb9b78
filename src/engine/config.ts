import path from "node:path";
import type { ErrorObject } from "ajv";
import type { Severity } from "./model";
import { deepMerge, isObject } from "../util/objects";
import { UserError } from "../util/errors";
import { readConfigFile } from "./configFile";
import { checkConfigResourceTypes, ruleIdReferences, type RuleIdReference } from "./configNames";
import configSchema from "../../schemas/config.schema.json";
import validateConfig from "./generated/configValidator";
import defaultConfig from "../../config.json";

export interface ExceptionEntry {
  rules?: string[];
  resources?: string[];
  accounts?: string[];
  actors?: string[];
  expires?: string;
  reason: string;
}

/** The validated configuration. Rules read parts of it through `$config` references. */
export interface Config {
  minSeverity: Severity;
  tagging: { required: unknown[]; byType?: Record<string, unknown[]>; resourceTypes?: string[] };
  network: { allowedPublicPorts: unknown[] };
  /** `timeZone: null`: business hours are not configured (the default), so nothing is outside them. */
  businessHours: { timeZone: string | null; days: string[]; start: string; end: string; holidays?: string[] };
  rules: { disabled: string[]; severity: Record<string, Severity> };
  exceptions: ExceptionEntry[];
  alerts: { topicArn: string | null; dryRun: boolean; consoleRegion: string };
  /** `parapet lint`: files not to lint, in .gitignore syntax, relative to the configuration file. */
  lint: { exclude: string[] };
  [section: string]: unknown;
}

/** The configuration bundled with parapet (`config.json`). */
export function defaultConfiguration(): Config {
  return structuredClone(defaultConfig) as unknown as Config;
}

/** Validates a configuration object; `where` names its origin in error messages. */
export function checkConfig(candidate: unknown, where: string): Config {
  if (!validateConfig(candidate)) {
    throw new UserError(`${where}: ${describeConfigError(validateConfig.errors?.[0])}`);
  }
  return candidate as unknown as Config;
}

function describeConfigError(error: ErrorObject | undefined): string {
  if (!error) return "invalid configuration";
  const at = error.instancePath ? error.instancePath.slice(1).replace(/\//g, ".") : "(top level)";
  if (error.keyword === "additionalProperties") {
    return `${at === "(top level)" ? "" : at + ": "}unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === "enum") {
    return `${at}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `${at}: ${error.message ?? "is invalid"}`;
}

/**
 * Loads configuration: the bundled defaults, merged with a user file (JSON, or YAML when it is named
 * `.yaml`/`.yml`; objects merge, lists replace),
 * then environment overrides, then validation of the result.
 *
 * Environment: PARAPET_CONFIG (file), PARAPET_CONFIG_JSON (inline, after the file), PARAPET_ALERT_TOPIC_ARN, PARAPET_MIN_SEVERITY, PARAPET_DRY_RUN,
 * PARAPET_TIME_ZONE — what a Lambda deployment sets.
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Config {
  let merged: unknown = defaultConfiguration();
  const references: RuleIdReference[] = [];
  const source = file ?? env.PARAPET_CONFIG;
  if (source) {
    const user = readConfigFile(source);
    checkPartial(user, source, references);
    merged = deepMerge(merged, user);
  }
  if (env.PARAPET_CONFIG_JSON) for (const part of inlineConfig(env.PARAPET_CONFIG_JSON, references)) merged = deepMerge(merged, part);
  merged = applyEnvironment(merged as Config, env);
  const config = checkConfig(merged, env.PARAPET_CONFIG_JSON ? "configuration (file and PARAPET_CONFIG_JSON)" : source ? path.basename(source) : "configuration");
  if (references.length) referencesByConfig.set(config, references);
  return config;
}

/** Rule ids the user's configuration names, kept until the rules are loaded and they can be checked. */
const referencesByConfig = new WeakMap<Config, readonly RuleIdReference[]>();

/** The rule ids a loaded configuration's files name, with where (none for defaults or a copy). */
export function configRuleIdReferences(config: Config): readonly RuleIdReference[] {
  return referencesByConfig.get(config) ?? [];
}

/**
 * PARAPET_CONFIG_JSON: configuration inline, for a Lambda function whose template builds it from
 * parameters — a partial configuration object, or a list of them merged in order (a template can
 * append the user's overrides to the part it generates without merging JSON itself).
 */
function inlineConfig(text: string, references: RuleIdReference[]): Record<string, unknown>[] {
  const where = "PARAPET_CONFIG_JSON";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const parts = Array.isArray(value) ? value : [value];
  return parts.map((part, i) => {
    const at = Array.isArray(value) ? `${where}[${i}]` : where;
    if (!isObject(part)) throw new UserError(`${at}: configuration must be a JSON object`);
    checkPartial(part, at, references);
    return part;
  });
}

/**
 * Unknown keys and resource types are reported against the user's own file, before merging hides
 * where they came from; rule ids are collected with their file, to be checked once rules are loaded.
 */
function checkPartial(user: Record<string, unknown>, source: string, references: RuleIdReference[]): void {
  const known = Object.keys((configSchema as { properties: object }).properties);
  for (const key of Object.keys(user)) {
    if (!known.includes(key)) throw new UserError(`${source}: unknown key "${key}" (known: ${known.filter((k) => k !== "$schema").join(", ")})`);
  }
  checkConfigResourceTypes(user, source);
  references.push(...ruleIdReferences(user, source));
}

function applyEnvironment(config: Config, env: NodeJS.ProcessEnv): Config {
  const out = structuredClone(config);
  if (env.PARAPET_ALERT_TOPIC_ARN) out.alerts = { ...out.alerts, topicArn: env.PARAPET_ALERT_TOPIC_ARN };
  if (env.PARAPET_DRY_RUN) out.alerts = { ...out.alerts, dryRun: env.PARAPET_DRY_RUN === "true" || env.PARAPET_DRY_RUN === "1" };
  if (env.PARAPET_MIN_SEVERITY) out.minSeverity = env.PARAPET_MIN_SEVERITY as Severity;
  if (env.PARAPET_TIME_ZONE) out.businessHours = { ...out.businessHours, timeZone: env.PARAPET_TIME_ZONE };
  return out;
}

/** Reads `a.b.c` from the configuration; undefined when any part is missing. */
export function configValue(config: Config, dotted: string): unknown {
  let value: unknown = config;
  for (const key of dotted.split(".")) {
    if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = value[key];
  }
  return value;
}
