import { Document, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type Tags, type YAMLMap } from "yaml";
import { fromPointer, type PathSegment } from "./pointer";

/**
 * YAML (and JSON, a YAML subset) parsed with positions kept, so any JSON pointer into the value can
 * be turned back into file:line:column. This is the single place that mapping happens.
 */

export { DEFAULT_LIMITS, DocumentParseError, type ParseLimits, type Position, type PositionedDocument } from "./document";
import { DEFAULT_LIMITS, DocumentParseError, type ParseLimits, type Position, type PositionedDocument } from "./document";

export interface ParseOptions {
  limits?: Partial<ParseLimits>;
  /**
   * YAML 1.1 (the default) reads yes/no/on/off as booleans, as CloudFormation and cfn_nag do.
   * Rule files use 1.2, where `on:` and `no` stay strings.
   */
  version?: "1.1" | "1.2";
  /** Extra tags, or a function that edits the schema's tag list (e.g. to drop YAML 1.1 timestamps). */
  customTags?: Tags | ((tags: Tags) => Tags);
  /**
   * Custom tag -> key its value is wrapped in (`!Ref x` becomes `{Ref: x}`), so pointers through the
   * long form (`.../Fn::If/1`) still find the tagged node's children.
   */
  tagKeys?: ReadonlyMap<string, string>;
}

export function parseYamlDocument(text: string, options: ParseOptions = {}): PositionedDocument {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    throw new DocumentParseError(`document is larger than the ${limits.maxBytes}-byte limit`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: options.customTags,
    // YAML 1.1 booleans (yes/no/on/off) are what CloudFormation users write and what cfn_nag reads.
    version: options.version ?? "1.1",
  });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new DocumentParseError(cleanYamlMessage(first.message), { line: pos.line, column: pos.col });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    throw new DocumentParseError(`cannot build document: ${(err as Error).message}`);
  }
  const positionOf = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    value,
    locate: (pointer) => positionOf(findNode(doc, pointer, false, options.tagKeys)),
    locateKey: (pointer) => positionOf(findNode(doc, pointer, true, options.tagKeys)),
  };
}

/** yaml's messages end with a code excerpt on later lines; keep the first line only. */
function cleanYamlMessage(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** Offset of the node (or its key) at the pointer, or of the deepest ancestor that exists. */
function findNode(doc: Document, pointer: string, wantKey: boolean, tagKeys?: ReadonlyMap<string, string>): number {
  let segments: PathSegment[];
  try {
    segments = fromPointer(pointer);
  } catch {
    segments = [];
  }
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const tag = tagKeys && (isScalar(node) || isCollection(node)) ? (node as Node).tag : undefined;
    if (tag !== undefined && tagKeys!.get(tag) === segment) continue;
    if (isMap(node)) {
      const pair = pairIndex(node).get(String(segment));
      if (!pair) break;
      const isLast = i === segments.length - 1;
      if (isLast && wantKey) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(item) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** Key -> pair per map, built once, so locating many pointers in a large map stays linear. */
const pairIndexes = new WeakMap<object, Map<string, Pair<unknown, unknown>>>();
function pairIndex(map: YAMLMap<unknown, unknown>): Map<string, Pair<unknown, unknown>> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const key = isPair(p) ? scalarKey(p.key) : undefined;
      if (key !== undefined && !index.has(key)) index.set(key, p);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (isScalar(node) || isCollection(node)) return (node as Node).range?.[0];
  return undefined;
}
