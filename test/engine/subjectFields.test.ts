import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Subject } from "../../src/engine/model";
import { CONTEXT_FIELDS, isKnownSubjectType, propertiesOf } from "../../src/engine/subjectFields";
import { readCloudTrailFile, recordsToSubjects } from "../../src/sources/cloudtrail";
import { flowsToSubjects, type EnrichedFlow } from "../../src/sources/flowlog";
import { loadTemplateSubjects } from "../../src/sources/template";
import { createFlowLogEnricher, processFlowLogText } from "../../src/pipeline/flowlogs";
import { PACKAGE_ROOT } from "../../src/paths";
import { INVENTORY_FILES, sampleText } from "../helpers/flowlogFixtures";
import { renderSnapshot } from "../../scripts/cfnResourceTypes";

/**
 * The names rules may use (src/engine/subjectFields.ts) against what the sources really produce: a
 * field a source adds without listing it would make a correct rule fail to load.
 */
/** Copies of shared/conformance kept in the repository (CI checkouts need not have shared/ beside them). */
const CONFORMANCE = path.join(PACKAGE_ROOT, "test", "fixtures", "conformance");

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** `type: property` for every property no rule could name, and every context field not listed. */
function unlisted(subjects: readonly Subject[], only: (type: string) => boolean = () => true): string[] {
  const out = new Set<string>();
  for (const s of subjects) {
    if (!only(s.type)) continue;
    if (!isKnownSubjectType(s.type)) out.add(`${s.type}: (type)`);
    const known = propertiesOf(s.type);
    if (known) for (const key of Object.keys(s.properties)) if (!known.has(key)) out.add(`${s.type}: ${key}`);
    for (const [part, value] of Object.entries(s.context)) {
      const fields = CONTEXT_FIELDS[part];
      if (!fields) out.add(`context.${part}`);
      else for (const key of Object.keys(value ?? {})) if (!fields.includes(key)) out.add(`context.${part}.${key}`);
    }
  }
  return [...out].sort();
}

describe("subject fields rules may name", () => {
  it("the resource type snapshot is the generator's output, not a hand edit (npm run generate:cfn-types)", () => {
    const text = readFileSync(path.join(PACKAGE_ROOT, "data", "cfn-resource-types.json"), "utf8");
    const snapshot = JSON.parse(text) as { source: string; types: Record<string, string> };
    expect(renderSnapshot(snapshot.types, snapshot.source)).toBe(text);
    expect(snapshot.source).toMatch(/^@aws-cdk\/aws-service-spec@\d+\.\d+\.\d+$/);
    expect(Object.keys(snapshot.types).length).toBeGreaterThan(1500);
    expect(snapshot.types["AWS::S3::Bucket"]!.split(" ")).toEqual(expect.arrayContaining(["BucketName", "Tags", "VersioningConfiguration"]));
  });

  it("cover every subject CloudTrail records become (fixtures, the sample file, the Stratus corpus)", async () => {
    const records: unknown[] = [];
    for (const file of jsonFiles(path.join(PACKAGE_ROOT, "test", "fixtures", "cloudtrail-samples"))) {
      const value = JSON.parse(readFileSync(file, "utf8")) as unknown;
      records.push(...(Array.isArray(value) ? value : [value]));
    }
    for (const file of jsonFiles(path.join(CONFORMANCE, "cloudtrail"))) records.push(...(JSON.parse(readFileSync(file, "utf8")) as unknown[]));
    records.push(...(await readCloudTrailFile(path.join(PACKAGE_ROOT, "samples", "cloudtrail", "sample.json.gz"))).records);
    const { subjects } = recordsToSubjects(records, "corpus");
    expect(new Set(subjects.map((s) => s.type)).size).toBeGreaterThan(10);
    expect(unlisted(subjects)).toEqual([]);
  });

  it("cover every subject flow logs become", async () => {
    const flows: EnrichedFlow[] = [];
    const enricher = await createFlowLogEnricher({ inventoryFiles: INVENTORY_FILES, region: "us-east-1" });
    await processFlowLogText(sampleText(), "sample.log", { enricher, onFlows: (f) => flows.push(...f) });
    const subjects = flowsToSubjects(flows, "sample.log");
    expect(new Set(subjects.map((s) => s.type))).toEqual(new Set(["Parapet::VPC::Flow", "AWS::EC2::Instance", "AWS::EC2::SecurityGroupIngress"]));
    expect(unlisted(subjects)).toEqual([]);
  });

  it("cover the fields the template source adds (the cfn_nag corpus)", () => {
    // Other properties are the template author's, typos included; `Parapet::...` ones are parapet's.
    const subjects: Subject[] = [];
    for (const file of readdirSync(path.join(CONFORMANCE, "cfn_nag"), { recursive: true, withFileTypes: true })) {
      if (!file.isFile() || !/\.(ya?ml|json|template)$/.test(file.name)) continue;
      const full = path.join(file.parentPath, file.name);
      subjects.push(...loadTemplateSubjects(full, readFileSync(full, "utf8")).subjects);
    }
    const added = subjects
      .map((s) => ({ ...s, properties: Object.fromEntries(Object.entries(s.properties).filter(([key]) => key.startsWith("Parapet::"))) }))
      .filter((s) => Object.keys(s.properties).length > 0);
    expect(added.length).toBeGreaterThan(50);
    expect(unlisted(added)).toEqual([]);
  });
});
