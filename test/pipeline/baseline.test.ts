import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyBaseline, readBaseline, writeBaseline } from "../../src/pipeline/baseline";
import { UserError } from "../../src/util/errors";
import { finding } from "../report/sample";

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "parapet-baseline-"));
  mkdirSync(join(tmp, "repo/.parapet"), { recursive: true });
  mkdirSync(join(tmp, "repo/infra"), { recursive: true });
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe("baseline", () => {
  it("records its root relative to itself and matches from any directory", () => {
    const repo = join(tmp, "repo");
    const file = join(repo, ".parapet/baseline.json");
    // Written from the repository root, where the finding's path is infra/web.yaml...
    writeBaseline(file, [finding({ file: "infra/web.yaml" })], { dir: repo, cwd: repo });
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written).toMatchObject({ version: 2, root: "..", findings: [{ file: "infra/web.yaml", ruleId: "sg-ingress-open-to-world", resource: "WebSg" }] });
    // ...read from infra/, where the same file is web.yaml, and with the baseline named relatively.
    const fromInfra = readBaseline("../.parapet/baseline.json", join(repo, "infra"));
    expect(fromInfra.outdated).toBeUndefined();
    expect(fromInfra.has(finding({ file: "web.yaml" }))).toBe(true);
    expect(fromInfra.has(finding({ file: join(repo, "infra/web.yaml"), line: 99 }))).toBe(true);
    expect(fromInfra.has(finding({ file: "other.yaml" }))).toBe(false);
    expect(fromInfra.has(finding({ file: "web.yaml", message: "Security group ingress allows 0.0.0.0/0 on port 3389" }))).toBe(false);
  });

  it("still matches in a checkout somewhere else", () => {
    const repo = join(tmp, "repo");
    writeBaseline(join(repo, ".parapet/baseline.json"), [finding({ file: "infra/web.yaml" })], { dir: repo, cwd: repo });
    cpSync(repo, join(tmp, "moved/checkout"), { recursive: true });
    const moved = join(tmp, "moved/checkout");
    expect(readBaseline(join(moved, ".parapet/baseline.json"), moved).has(finding({ file: "infra/web.yaml" }))).toBe(true);
  });

  it("moves recorded findings to suppressed, naming the baseline", () => {
    const repo = join(tmp, "repo");
    const file = join(repo, "baseline.json");
    writeBaseline(file, [finding()], { dir: repo, cwd: repo });
    const { findings, suppressed } = applyBaseline([finding(), finding({ ruleId: "new-rule" })], readBaseline(file, repo));
    expect(findings.map((f) => f.ruleId)).toEqual(["new-rule"]);
    expect(suppressed).toEqual([{ finding: finding(), reason: "present in baseline", origin: "baseline", by: `baseline ${file}` }]);
  });

  it("reads a version 1 baseline the way it was written, and says to write it again", () => {
    const repo = join(tmp, "repo");
    // Version 1: sha256 of rule, file (as given, here relative to where parapet ran), type, id, pointer, message.
    const f = finding({ file: "infra/web.yaml" });
    const v1 = createHash("sha256")
      .update([f.ruleId, "infra/web.yaml", f.subject.type, f.subject.id, f.location.pointer, f.message].join("\0"))
      .digest("hex")
      .slice(0, 32);
    const file = join(repo, "old-baseline.json");
    writeFileSync(file, JSON.stringify({ version: 1, findings: [{ fingerprint: v1, ruleId: f.ruleId, file: "infra/web.yaml", resource: "WebSg" }] }));
    const old = readBaseline(file, repo);
    expect(old.has(f)).toBe(true);
    expect(old.outdated).toMatch(/version 1 baseline.*write it again with --write-baseline/);
  });

  it("refuses what is not a baseline, in one line", () => {
    const file = join(tmp, "x.json");
    for (const content of ['{"version": 3, "root": ".", "findings": []}', '{"version": 2, "findings": []}', "[]", "not json"]) {
      writeFileSync(file, content);
      expect(() => readBaseline(file)).toThrow(UserError);
    }
    expect(() => readBaseline(join(tmp, "missing.json"))).toThrow(/cannot read baseline .*ENOENT/);
  });
});
