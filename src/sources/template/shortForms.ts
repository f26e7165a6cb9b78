import { YAMLMap, YAMLSeq, type CollectionTag, type ScalarTag, type Tags } from "yaml";
import { SHORT_FORM_KEYS } from "./shortFormKeys";

/**
 * CloudFormation's YAML short forms (`!Ref x`, `!If [...]`, `!GetAtt a.b`) as custom `yaml` tags.
 * Each becomes its long form (`{Ref: x}`, `{"Fn::If": [...]}`) when the document is turned into a
 * value, while the tagged node itself stays in the document so every pointer keeps its position.
 */

export { SHORT_FORM_KEYS };

function longKey(tag: string | undefined): string {
  return (tag !== undefined && SHORT_FORM_KEYS.get(tag)) || "Fn::Unknown";
}

/** Wraps a converted value in its long-form key; keeps alias targets pointing at the wrapped value. */
function wrap(node: object, tag: string | undefined, inner: unknown, ctx: unknown): Record<string, unknown> {
  const wrapped = { [longKey(tag)]: inner };
  const anchors = (ctx as { anchors?: Map<unknown, { res: unknown }> } | undefined)?.anchors;
  const data = anchors?.get(node);
  if (data) data.res = wrapped;
  return wrapped;
}

class ShortFormSeq extends YAMLSeq {
  override toJSON(_?: unknown, ctx?: unknown): any {
    return wrap(this, this.tag, super.toJSON(_, ctx as never), ctx);
  }
}

class ShortFormMap extends YAMLMap {
  override toJSON(_?: unknown, ctx?: unknown): any {
    return wrap(this, this.tag, super.toJSON(_, ctx as never, Object as never), ctx);
  }
}

/** `!GetAtt a.b.c` means resource `a`, attribute `b.c` (nested-stack outputs contain dots). */
function splitGetAtt(text: string): string[] {
  const dot = text.indexOf(".");
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

function tagsFor(tag: string, key: string): Array<ScalarTag | CollectionTag> {
  const scalar: ScalarTag = {
    tag,
    resolve: (text: string) => ({ [key]: key === "Fn::GetAtt" ? splitGetAtt(text) : text }),
  };
  return [scalar, { tag, collection: "seq", nodeClass: ShortFormSeq }, { tag, collection: "map", nodeClass: ShortFormMap }];
}

const SHORT_FORM_TAGS: Tags = [...SHORT_FORM_KEYS].flatMap(([tag, key]) => tagsFor(tag, key));

/**
 * YAML 1.1 booleans as cfn_nag's reader (Psych) types them: yes/true/on and no/false/off in any
 * capitalisation; unlike the `yaml` package's 1.1 schema, `y`/`n` stay strings.
 */
const BOOL_TAGS: ScalarTag[] = [
  { tag: "tag:yaml.org,2002:bool", default: true, test: /^(?:yes|true|on)$/i, resolve: () => true, identify: (v) => v === true },
  { tag: "tag:yaml.org,2002:bool", default: true, test: /^(?:no|false|off)$/i, resolve: () => false, identify: (v) => v === false },
];

/**
 * Schema edit for templates: adds the short forms, types booleans like cfn_nag, and drops YAML 1.1
 * timestamps and sexagesimal numbers, so `2010-09-09` and `12:30` stay the strings CloudFormation sees.
 */
export function templateTags(defaults: Tags): Tags {
  const kept: Tags = [];
  let boolsAdded = false;
  for (const t of defaults) {
    if (typeof t !== "object") {
      kept.push(t);
    } else if (t.tag === "tag:yaml.org,2002:bool") {
      if (!boolsAdded) kept.push(...BOOL_TAGS);
      boolsAdded = true;
    } else if (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME") {
      kept.push(t);
    }
  }
  if (!boolsAdded) kept.push(...BOOL_TAGS);
  return [...kept, ...SHORT_FORM_TAGS];
}
