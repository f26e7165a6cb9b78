import {
  cfnNagFails,
  cfnNagResults,
  cfnNagType,
  formatCfnNagJson,
  formatCfnNagText,
  toCfnNagView,
  type CfnNagViewOptions,
} from "../../src/report/cfnNag";
import type { Finding } from "../../src/engine/model";
import type { RuleMeta } from "../../src/report/types";
import { finding, report, suppressed } from "./sample";

const cfnNagOnly: CfnNagViewOptions = { showsUnmapped: () => false, ignoreFatal: false };

/** A W2 finding on security group `id` (medium: WARN), unless overridden. */
function onResource(id: string, line: number, overrides: Partial<Finding> & { file?: string } = {}): Finding {
  return finding({
    subject: { type: "AWS::EC2::SecurityGroup", id, source: "template" },
    line,
    column: 11,
    file: "stacks/web.yaml",
    severity: "medium",
    message: `${id} admits 0.0.0.0/0`,
    ...overrides,
  });
}

/** An F1 finding (high: FAIL) on volume `id`. */
const volume = (id: string, line: number): Finding =>
  onResource(id, line, {
    ruleId: "ebs-volume-encrypted",
    severity: "high",
    title: "EBS volume is encrypted",
    message: `EBS volume ${id} is not encrypted`,
    references: { cfnNag: ["F1"] },
    subject: { type: "AWS::EC2::Volume", id, source: "template" },
  });

const problem = (file: string, message: string): Finding =>
  finding({ file, line: 1, column: 1, ruleId: "template-invalid", severity: "high", title: "Template cannot be analysed", message, references: {}, subject: { type: "Parapet::Template::Problem", id: `${file}#1`, source: "template" } });

const RULE_METAS: RuleMeta[] = [
  { id: "ebs-volume-encrypted", title: "EBS volume is encrypted", severity: "high", description: "d", remediation: "r", references: { cfnNag: ["F1"] } },
  { id: "required-tags", title: "Required tags missing", severity: "medium", description: "d", remediation: "r", references: {} },
  { id: "template-invalid", title: "Template cannot be analysed", severity: "high", description: "d", remediation: "r", references: {} },
];

describe("cfn_nag view of a report", () => {
  it("maps critical and high to FAIL, medium and low (and info) to WARN", () => {
    expect((["critical", "high", "medium", "low", "info"] as const).map(cfnNagType)).toEqual(["FAIL", "FAIL", "WARN", "WARN", "WARN"]);
  });

  it("shows findings under their cfn_nag ids and template-invalid as FATAL, and leaves other rules out", () => {
    const untagged = onResource("Web", 3, { ruleId: "required-tags", references: {} });
    const view = toCfnNagView(
      report({ rules: RULE_METAS, findings: [onResource("Web", 3), untagged, problem("stacks/bad.yaml", "no Resources")] }),
      ["stacks/web.yaml", "stacks/bad.yaml"],
      cfnNagOnly,
    );
    expect(view.report.findings.map((f) => f.ruleId)).toEqual(["W2", "FATAL"]);
    expect(view.report.rules.map((r) => r.id)).toEqual(["F1", "FATAL"]);
    expect(view.report.filesScanned).toBe(2);

    const withParapet = toCfnNagView(report({ findings: [untagged] }), ["stacks/web.yaml"], { ...cfnNagOnly, showsUnmapped: (id) => id === "required-tags" });
    expect(withParapet.report.findings.map((f) => f.ruleId)).toEqual(["required-tags"]);
  });

  it("with ignoreFatal leaves out templates that cannot be analysed or read", () => {
    const view = toCfnNagView(
      report({ findings: [problem("stacks/bad.yaml", "no Resources")], errors: [{ file: "stacks/gone.yaml", message: "cannot read: EACCES" }] }),
      ["stacks/bad.yaml", "stacks/gone.yaml"],
      { ...cfnNagOnly, ignoreFatal: true },
    );
    expect(cfnNagResults(view).map((r) => r.file_results)).toEqual([
      { failure_count: 0, violations: [] },
      { failure_count: 0, violations: [] },
    ]);
  });

  it("relabels suppressed findings too (for --print-suppression and SARIF)", () => {
    const view = toCfnNagView(report({ suppressed: [suppressed(onResource("Lb", 9))] }), ["stacks/web.yaml"], cfnNagOnly);
    expect(view.report.suppressed.map((s) => [s.finding.ruleId, s.finding.subject.id, s.reason])).toEqual([["W2", "Lb", "public web server"]]);
  });
});

describe("cfn_nag json results", () => {
  const view = toCfnNagView(
    report({
      findings: [
        // Two findings on one group (two open inline rules) are one resource; resources go in line order.
        onResource("WebSg", 20),
        onResource("AdminSg", 4),
        onResource("WebSg", 20, { message: "WebSg admits ::/0", location: { file: "stacks/web.yaml", pointer: "/Resources/WebSg/Properties/SecurityGroupIngress/1", line: 20 } }),
        volume("Vol2", 40),
        volume("Vol1", 30),
        problem("stacks/broken.json", "not a CloudFormation template: no Resources"),
      ],
    }),
    ["stacks/web.yaml", "stacks/empty.yaml", "stacks/broken.json"],
    cfnNagOnly,
  );

  it("lists every template, with one violation per rule, FATAL first and F before W", () => {
    expect(JSON.parse(formatCfnNagJson(view))).toEqual([
      {
        filename: "stacks/web.yaml",
        file_results: {
          failure_count: 2,
          violations: [
            // One message per rule in cfn_nag; here each resource's finding, one line each, in resource order.
            { id: "F1", type: "FAIL", message: "EBS volume Vol1 is not encrypted\nEBS volume Vol2 is not encrypted", logical_resource_ids: ["Vol1", "Vol2"], line_numbers: [30, 40] },
            { id: "W2", type: "WARN", message: "AdminSg admits 0.0.0.0/0\nWebSg admits 0.0.0.0/0\nWebSg admits ::/0", logical_resource_ids: ["AdminSg", "WebSg"], line_numbers: [4, 20] },
          ],
        },
      },
      { filename: "stacks/empty.yaml", file_results: { failure_count: 0, violations: [] } },
      {
        filename: "stacks/broken.json",
        file_results: {
          failure_count: 1,
          violations: [{ id: "FATAL", type: "FAIL", message: "not a CloudFormation template: no Resources at line 1 column 1", logical_resource_ids: [], line_numbers: [] }],
        },
      },
    ]);
  });

  it("orders ids by letter, then number", () => {
    const ids = ["W9", "F1000", "W2", "F3", "W12"];
    const many = toCfnNagView(report({ findings: ids.map((id, i) => onResource(`R${i}`, i + 1, { references: { cfnNag: [id] } })) }), ["stacks/web.yaml"], cfnNagOnly);
    expect(cfnNagResults(many)[0]!.file_results.violations.map((v) => v.id)).toEqual(["F3", "F1000", "W2", "W9", "W12"]);
  });

  it("counts failures per resource, never warnings, whatever --fail-on-warnings says", () => {
    expect(cfnNagResults(view).map((r) => r.file_results.failure_count)).toEqual([2, 0, 1]);
    const warningsOnly = toCfnNagView(report({ findings: [onResource("WebSg", 20, { severity: "low" })] }), ["stacks/web.yaml"], cfnNagOnly);
    expect(cfnNagResults(warningsOnly)[0]!.file_results.violations.map((v) => v.type)).toEqual(["WARN"]);
    expect(cfnNagResults(warningsOnly)[0]!.file_results.failure_count).toBe(0);
    // --fail-on-warnings changes what fails the run (the exit code), as in cfn_nag, not the count.
    expect([cfnNagFails(warningsOnly, false), cfnNagFails(warningsOnly, true)]).toEqual([false, true]);
    expect(cfnNagFails(view, false)).toBe(true);
    expect(cfnNagFails(toCfnNagView(report(), ["stacks/web.yaml"], cfnNagOnly), true)).toBe(false);
  });

  it("reports an unreadable file as FATAL", () => {
    const unreadable = toCfnNagView(report({ errors: [{ file: "stacks/secret.yaml", message: "cannot read: EACCES" }] }), ["stacks/secret.yaml"], cfnNagOnly);
    expect(cfnNagResults(unreadable)[0]!.file_results).toEqual({
      failure_count: 1,
      violations: [{ id: "FATAL", type: "FAIL", message: "cannot read: EACCES", logical_resource_ids: [], line_numbers: [] }],
    });
  });
});

describe("cfn_nag txt results", () => {
  const dashes = "-".repeat(60);
  const view = toCfnNagView(
    report({
      findings: [
        volume("NewVolume2", 14),
        volume("NewVolume1", 4),
        onResource("WebSg", 20),
        problem("stacks/broken.json", "not a CloudFormation template: no Resources"),
      ],
    }),
    ["stacks/web.yaml", "stacks/empty.yaml", "stacks/broken.json"],
    cfnNagOnly,
  );

  it("is cfn_nag's layout, line for line", () => {
    expect(formatCfnNagText(view)).toBe(
      [
        dashes,
        "stacks/web.yaml",
        `${dashes}${dashes}`,
        "| FAIL F1",
        "|",
        '| Resources: ["NewVolume1", "NewVolume2"]',
        "| Line Numbers: [4, 14]",
        "|",
        "| EBS volume NewVolume1 is not encrypted",
        "| EBS volume NewVolume2 is not encrypted",
        dashes,
        "| WARN W2",
        "|",
        '| Resources: ["WebSg"]',
        "| Line Numbers: [20]",
        "|",
        "| WebSg admits 0.0.0.0/0",
        "",
        "Failures count: 2",
        "Warnings count: 1",
        dashes,
        "stacks/empty.yaml",
        dashes,
        "Failures count: 0",
        "Warnings count: 0",
        dashes,
        "stacks/broken.json",
        `${dashes}${dashes}`,
        "| FAIL FATAL",
        "|",
        "| not a CloudFormation template: no Resources at line 1 column 1",
        "",
        "Failures count: 1",
        "Warnings count: 0",
        "",
      ].join("\n"),
    );
  });

  it("colours FAIL red and WARN yellow only when asked (colortxt)", () => {
    const coloured = formatCfnNagText(view, { color: true });
    expect(coloured).toContain("\u001b[0;31;49m| FAIL F1\u001b[0m");
    expect(coloured).toContain("\u001b[0;33;49m| WARN W2\u001b[0m");
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).toBe(formatCfnNagText(view));
    expect(formatCfnNagText(view)).not.toContain("\u001b");
  });
});
