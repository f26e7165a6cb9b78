import type { Finding, RuleReferences, Severity, Suppressed } from "../engine/model";
import type { SourceRoot } from "./sourceRoot";

export interface ToolInfo {
  name: string;
  version: string;
  /** Home page of the tool, shown by SARIF viewers. */
  informationUri?: string;
}

/** An input that could not be processed (unparsable template, unreadable file, ...). */
export interface InputError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** What a report needs to know about a rule; the engine's compiled rules map onto this. */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  references: RuleReferences;
  /** Page documenting the rule (SARIF `helpUri`). */
  helpUri?: string;
  /** Extra classification tags (domain, framework), added to SARIF `properties.tags`. */
  tags?: string[];
}

/** Everything a formatter renders. Formatters are pure functions of this value. */
export interface Report {
  tool: ToolInfo;
  findings: Finding[];
  suppressed: Suppressed[];
  errors: InputError[];
  rules: RuleMeta[];
  /** Inputs evaluated: files, or what `inputs.kind` names. */
  filesScanned: number;
  /**
   * Set by a command that tells its inputs apart by content (lint: CloudFormation templates among the
   * YAML and JSON files it finds): `filesScanned` counts that kind, `skipped` the files that were not.
   */
  inputs?: { kind: InputKind; skipped: number };
}

/** The noun a report counts its inputs in. */
export type InputKind = "template";

export interface FormatOptions {
  /** ANSI colour in `text` output; the CLI passes `process.stdout.isTTY`. Ignored by other formats. */
  color?: boolean;
  /**
   * What `sarif` and `github` name files relative to (the repository root) and what fingerprints are
   * computed against. Without it, paths are reported as the findings carry them.
   */
  sourceRoot?: SourceRoot;
  /** `sarif`: describe every rule that ran in `tool.driver.rules`, not only the rules with results. */
  allRules?: boolean;
}

export type Formatter = (report: Report, options?: FormatOptions) => string;
