import { readdirSync, readFileSync, statSync } from "node:fs";
import type { RuleSet } from "../engine/ruleset";
import type { Finding, Location, Suppressed } from "../engine/model";
import { fromPointer, toPointer } from "../parse/pointer";
import type { Position } from "../parse/document";
import { parseTemplateText, type ConditionValues, type ParameterValues } from "../sources/template";
import type { InputError, Report } from "../report/types";
import { UserError } from "../util/errors";
import { lintTemplateText } from "./lint";
import { buildReport } from "./report";
import { isFile } from "../util/fs";

/**
 * `parapet cfn-nag-scan`: templates found and located the way `cfn_nag_scan` finds and locates them,
 * each linted by the same `lintTemplateText` as `parapet lint`.
 */

/** cfn_nag's default `--template-pattern` (a regular expression matched against each path). */
export const CFN_NAG_TEMPLATE_PATTERN = String.raw`..*\.json$|..*\.yaml$|..*\.yml$|..*\.template$`;

/**
 * cfn_nag's template discovery: a file is scanned whatever its name; a directory is searched
 * recursively (hidden entries and symlinked directories left out, as Ruby's `Dir["dir/**\/**"]` does)
 * for files whose path — the directory as given, `/`, the path below it — matches `pattern`.
 * Nothing is judged by content: a matching file that is not a template is reported FATAL, as in cfn_nag.
 */
export function discoverTemplates(inputPath: string, pattern: RegExp): string[] {
  let stat;
  try {
    stat = statSync(inputPath);
  } catch {
    throw new UserError(`--input-path ${inputPath}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [inputPath];
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new UserError(`${prefix}: cannot read directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith(".")) continue;
      const shown = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(shown, shown);
      else if ((entry.isFile() || (entry.isSymbolicLink() && isFile(shown))) && pattern.test(shown)) found.push(shown);
    }
  };
  // File.join drops the trailing slash of `templates/`; the names reported start as the user wrote the path.
  const root = inputPath.length > 1 ? inputPath.replace(/\/+$/, "") : inputPath;
  walk(root, root === "/" ? "" : root);
  return found;
}


export interface CfnNagScanOptions {
  ruleSet: RuleSet;
  parameterValues?: ParameterValues;
  conditionValues?: ConditionValues;
  /** `--allow-suppression` (cfn_nag's default): honour `Metadata` suppressions. Off, they suppress nothing. */
  allowSuppression: boolean;
  /** Told about each template once it is scanned, with its findings where parapet found them (`--debug`). */
  onTemplate?: (template: string, outcome: { findings: readonly Finding[]; millis: number }) => void;
}

/**
 * Lints each template and returns parapet's report, with every finding located where cfn_nag puts
 * it: at the `Type` line of the resource it names (a finding on an inline security-group rule or a
 * policy statement is reported at its resource). A file that cannot be read is an input error.
 */
export function cfnNagScan(templates: readonly string[], options: CfnNagScanOptions): Report {
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const errors: InputError[] = [];
  for (const template of templates) {
    const started = Date.now();
    let text: string;
    try {
      text = readFileSync(template, "utf8");
    } catch (err) {
      errors.push({ file: template, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    const result = lintTemplateText(template, text, options);
    let found = result.findings;
    let kept = result.suppressed;
    if (!options.allowSuppression) {
      found = [...found, ...kept.filter(byMetadata).map((s) => s.finding)];
      kept = kept.filter((s) => !byMetadata(s));
    }
    const locate = resourceLocator(template, text, [...found, ...kept.map((s) => s.finding)]);
    findings.push(...found.map(locate));
    suppressed.push(...kept.map((s) => ({ ...s, finding: locate(s.finding) })));
    options.onTemplate?.(template, { findings: found, millis: Date.now() - started });
  }
  return buildReport(options.ruleSet, { findings, suppressed, errors, filesScanned: templates.length });
}

/** A suppression written in the template, rather than a configuration exception. */
function byMetadata(entry: Suppressed): boolean {
  return entry.origin === "template";
}

/**
 * Moves each finding to the `Type` line of its resource. Findings on a resource itself are there
 * already; the template is parsed a second time only when some finding is not (an inline rule, a
 * statement, a SAM-generated resource, a standalone ingress reported on its group).
 */
function resourceLocator(file: string, text: string, findings: readonly Finding[]): (finding: Finding) => Finding {
  const atOwnType = (f: Finding) => f.subject.source !== "template" || f.location.pointer === "" || f.location.pointer === toPointer(["Resources", f.subject.id]);
  if (findings.every(atOwnType)) return (f) => f;
  const parsed = parseTemplateText(text, file);
  const typePositions = new Map<string, Position>(parsed.ok ? parsed.template.resources.map((r) => [r.logicalId, r.position]) : []);
  return (f) => {
    if (atOwnType(f)) return f;
    // The subject's own resource, else (a SAM-generated role) the resource the finding points into.
    const position = typePositions.get(f.subject.id) ?? typePositions.get(resourceInPointer(f.location.pointer) ?? "");
    if (!position) return f;
    const location: Location = { file: f.location.file, pointer: f.location.pointer, line: position.line, column: position.column };
    return { ...f, location };
  };
}

function resourceInPointer(pointer: string): string | undefined {
  const [section, logicalId] = fromPointer(pointer);
  return section === "Resources" ? logicalId : undefined;
}
