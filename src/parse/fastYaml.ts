import jsYaml from "js-yaml";
import { BlockOutline } from "./blockOutline";
import { DEFAULT_LIMITS, DocumentParseError, type Position, type PositionedDocument } from "./document";
import type { ParseOptions } from "./yamlDocument";

/**
 * Fast reading of CloudFormation YAML. The `yaml` package keeps a full document model with exact
 * positions, and building it was most of `parapet lint`'s time (about 0.4 s for a 1,000-resource
 * template). Here js-yaml builds the value (about 9x faster), a line outline answers positions for
 * block-style YAML, and only a pointer the outline cannot place (flow style, anchors) makes the
 * exact `yaml` document be built, once, on demand. Any document js-yaml rejects, or that uses
 * something this reader does not model (aliases, explicit tags other than short forms), is read by
 * the exact parser instead, so its errors and limits apply.
 */

export interface FastYamlOptions extends ParseOptions {
  /** Short-form tag -> long-form key (`!Ref` -> `Ref`). */
  tagKeys: ReadonlyMap<string, string>;
}

const schemas = new WeakMap<ReadonlyMap<string, string>, jsYaml.Schema>();

/** YAML 1.1 scalars as cfn_nag reads them (matching the exact parser's template schema). */
function scalarTypes(): jsYaml.Type[] {
  const scalar = (tag: string, test: RegExp, construct: (text: string) => unknown) =>
    new jsYaml.Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (d: string | null) => d !== null && test.test(d), construct: (d: string) => construct(d) });
  const digits = (text: string) => text.replace(/_/g, "");
  const signed = (text: string, radix: number, prefix: number) => {
    const sign = text.startsWith("-") ? -1 : 1;
    const body = digits(text.replace(/^[-+]/, "")).slice(prefix);
    return sign * parseInt(body, radix);
  };
  return [
    new jsYaml.Type("tag:yaml.org,2002:null", { kind: "scalar", resolve: (d: string | null) => d === null || /^(?:~|[Nn]ull|NULL)?$/.test(d), construct: () => null }),
    scalar("bool", /^(?:yes|true|on|no|false|off)$/i, (t) => /^(?:yes|true|on)$/i.test(t)),
    scalar("int", /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+)$/, (t) => {
      const body = t.replace(/^[-+]/, "");
      if (body.startsWith("0b")) return signed(t, 2, 2);
      if (body.startsWith("0x")) return signed(t, 16, 2);
      if (/^0[0-7_]+$/.test(body)) return signed(t, 8, 1);
      return Number(digits(t));
    }),
    scalar("float", /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*)$/, (t) => {
      if (/nan/i.test(t)) return NaN;
      if (/inf/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
      return parseFloat(digits(t));
    }),
  ];
}

function schemaFor(tagKeys: ReadonlyMap<string, string>): jsYaml.Schema {
  let schema = schemas.get(tagKeys);
  if (!schema) {
    const shortForms: jsYaml.Type[] = [];
    for (const [tag, key] of tagKeys) {
      for (const kind of ["scalar", "sequence", "mapping"] as const) {
        shortForms.push(
          new jsYaml.Type(tag, {
            kind,
            construct: (data: unknown) => {
              if (key === "Fn::GetAtt" && typeof data === "string") {
                const dot = data.indexOf(".");
                return { [key]: dot < 0 ? [data] : [data.slice(0, dot), data.slice(dot + 1)] };
              }
              // An empty tagged node (`!GetAZs`) is the empty string, as the exact reader has it.
              return { [key]: data ?? "" };
            },
          }),
        );
      }
    }
    schema = jsYaml.FAILSAFE_SCHEMA.extend({ implicit: scalarTypes(), explicit: shortForms });
    schemas.set(tagKeys, schema);
  }
  return schema;
}

/** Anchors, aliases, merge keys and non-short-form explicit tags go to the exact parser. */
const NEEDS_EXACT_PARSER = /(^|[\s\-[{,:])[&*][^\s,\]}]|<<\s*:|!!|^%/m;

export function parseFastYaml(text: string, options: FastYamlOptions): PositionedDocument {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    throw new DocumentParseError(`document is larger than the ${limits.maxBytes}-byte limit`);
  }
  // The exact reader (the `yaml` package) is loaded only for the documents that need it.
  const exact = () => (require("./yamlDocument") as typeof import("./yamlDocument")).parseYamlDocument(text, options);
  if (NEEDS_EXACT_PARSER.test(text)) return exact();
  let value: unknown;
  try {
    value = jsYaml.load(text, { schema: schemaFor(options.tagKeys), json: false });
  } catch {
    return exact(); // the exact parser words the error, with its position
  }
  let outline: BlockOutline | undefined;
  let full: PositionedDocument | undefined;
  const precise = () => (full ??= exact());
  const find = (pointer: string, wantKey: boolean): Position => {
    outline ??= new BlockOutline(text);
    const found = outline.complete ? outline.locate(pointer, wantKey, options.tagKeys) : undefined;
    return found ?? (wantKey ? precise().locateKey(pointer) : precise().locate(pointer));
  };
  return { value, locate: (pointer) => find(pointer, false), locateKey: (pointer) => find(pointer, true) };
}
