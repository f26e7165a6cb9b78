import type { Position, PositionedDocument } from "../../parse/document";
import { fromPointer } from "../../parse/pointer";

/**
 * A `PositionedDocument` for text already known to be valid JSON: the value comes from `JSON.parse`
 * (an order of magnitude faster than the YAML composer on JSON templates) and a light scanner records
 * where each value and key starts, so pointers still map to line/column.
 */

interface PosNode {
  start: number;
  keyStart?: number;
  entries?: Map<string, PosNode>;
  items?: PosNode[];
}

export function jsonDocument(text: string, value: unknown): PositionedDocument {
  const root = scan(text);
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);

  const position = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  const find = (pointer: string, wantKey: boolean): number => {
    let segments: string[];
    try {
      segments = fromPointer(pointer);
    } catch {
      segments = [];
    }
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const child = node.entries ? node.entries.get(segment) : node.items ? node.items[Number(segment)] : undefined;
      if (!child) break;
      if (wantKey && i === segments.length - 1 && child.keyStart !== undefined) return child.keyStart;
      node = child;
    }
    return node.start;
  };

  return { value, locate: (p) => position(find(p, false)), locateKey: (p) => position(find(p, true)) };
}

const STRING_END = /["\\]/g;

/** Scans valid JSON for value and key offsets. Duplicate keys: the last wins, as in `JSON.parse`. */
function scan(text: string): PosNode {
  let i = 0;
  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  /** At an opening quote: moves past the string and returns its decoded text. */
  const string = (): string => {
    const start = i;
    let escaped = false;
    STRING_END.lastIndex = i + 1;
    for (;;) {
      const m = STRING_END.exec(text);
      if (!m) throw new Error("unterminated string");
      if (m[0] === "\\") {
        escaped = true;
        STRING_END.lastIndex = m.index + 2;
        continue;
      }
      i = m.index + 1;
      return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
    }
  };
  const value = (): PosNode => {
    skipSpace();
    const start = i;
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      i++;
      const entries = new Map<string, PosNode>();
      skipSpace();
      if (text.charCodeAt(i) === 125) {
        i++;
        return { start, entries };
      }
      for (;;) {
        skipSpace();
        const keyStart = i;
        const key = string();
        skipSpace();
        i++; // ':'
        const child = value();
        child.keyStart = keyStart;
        entries.set(key, child);
        skipSpace();
        if (text.charCodeAt(i++) === 125) return { start, entries };
      }
    }
    if (c === 91 /* [ */) {
      i++;
      const items: PosNode[] = [];
      skipSpace();
      if (text.charCodeAt(i) === 93) {
        i++;
        return { start, items };
      }
      for (;;) {
        items.push(value());
        skipSpace();
        if (text.charCodeAt(i++) === 93) return { start, items };
      }
    }
    if (c === 34 /* " */) {
      string();
      return { start };
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return { start };
  };
  return value();
}
