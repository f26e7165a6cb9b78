/**
 * A short, redacted JSON rendering of `requestParameters` for alert descriptions. Bounded in time and
 * size whatever the input: it stops writing once the budget is spent, so a 20 MB `userData` costs the
 * same as a small one.
 */
import { isObject } from "../../util/objects";

/** Values under keys like these never leave the record. */
const SECRET_KEY = /pass(word|phrase)?$|password|secret|(?<!client)token|credential|private.?key|user.?data|authorization|signature|certificate.?body/i;
const MAX_DEPTH = 6;

export function redactedExcerpt(value: unknown, limit = 500): string | undefined {
  if (value === undefined || value === null) return undefined;
  const out = new Writer(limit);
  write(value, 0, out);
  return out.finish();
}

class Writer {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.length >= this.limit;
  }
  push(piece: string): void {
    if (this.full) return;
    this.parts.push(piece);
    this.length += piece.length;
  }
  finish(): string {
    const text = this.parts.join("");
    return text.length > this.limit ? text.slice(0, this.limit - 1) + "…" : text;
  }
}

function write(value: unknown, depth: number, out: Writer): void {
  if (out.full) return;
  if (typeof value === "string") {
    // Never stringify more of a string than could be shown.
    out.push(JSON.stringify(value.length > 200 ? value.slice(0, 200) + "…" : value));
  } else if (typeof value === "number" || typeof value === "boolean" || value === null) {
    out.push(String(value));
  } else if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return out.push("[…]");
    out.push("[");
    for (let i = 0; i < value.length && !out.full; i++) {
      if (i > 0) out.push(",");
      write(value[i], depth + 1, out);
    }
    out.push("]");
  } else if (isObject(value)) {
    if (depth >= MAX_DEPTH) return out.push("{…}");
    out.push("{");
    let first = true;
    for (const key of Object.keys(value)) {
      if (out.full) break;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key) + ":");
      if (SECRET_KEY.test(key)) out.push('"[redacted]"');
      else write(value[key], depth + 1, out);
    }
    out.push("}");
  }
}
