import { createHash } from "node:crypto";
import { SEVERITIES, SOURCE_KINDS } from "./model";
import { OPERATORS } from "./operators/registry";
import type { Operator } from "./operators/types";

/**
 * The JSON Schema of rule files, generated from the operator registry so the two cannot drift.
 * `schemas/rule.schema.json` is this output (a test keeps it current) for editors to autocomplete.
 * Conditions branch with if/then on their one distinguishing key, so errors name the branch the
 * author meant instead of listing every alternative.
 */
export function buildRuleSchema(operators: ReadonlyMap<string, Operator> = OPERATORS): Record<string, unknown> {
  const opNames = [...operators.keys()].sort();
  const valueRules = [...operators.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((op) => ({
      if: { properties: { op: { const: op.name } }, required: ["op"] },
      then:
        op.valueSchema === null
          ? { not: { required: ["value"] }, description: `${op.name}: ${op.description}` }
          : {
              required: ["value"],
              description: `${op.name}: ${op.description}`,
              properties: { value: { anyOf: [{ $ref: "#/definitions/configRef" }, op.valueSchema] } },
            },
    }));

  const subjectCase = {
    type: "object",
    additionalProperties: false,
    properties: {
      type: { type: "string" },
      id: { type: "string" },
      source: { enum: [...SOURCE_KINDS] },
      properties: { type: "object" },
      context: { type: "object" },
    },
  };

  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://parapet.dev/schemas/rule.schema.json",
    title: "parapet rule",
    type: "object",
    additionalProperties: false,
    required: ["id", "title", "severity", "description", "remediation", "types", "message", "tests"],
    properties: {
      $schema: { type: "string" },
      id: { type: "string", pattern: "^[a-z0-9]+(-[a-z0-9]+)*$", description: "Unique, never reused; the file is named <id>.yaml." },
      title: { type: "string", minLength: 5, maxLength: 120 },
      severity: { enum: [...SEVERITIES] },
      description: { type: "string", minLength: 10 },
      remediation: { type: "string", minLength: 10 },
      references: {
        type: "object",
        additionalProperties: false,
        properties: {
          cfnNag: { type: "array", items: { type: "string", pattern: "^[FW]\\d+$" } },
          awsConfig: { type: "array", items: { type: "string" } },
          sigma: { type: "array", items: { type: "string" } },
          cis: { type: "array", items: { type: "string" } },
          urls: { type: "array", items: { type: "string", pattern: "^https://" } },
        },
      },
      tags: { type: "array", items: { type: "string" } },
      types: {
        anyOf: [
          { type: "array", minItems: 1, items: { type: "string", pattern: "^(\\*|[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)$" } },
          { $ref: "#/definitions/configRef" },
        ],
      },
      sources: { type: "array", minItems: 1, uniqueItems: true, items: { enum: [...SOURCE_KINDS] } },
      when: { $ref: "#/definitions/condition" },
      match: { $ref: "#/definitions/condition" },
      assert: { $ref: "#/definitions/condition" },
      message: { type: "string", minLength: 5 },
      deviation: { type: "string" },
      tests: {
        type: "object",
        additionalProperties: false,
        required: ["pass", "fail"],
        properties: {
          pass: { type: "array", minItems: 1, items: { $ref: "#/definitions/testCase" } },
          fail: { type: "array", minItems: 1, items: { $ref: "#/definitions/testCase" } },
        },
      },
    },
    oneOf: [{ required: ["match"] }, { required: ["assert"] }],
    definitions: {
      configRef: {
        type: "object",
        additionalProperties: false,
        required: ["$config"],
        properties: { $config: { type: "string", pattern: "^[A-Za-z0-9_]+(\\.[A-Za-z0-9_:]+)*$" } },
      },
      condition: {
        type: "object",
        if: { required: ["all"] },
        then: { $ref: "#/definitions/allCondition" },
        else: {
          if: { required: ["any"] },
          then: { $ref: "#/definitions/anyCondition" },
          else: {
            if: { required: ["not"] },
            then: { $ref: "#/definitions/notCondition" },
            else: {
              if: { required: ["related"] },
              then: { $ref: "#/definitions/relatedCheck" },
              else: { $ref: "#/definitions/check" },
            },
          },
        },
      },
      allCondition: {
        type: "object",
        additionalProperties: false,
        properties: { all: { type: "array", minItems: 1, items: { $ref: "#/definitions/condition" } } },
      },
      anyCondition: {
        type: "object",
        additionalProperties: false,
        properties: { any: { type: "array", minItems: 1, items: { $ref: "#/definitions/condition" } } },
      },
      notCondition: {
        type: "object",
        additionalProperties: false,
        properties: { not: { $ref: "#/definitions/condition" } },
      },
      relatedCheck: {
        type: "object",
        additionalProperties: false,
        required: ["related"],
        properties: {
          related: {
            type: "object",
            additionalProperties: false,
            required: ["type"],
            properties: {
              type: { type: "string" },
              on: { type: "string", minLength: 1 },
              from: { type: "string", minLength: 1 },
              where: { $ref: "#/definitions/condition" },
            },
            anyOf: [{ required: ["on"] }, { required: ["from"] }],
          },
          exists: { type: "boolean" },
        },
      },
      check: {
        type: "object",
        additionalProperties: false,
        required: ["path", "op"],
        properties: {
          path: { type: "string", minLength: 1, description: "JSONPath over the subject, e.g. properties.CidrIp" },
          op: { enum: opNames },
          value: {},
          match: { enum: ["any", "all", "none"] },
        },
        allOf: valueRules,
      },
      testCase: {
        type: "object",
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          subject: subjectCase,
          template: {},
          record: { type: "object" },
          related: { type: "array", items: subjectCase },
          config: { type: "object" },
          resource: { type: "string" },
          message: { type: "string" },
        },
        oneOf: [{ required: ["subject"] }, { required: ["template"] }, { required: ["record"] }],
      },
    },
  };
}

/** Identifies a schema version, so a generated validator can tell it is stale. */
export function ruleSchemaHash(schema: Record<string, unknown> = buildRuleSchema()): string {
  return createHash("sha1").update(JSON.stringify(schema)).digest("hex");
}
