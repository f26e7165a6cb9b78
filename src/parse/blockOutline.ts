import { fromPointer } from "./pointer";
import type { Position } from "./document";

/**
 * A fast outline of a block-style YAML document: which key or sequence item starts on which line
 * and column. It answers "where is this pointer?" for the block-style templates people write,
 * and says "don't know" (undefined) for anything it does not model — flow collections, multi-line
 * quoted scalars, anchors and aliases — so the caller can fall back to a full parser.
 */

interface OutlineNode {
  pos: Position;
  /** Short-form tag written before a block collection (`Value: !If` + block sequence). */
  tag?: string;
  map?: Map<string, { key: Position; value?: OutlineNode }>;
  seq?: OutlineNode[];
  /** A scalar or a flow collection: nothing inside it is modelled. */
  leaf?: true;
}

interface Frame {
  col: number;
  node: OutlineNode;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^\n]*?|-[^\s][^\n]*?)[ \t]*:(?=[ \t]|$)/;

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

export class BlockOutline {
  private readonly root: OutlineNode | undefined;
  /** False when the document uses something the outline does not model everywhere. */
  readonly complete: boolean;

  constructor(text: string) {
    const built = build(text);
    this.root = built.root;
    this.complete = built.complete;
  }

  /**
   * Position of the value (or, with `wantKey`, the key) a pointer names; undefined when the
   * outline cannot answer exactly. `tagKeys` maps short-form tags to their long-form key so a
   * pointer through `Fn::If` finds the tagged block's items.
   */
  locate(pointer: string, wantKey: boolean, tagKeys?: ReadonlyMap<string, string>): Position | undefined {
    let segments: string[];
    try {
      segments = fromPointer(pointer);
    } catch {
      return undefined;
    }
    if (!this.root) return undefined;
    let node: OutlineNode = this.root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (node.tag !== undefined && tagKeys?.get(node.tag) === segment) continue;
      if (node.map) {
        const entry = node.map.get(segment);
        if (!entry) return undefined;
        if (i === segments.length - 1 && wantKey) return entry.key;
        if (!entry.value) return undefined;
        node = entry.value;
      } else if (node.seq) {
        if (!/^\d+$/.test(segment)) return undefined;
        const item: OutlineNode | undefined = node.seq[Number(segment)];
        if (!item) return undefined;
        node = item;
      } else {
        return undefined;
      }
    }
    if (wantKey) return undefined;
    return node.pos;
  }
}

function build(text: string): { root: OutlineNode | undefined; complete: boolean } {
  const lines = text.split(/\r?\n/);
  let complete = true;
  let root: OutlineNode | undefined;
  const stack: Frame[] = [];
  /** The map entry or sequence item waiting for a nested block value. */
  let pending: { set: (node: OutlineNode) => void; col: number; tag?: string; indentless: boolean } | undefined;
  let skipDeeperThan = -1;

  const attach = (node: OutlineNode, col: number) => {
    if (pending && col > pending.col - (pending.indentless ? 1 : 0)) {
      if (pending.tag) node.tag = pending.tag;
      pending.set(node);
    } else if (!root) {
      root = node;
    } else {
      complete = false;
    }
    pending = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const indent = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (skipDeeperThan >= 0) {
      if (indent > skipDeeperThan) continue;
      skipDeeperThan = -1;
    }
    if (indent === 0 && (trimmed.startsWith("---") || trimmed.startsWith("..."))) {
      if (trimmed === "---" || trimmed === "..." || trimmed.startsWith("--- ")) {
        if (root) complete = false;
        continue;
      }
    }
    if (raw.includes("\t") && /^\s*\t/.test(raw)) complete = false;

    let col = indent;
    let rest = raw.slice(indent);
    while (stack.length && stack[stack.length - 1]!.col > col) stack.pop();

    // Sequence indicators, possibly several on one line (`- - a`).
    while (rest === "-" || rest.startsWith("- ")) {
      let top = stack[stack.length - 1];
      if (!top || top.col < col || !top.node.seq) {
        const indentless = !!pending && pending.col === col;
        const seq: OutlineNode = { pos: { line: i + 1, column: col + 1 }, seq: [] };
        if (indentless) pending!.indentless = true;
        attach(seq, indentless ? col + 1 : col);
        if (top && top.col === col && top.node.map && !indentless) complete = false;
        stack.push({ col, node: seq });
        top = stack[stack.length - 1]!;
      }
      const seqNode = top.node;
      const after = rest.slice(1);
      const gap = after.length - after.trimStart().length;
      const itemCol = col + 1 + gap;
      const index = seqNode.seq!.length;
      const itemTag = /^![A-Za-z0-9:]+[ \t]+(?=[^\s#])/.exec(after.trimStart())?.[0].length ?? 0;
      seqNode.seq!.push({ pos: { line: i + 1, column: itemCol + itemTag + 1 }, leaf: true });
      pending = { set: (node) => (seqNode.seq![index] = node), col, indentless: false };
      col = itemCol;
      rest = after.trimStart();
      if (rest === "") break;
      while (stack.length && stack[stack.length - 1]!.col > col) stack.pop();
    }
    if (rest === "" || rest.startsWith("#")) continue;

    const key = KEY.exec(rest);
    if (!key) {
      // A scalar (or flow collection) item: `- value` already recorded its position.
      if (pending && pending.col < col) {
        // The exact parser places a tagged scalar at its value, after the tag; an empty one (`- !GetAZs`)
        // just after the tag itself.
        const tagPrefix = /^![A-Za-z0-9:]+$/.exec(rest)?.[0].length ?? /^![A-Za-z0-9:]+[ \t]+(?=[^\s#])/.exec(rest)?.[0].length ?? 0;
        const leaf: OutlineNode = { pos: { line: i + 1, column: col + tagPrefix + 1 }, leaf: true };
        if (/^[[{]/.test(rest) && !balanced(rest)) complete = false;
        if (/^[|>]/.test(rest)) skipDeeperThan = pending.col;
        pending.set(leaf);
        pending = undefined;
      } else if (rest.startsWith("!") || rest.startsWith("&") || rest.startsWith("*")) {
        complete = false;
      } else if (!root) {
        complete = false;
      }
      continue;
    }

    // A key at the column of an indentless sequence ends that sequence.
    while (stack.length > 1 && stack[stack.length - 1]!.col === col && stack[stack.length - 1]!.node.seq) stack.pop();
    let top = stack[stack.length - 1];
    if (!top || top.col < col || !top.node.map) {
      const map: OutlineNode = { pos: { line: i + 1, column: col + 1 }, map: new Map() };
      attach(map, col);
      stack.push({ col, node: map });
      top = stack[stack.length - 1]!;
    } else if (top.col === col && pending && !pending.indentless && pending.col < col) {
      pending = undefined; // the previous key had an empty value
    }
    const mapNode = top.node;
    const name = unquote(key[1]!);
    const keyPos = { line: i + 1, column: col + 1 };
    const afterColon = rest.slice(key[0].length);
    const valueText = afterColon.trimStart();
    const valueCol = col + key[0].length + (afterColon.length - valueText.length);
    if (mapNode.map!.has(name)) complete = false;
    const entry: { key: Position; value?: OutlineNode } = { key: keyPos };
    mapNode.map!.set(name, entry);
    pending = undefined;
    if (valueText === "" || valueText.startsWith("#")) {
      pending = { set: (node) => (entry.value = node), col, indentless: false };
      continue;
    }
    const tagOnly = /^(![A-Za-z0-9:]+)\s*(#.*)?$/.exec(valueText);
    if (tagOnly) {
      pending = { set: (node) => (entry.value = node), col, tag: tagOnly[1], indentless: false };
      continue;
    }
    if (/^[&*]/.test(valueText)) complete = false;
    if (/^[[{]/.test(valueText) && !balanced(valueText)) complete = false;
    if (/^(![A-Za-z0-9:]+\s+)?[|>]/.test(valueText)) skipDeeperThan = col;
    if (/^(![A-Za-z0-9:]+\s+)?["']/.test(valueText) && !closedQuote(valueText.replace(/^![A-Za-z0-9:]+\s+/, ""))) complete = false;
    // The exact parser places a tagged scalar at its value, after the tag.
    const tagPrefix = /^![A-Za-z0-9:]+[ \t]+/.exec(valueText)?.[0].length ?? 0;
    entry.value = { pos: { line: i + 1, column: valueCol + tagPrefix + 1 }, leaf: true };
  }
  return { root, complete };
}

/** True when every bracket opened on the line closes on it (ignoring brackets inside quotes). */
function balanced(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "#" && depth === 0 && i > 0 && /\s/.test(text[i - 1]!)) break;
  }
  return depth <= 0 && !quote;
}

function closedQuote(text: string): boolean {
  const q = text[0]!;
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\" && q === '"') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return true;
    }
  }
  return false;
}
