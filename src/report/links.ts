import { packageInfo } from "../version";

/**
 * Where parapet's documentation lives online, defined once: SARIF's `informationUri` and every
 * built-in rule's `helpUri` are built from it. The repository comes from package.json
 * (`repository`, else `homepage`), so pointing the package elsewhere moves every link with it.
 */

/** Used when package.json names no GitHub repository (a vendored copy with its manifest trimmed). */
const FALLBACK_REPOSITORY_URL = "https://github.com/parapet-dev/parapet";

/**
 * The branch the documentation links read. A branch rather than the version's tag: an alert stays
 * open in code scanning across releases, and its link should show the rule as it is documented now.
 */
const DOCS_BRANCH = "main";

/**
 * `git+https://github.com/o/r.git`, `github:o/r`, `o/r`, `github.com/o/r`, `https://github.com/o/r#readme`
 * → `https://github.com/o/r`; undefined for anything that is not a GitHub repository.
 */
export function githubRepositoryUrl(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  const match =
    /^(?:git\+)?(?:https?:\/\/|ssh:\/\/git@|git:\/\/|git@)?(?:www\.)?github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?(?:[#?].*)?$/.exec(spec) ??
    /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(spec);
  return match ? `https://github.com/${match[1]}/${match[2]}` : undefined;
}

export const REPOSITORY_URL = githubRepositoryUrl(packageInfo.repository) ?? FALLBACK_REPOSITORY_URL;

/** The README, which is parapet's home page (SARIF `tool.driver.informationUri`). */
export const README_URL = `${REPOSITORY_URL}#readme`;

/** The anchor GitHub gives a markdown heading: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** A built-in rule's section of docs/rules.md, where `parapet rules docs` gives each rule a heading of its id. */
export function ruleDocumentationUrl(ruleId: string): string {
  return `${REPOSITORY_URL}/blob/${DOCS_BRANCH}/docs/rules.md#${headingAnchor(ruleId)}`;
}
