/** The engine's public surface: load and compile rules once, evaluate subjects many times. */
export { loadRules, readRuleFile, findRuleFiles, RuleLoadError, type LoadedRules, type LoadedRuleFile, type LoadOptions } from "./loader";
export { RuleSet, compileRule, type CompiledRule, type EvaluationResult } from "./ruleset";
export { loadConfig, checkConfig, defaultConfiguration, configValue, type Config } from "./config";
export { buildRuleSchema } from "./ruleSchema";
export { OPERATORS } from "./operators/registry";
export * from "./model";
