/**
 * Whether a YAML or JSON file is a CloudFormation template, decided from its text alone: a
 * repository holds many other YAML and JSON files (package.json, lock files, buildspecs, CDK asset
 * manifests, docker-compose files, Lambda test events) and `lint` must skip them without parsing
 * them — a 5 MB package-lock.json costs a few string searches, not a parse.
 *
 * A template is a document with a top-level `Resources` or `AWSTemplateFormatVersion` key (a SAM or
 * other `Transform` still needs `Resources`). The keys are found where only a top-level key can be:
 * at column 0 in YAML, at nesting depth 1 in JSON. Nothing is parsed, so a template that does not
 * parse is still recognised and reported as invalid, and a file that mentions `Resources` deeper
 * down (an IAM policy, a CDK tree.json) is not mistaken for one.
 */

export const TEMPLATE_KEYS = ["Resources", "AWSTemplateFormatVersion"] as const;

/** Why a file is not a template, for the note on a file the user named. */
export const NOT_A_TEMPLATE = "not a CloudFormation template (no top-level Resources or AWSTemplateFormatVersion)";

export function looksLikeTemplate(text: string): boolean {
  // The cheap test first: most files never mention either key.
  if (!TEMPLATE_KEYS.some((key) => text.includes(key))) return false;
  // The same test parse.ts uses to read a document as JSON (cfn_nag's rule).
  return text.trimStart().startsWith("{") ? hasTopLevelJsonKey(text) : hasTopLevelYamlKey(text);
}

/**
 * A root mapping key starts a line at column 0 (after a byte-order mark on the first line), plain or
 * quoted, and is followed by `:` and a space or the end of the line.
 */
const TOP_LEVEL_YAML_KEY = /^\uFEFF?(["']?)(?:Resources|AWSTemplateFormatVersion)\1[ \t]*:(?:[ \t]|$)/m;

function hasTopLevelYamlKey(text: string): boolean {
  return TOP_LEVEL_YAML_KEY.test(text);
}

/**
 * Looks at each quoted occurrence of a key followed by `:` and counts the brackets before it outside
 * strings: depth 1 is a key of the root object. The count stops at the first top-level hit, so it
 * tolerates a document that is broken further on.
 */
function hasTopLevelJsonKey(text: string): boolean {
  const offsets: number[] = [];
  for (const key of TEMPLATE_KEYS) {
    const quoted = `"${key}"`;
    for (let at = text.indexOf(quoted); at !== -1; at = text.indexOf(quoted, at + quoted.length)) {
      if (/^\s*:/.test(text.slice(at + quoted.length, at + quoted.length + 64))) offsets.push(at);
    }
  }
  if (offsets.length === 0) return false;
  offsets.sort((a, b) => a - b);
  return jsonDepths(text, offsets).some((depth) => depth === 1);
}

/** The bracket depth at each offset (ascending), in one pass that skips string contents. */
function jsonDepths(text: string, offsets: readonly number[]): number[] {
  const depths: number[] = [];
  let depth = 0;
  let next = 0;
  let i = 0;
  while (next < offsets.length) {
    const target = offsets[next]!;
    if (i === target) {
      depths.push(depth);
      next += 1;
      continue;
    }
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // Skip the string; an offset inside it (a key quoted within a value) is not a key.
      i += 1;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i += 1;
      while (next < offsets.length && offsets[next]! < i) {
        depths.push(-1);
        next += 1;
      }
      continue;
    }
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) depth += 1;
    else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth -= 1;
    i += 1;
  }
  return depths;
}
