/**
 * parapet's own deployment templates: structurally sound in every deployment the parameters allow
 * (each Ref / GetAtt / Sub variable / DependsOn / Condition names something that exists in that
 * deployment), the handlers they name are the ones `npm run package` exports, and `parapet lint`
 * reports nothing but the suppressions accepted below.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { defaultConfiguration, loadConfig } from "../../src/engine/config";
import { loadRules } from "../../src/engine/loader";
import { lintPaths } from "../../src/pipeline/lint";
import { PACKAGE_ROOT } from "../../src/paths";
import { loadTemplateSubjects, parseTemplateText } from "../../src/sources/template";
import { isObject, type JsonObject } from "../../src/util/objects";
import { LAMBDA_PACKAGES } from "../../scripts/package";

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, "templates");
const templateFiles = readdirSync(TEMPLATES_DIR).filter((f) => /\.ya?ml$/.test(f));
const PSEUDO = new Set(["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"]);

/** Suppressions each template is allowed to carry: rule id → resources. Anything else is a finding to fix. */
const ACCEPTED_SUPPRESSIONS: Record<string, string[]> = {
  "lambda-function-in-vpc": ["CloudTrailFunction", "FlowLogsFunction"],
  "iam-role-inline-policy-wildcard-resource": ["FlowLogsRole"],
};

function parse(file: string): JsonObject {
  const parsed = parseTemplateText(readFileSync(file, "utf8"), file);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("; "));
  return parsed.template.root;
}

type Params = Record<string, string>;

/** CloudFormation's condition functions over concrete parameter values. */
function evalCondition(node: unknown, t: JsonObject, params: Params): boolean {
  if (!isObject(node)) throw new Error(`not a condition: ${JSON.stringify(node)}`);
  const [fn, arg] = Object.entries(node)[0]!;
  const list = arg as unknown[];
  switch (fn) {
    case "Condition":
      return evalCondition((t.Conditions as JsonObject)[arg as string], t, params);
    case "Fn::Not":
      return !evalCondition(list[0], t, params);
    case "Fn::And":
      return list.every((c) => evalCondition(c, t, params));
    case "Fn::Or":
      return list.some((c) => evalCondition(c, t, params));
    case "Fn::Equals":
      return value(list[0], params) === value(list[1], params);
    default:
      throw new Error(`unsupported condition function ${fn}`);
  }
}

function value(node: unknown, params: Params): unknown {
  if (isObject(node) && typeof node.Ref === "string") return params[node.Ref];
  return node;
}

/** Parameter values of a deployment: defaults, then the scenario's values. */
function scenario(t: JsonObject, values: Params): Params {
  const out: Params = {};
  for (const [name, p] of Object.entries(t.Parameters as JsonObject)) {
    const def = (p as JsonObject).Default;
    if (def !== undefined) out[name] = String(def);
  }
  return { ...out, ...values };
}

/** Every problem with names in the resources and outputs that exist under these parameter values. */
function referenceProblems(t: JsonObject, params: Params): string[] {
  const conditions = (t.Conditions ?? {}) as JsonObject;
  const active = new Map<string, boolean>();
  const resources = t.Resources as JsonObject;
  const holds = (name: string) => {
    if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
    return evalCondition(conditions[name], t, params);
  };
  for (const [id, r] of Object.entries(resources)) {
    const cond = (r as JsonObject).Condition;
    active.set(id, cond === undefined || holds(cond as string));
  }
  const problems: string[] = [];
  const declared = (name: string) => PSEUDO.has(name) || name in (t.Parameters as JsonObject) || active.get(name) === true;

  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = node[fn];
      if (fn === "Ref" && typeof arg === "string") {
        if (!declared(arg)) problems.push(`${where}: Ref ${arg} does not exist in this deployment`);
        return;
      }
      if (fn === "Fn::GetAtt") {
        const target = Array.isArray(arg) ? String(arg[0]) : String(arg).split(".")[0]!;
        if (active.get(target) !== true) problems.push(`${where}: GetAtt ${target} does not exist in this deployment`);
        return;
      }
      if (fn === "Fn::If" && Array.isArray(arg)) {
        // Only the branch CloudFormation takes must resolve.
        const [name, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return walk(holds(name) ? whenTrue : whenFalse, `${where}/Fn::If`);
      }
      if (fn === "Fn::Sub") {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, JsonObject?]) : [arg as string, undefined];
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1]!;
          if (vars && name in vars) continue;
          const base = name.includes(".") ? name.split(".")[0]! : name;
          if (name.includes(".") ? active.get(base) !== true : !declared(name)) problems.push(`${where}: \${${name}} in Sub does not exist in this deployment`);
        }
        if (vars) walk(vars, `${where}/Fn::Sub`);
        return;
      }
      if (fn === "Condition" && typeof arg === "string") {
        if (!(arg in conditions)) problems.push(`${where}: unknown condition ${arg}`);
        return;
      }
    }
    for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
  };

  for (const [id, r] of Object.entries(resources)) {
    if (!active.get(id)) continue;
    const resource = r as JsonObject;
    walk(resource.Properties, `Resources/${id}`);
    const dependsOn = resource.DependsOn === undefined ? [] : ([] as unknown[]).concat(resource.DependsOn);
    for (const d of dependsOn) if (active.get(String(d)) !== true) problems.push(`Resources/${id}: DependsOn ${String(d)} does not exist in this deployment`);
  }
  for (const [id, o] of Object.entries((t.Outputs ?? {}) as JsonObject)) {
    const output = o as JsonObject;
    if (output.Condition !== undefined && !holds(output.Condition as string)) continue;
    walk(output.Value, `Outputs/${id}`);
  }
  return problems;
}

const SCENARIOS: Record<string, Params> = {
  "defaults (CloudTrail only)": {},
  "organization trail, SSE-KMS, OpsGenie": {
    OrganizationId: "o-abcdefghij",
    TrailKmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    OpsGenieEndpoint: "https://api.opsgenie.com/v1/json/amazonsns?apiKey=x",
  },
  "flow logs from Kinesis with a stream key": {
    FlowLogSource: "kinesis",
    FlowLogStreamArn: "arn:aws:kinesis:eu-west-1:111122223333:stream/flows",
    FlowLogStreamKmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  },
  "flow logs from a CloudWatch Logs subscription": { FlowLogSource: "cloudwatch", FlowLogGroupName: "/vpc/flow-logs" },
};

describe("the reference check itself", () => {
  const broken = parse(path.join(TEMPLATES_DIR, "parapet.yaml"));
  const resources = broken.Resources as JsonObject;
  // An unconditional output pointing at a conditional function, a typo in a Sub and a missing GetAtt target.
  (broken.Outputs as JsonObject).Broken = { Value: { "Fn::GetAtt": ["FlowLogsFunction", "Arn"] } };
  resources.Typo = { Type: "AWS::SNS::Topic", Properties: { DisplayName: { "Fn::Sub": "${AWS::StackName}-${MinSeverty}" }, KmsMasterKeyId: { "Fn::GetAtt": ["NoSuchKey", "Arn"] } } };

  it("finds what a deployment could not resolve", () => {
    expect(referenceProblems(broken, scenario(broken, {}))).toEqual([
      "Resources/Typo/DisplayName: ${MinSeverty} in Sub does not exist in this deployment",
      "Resources/Typo/KmsMasterKeyId: GetAtt NoSuchKey does not exist in this deployment",
      "Outputs/Broken: GetAtt FlowLogsFunction does not exist in this deployment",
    ]);
    expect(referenceProblems(broken, scenario(broken, SCENARIOS["flow logs from a CloudWatch Logs subscription"]!))).toHaveLength(2);
  });
});

describe.each(templateFiles)("templates/%s", (name) => {
  const file = path.join(TEMPLATES_DIR, name);
  const template = parse(file);

  it("parses with the template adapter without errors", () => {
    const { subjects, errors } = loadTemplateSubjects(file, readFileSync(file, "utf8"));
    expect(errors).toEqual([]);
    expect(subjects.length).toBeGreaterThan(10);
  });

  it.each(Object.keys(SCENARIOS))("every reference resolves: %s", (label) => {
    const params = scenario(template, SCENARIOS[label]!);
    expect(referenceProblems(template, params)).toEqual([]);
  });

  it("declares every condition it uses and uses every parameter it declares", () => {
    const text = JSON.stringify(template.Resources) + JSON.stringify(template.Outputs) + JSON.stringify(template.Conditions);
    const unused = Object.keys(template.Parameters as JsonObject).filter((p) => !text.includes(`"Ref":"${p}"`) && !text.includes(`\${${p}}`));
    expect(unused).toEqual([]);
    for (const [id, r] of Object.entries(template.Resources as JsonObject)) {
      const cond = (r as JsonObject).Condition;
      if (cond !== undefined) expect([id, String(cond) in (template.Conditions as JsonObject)]).toEqual([id, true]);
    }
  });

  it("names handlers that the Lambda packages export", () => {
    const exported = new Set(LAMBDA_PACKAGES.flatMap((p) => p.handlers.map((h) => `index.${h}`)));
    const handlers = JSON.stringify(template.Resources).match(/index\.[A-Za-z]+/g) ?? [];
    expect(handlers.length).toBeGreaterThan(0);
    for (const h of handlers) expect(exported).toContain(h);
  });

  it("keeps the OpsGenie endpoint out of console and API output (NoEcho)", () => {
    const p = (template.Parameters as JsonObject).OpsGenieEndpoint as JsonObject;
    expect(p.NoEcho).toBe(true);
  });

  it("gives the functions a configuration the engine accepts (PARAPET_CONFIG_JSON from parameter defaults)", () => {
    const params = scenario(template, {});
    const fn = (template.Resources as JsonObject).CloudTrailFunction as JsonObject;
    const sub = ((((fn.Properties as JsonObject).Environment as JsonObject).Variables as JsonObject).PARAPET_CONFIG_JSON as JsonObject)["Fn::Sub"] as string;
    const json = sub.replace(/\$\{([A-Za-z]+)\}/g, (_, n: string) => params[n]!);
    const config = loadConfig(undefined, { PARAPET_CONFIG_JSON: json, PARAPET_MIN_SEVERITY: params.MinSeverity, PARAPET_TIME_ZONE: params.TimeZone });
    expect(config.network.allowedPublicPorts).toEqual(defaultConfiguration().network.allowedPublicPorts);
    expect(config.tagging.required).toEqual(defaultConfiguration().tagging.required);
    expect(config.minSeverity).toBe("medium");
  });
});

describe("parapet lint templates/ (what CI runs)", () => {
  const { ruleSet } = loadRules({ config: defaultConfiguration() });
  const { report } = lintPaths([TEMPLATES_DIR], { ruleSet });

  it("reports no finding of any severity", () => {
    expect(report.findings.map((f) => `${f.location.file}:${f.location.line} ${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it("suppresses only the accepted findings, each with a reason", () => {
    const suppressed = report.suppressed.map((s) => ({ rule: s.finding.ruleId, resource: s.finding.subject.id, reason: s.reason }));
    for (const s of suppressed) {
      expect(ACCEPTED_SUPPRESSIONS[s.rule]).toContain(s.resource);
      expect(s.reason.length).toBeGreaterThan(20);
    }
    const accepted = Object.entries(ACCEPTED_SUPPRESSIONS).flatMap(([rule, ids]) => ids.map((id) => `${rule} ${id}`)).sort();
    expect(suppressed.map((s) => `${s.rule} ${s.resource}`).sort()).toEqual(accepted);
  });
});
