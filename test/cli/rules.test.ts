import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatRuleDocs } from "../../src/cli/commands/rules";
import { loadRules } from "../../src/engine/loader";
import { defaultConfiguration } from "../../src/engine/config";
import { PACKAGE_ROOT } from "../../src/paths";
import { runCli } from "../helpers/cli";

const run = (...args: string[]) => runCli(args);

const rule = (id: string, failValue: string) =>
  `id: ${id}\ntitle: Queue keeps messages too briefly\nseverity: low\ndescription: Messages expire before consumers recover from an outage.\nremediation: Keep messages for at least a day.\ntypes: [AWS::SQS::Queue]\nmatch: { path: properties.MessageRetentionPeriod, op: lt, value: 86400 }\nmessage: "{{id}} keeps messages {{properties.MessageRetentionPeriod}} s"\ntests:\n  pass: [{ subject: { properties: { MessageRetentionPeriod: 86400 } } }]\n  fail: [{ name: one minute, subject: { properties: { MessageRetentionPeriod: ${failValue} } } }]\n`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "parapet-rules-cli-"));
  mkdirSync(join(dir, "good/queues"), { recursive: true });
  writeFileSync(join(dir, "good/queues/queue-retention-short.yaml"), rule("queue-retention-short", "60"));
  mkdirSync(join(dir, "failing/queues"), { recursive: true });
  writeFileSync(join(dir, "failing/queues/queue-retention-wrong.yaml"), rule("queue-retention-wrong", "864000"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parapet rules", () => {
  it("list prints a table, JSON and markdown", async () => {
    const table = await run("rules", "list");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^sg-internet-ingress-port-not-allowed +high +Security group ingress/m);
    const json = JSON.parse((await run("rules", "list", "--format", "json")).stdout);
    expect(json.find((r: { id: string }) => r.id === "ebs-volume-encrypted").references.cfnNag).toEqual(["F1"]);
    expect((await run("rules", "list", "-f", "markdown")).stdout).toMatch(/^\| `required-tags` \| medium \|/m);
    const custom = JSON.parse((await run("rules", "list", "-f", "json", "--rules", join(dir, "good"))).stdout);
    expect(custom.map((r: { id: string }) => r.id)).toContain("queue-retention-short");
  });

  it("test runs a directory's cases and exits 0 when they pass", async () => {
    const r = await run("rules", "test", join(dir, "good"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok   queue-retention-short fail: one minute");
    expect(r.stdout).toContain("2 passed, 0 failed (2 cases in 1 rule)");
  });

  it("test names the failing case and why, and exits 1", async () => {
    const r = await run("rules", "test", join(dir, "failing"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL queue-retention-wrong fail: one minute");
    expect(r.stdout).toContain("expected a finding, got none");
  });

  it("bad rule files and bad arguments exit 2 with one line each", async () => {
    writeFileSync(join(dir, "bad.yaml"), "id: bad\n");
    const bad = await run("rules", "test", join(dir, "bad.yaml"));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/bad\.yaml:1:1: .*missing required key "title"/);
    expect((await run("rules", "list", "--format", "xml")).code).toBe(2);
    expect((await run("rules", "frobnicate")).code).toBe(2);
  });

  it("docs/rules.md is generated from the rules (npm run docs) and in step with them", () => {
    const { files } = loadRules({ config: defaultConfiguration() });
    const committed = readFileSync(join(PACKAGE_ROOT, "docs/rules.md"), "utf8");
    expect(committed.trimEnd()).toBe(formatRuleDocs(files).trimEnd());
  });
});
