/**
 * Splits a CloudTrail log body into groups of records while its bytes arrive, so a file is never
 * held whole: bytes in (any chunking) → `onGroup({ start, records })` for every ~`groupRecords`
 * records, in file order. Each group's text is parsed with one `JSON.parse` and then forgotten.
 *
 * Two ways to find record boundaries inside `"Records":[ ... ]`:
 * - fast: CloudTrail writes compact JSON with `eventVersion` first, so `Buffer.indexOf('},{"eventVersion"')`
 *   (native, GB/s) finds candidate boundaries. The sequence cannot occur inside a JSON string, but can
 *   inside a record (a nested list of objects with an `eventVersion` key); such a false cut leaves the
 *   group unbalanced, so its `JSON.parse` fails and that group is redone the exact way.
 * - exact: a small state machine over the bytes (string/escape state and bracket depth, strings skipped
 *   with `indexOf('"')`) that does not depend on key order or whitespace; used whenever the fast way
 *   does not apply (pretty-printed or key-sorted files, bare arrays, huge records, the file's end).
 * The scan works on UTF-8 bytes: every byte of a multi-byte character is ≥ 0x80, so it never looks
 * like JSON structure.
 *
 * Outside the records array the top level is tokenized just enough to find `Records` among other keys
 * (whose values are skipped, not validated) and to give the same errors as a whole-body parse: not
 * JSON, a digest file, no `Records` array. An invalid record stops the file with an error naming it,
 * after every record before it has been handed out.
 */
import { InputFailure } from "../../util/errors";
import { parseLogBody } from "./logBody";

export interface RecordGroup {
  /** Index of the group's first record in the file. */
  start: number;
  records: unknown[];
}

export interface RecordSplitterOptions {
  /** Names the file in errors. */
  file: string;
  /** Records per group (a group may be smaller: see `groupBytes`, and the file's end). */
  groupRecords: number;
  /** Accept a bare JSON array of records (local files) besides `{"Records": [...]}`. */
  allowBareArray?: boolean;
  /** A group also closes at the first record boundary past this many bytes. Default 4 MiB. */
  groupBytes?: number;
  /** Largest single record (or other top-level value) accepted. Default 256 MiB. */
  maxRecordBytes?: number;
}

const SEPARATOR = Buffer.from('},{"eventVersion"');
const RECORD_HEAD = Buffer.from('{"eventVersion"');
const MIB = 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

type State =
  | "begin" // before the top-level value
  | "other" // a top-level value that is neither object nor array: collected for `parseLogBody`'s error
  | "keyOrEnd" // after the top-level `{`
  | "key" // after a `,` in the top-level object
  | "keyString" // inside a top-level key
  | "colon"
  | "value" // before a top-level value
  | "skip" // inside a top-level value other than the records
  | "afterValue"
  | "arrayStart" // after the records array's `[`
  | "groupStart" // at the first record of a group
  | "fast" // searching separators
  | "elements" // exact scanning of records
  | "end" // after the top-level value: only whitespace may follow
  | "failed";

export class RecordSplitter {
  private readonly file: string;
  private readonly groupRecords: number;
  private readonly allowBareArray: boolean;
  private readonly groupBytes: number;
  private readonly maxRecordBytes: number;

  /** Bytes not yet discarded; `buf[0]` is byte `base` of the body and `len` bytes are valid. Positions below are absolute. */
  private buf = Buffer.alloc(0);
  private base = 0;
  private len = 0;
  /** Next byte to look at. */
  private pos = 0;
  private state: State = "begin";
  private ended = false;

  // top level
  private bare = false;
  private keys: string[] = [];
  private digest = false;
  private recordsSeen = false;
  private currentKey = "";
  private keyStart = 0;
  private otherStart = 0;

  // string and nesting state, shared by "skip" and "elements"
  private inString = false;
  /** First byte after the opening quote of the string being skipped. */
  private strStart = 0;
  private depth = 0;

  // records
  private delivered = 0;
  private groupStart = 0;
  private elemHasContent = false;
  /** End (the `,` or `]`, exclusive) of each complete record of the current group, in exact mode. */
  private ends: number[] = [];
  private fastFrom = 0;
  private fastCount = 0;
  private fastCut = 0;

  constructor(
    options: RecordSplitterOptions,
    private readonly onGroup: (group: RecordGroup) => void,
  ) {
    this.file = options.file;
    this.groupRecords = Math.max(1, options.groupRecords);
    this.allowBareArray = options.allowBareArray ?? false;
    this.groupBytes = options.groupBytes ?? 4 * MIB;
    this.maxRecordBytes = options.maxRecordBytes ?? 256 * MIB;
  }

  /** Decompressed bytes seen so far. */
  get bytes(): number {
    return this.base + this.len;
  }

  /** Records handed to `onGroup` so far. */
  get records(): number {
    return this.delivered;
  }

  /** Feeds the next bytes; calls `onGroup` for the groups they complete. Throws `InputFailure` for content that is not a log. */
  push(chunk: Uint8Array): void {
    if (this.state === "failed" || this.ended) throw new Error("RecordSplitter: push after end or error");
    this.append(chunk);
    while (this.step()) {
      /* step until more bytes are needed */
    }
  }

  /** The body is complete: hands out the last group, or throws if the document is unfinished or not a log. */
  end(): void {
    if (this.state === "failed") throw new Error("RecordSplitter: end after error");
    this.ended = true;
    while (this.step()) {
      /* step to the end */
    }
    if (this.state === "end") return;
    let inside = "";
    if (this.state === "elements") {
      // An object record whose closing brace arrived is complete even if the comma after it did not.
      if (this.depth === 0 && !this.inString && this.elemHasContent && this.lastByte() === CLOSE_BRACE) this.ends.push(this.bytes);
      else inside = `, inside record /Records/${this.delivered + this.ends.length}`;
      this.emitExact(); // the complete records before the break
    }
    throw this.fail(`not valid JSON (unexpected end of data at byte ${this.bytes}${inside})`);
  }

  /**
   * The body broke off (a truncated gzip, a failed read): hands out every complete record received
   * and reports nothing itself — the caller reports the break.
   */
  salvage(): void {
    if (this.state === "failed" || this.state === "end") return;
    try {
      this.end();
    } catch {
      // the incomplete tail is the break the caller reports
    }
  }

  /** The last non-whitespace byte received, or -1. */
  private lastByte(): number {
    for (let k = this.len - 1; k >= 0; k--) {
      const c = this.buf[k]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
    }
    return -1;
  }

  private fail(reason: string): InputFailure {
    this.state = "failed";
    return new InputFailure(this.file, reason);
  }

  private invalid(what: string, at: number): InputFailure {
    return this.fail(`not valid JSON (${what} at byte ${at})`);
  }

  /** Where the bytes still needed begin; everything before can be dropped. */
  private keepFrom(): number {
    switch (this.state) {
      case "other":
        return this.otherStart;
      case "keyString":
        return this.keyStart;
      case "skip":
        return this.inString ? this.strStart : this.pos;
      case "groupStart":
      case "fast":
      case "elements":
        return this.groupStart;
      default:
        return this.pos;
    }
  }

  private append(chunk: Uint8Array): void {
    const drop = this.keepFrom() - this.base;
    const live = this.len - drop;
    if (live + chunk.length > this.maxRecordBytes) {
      const limit = this.maxRecordBytes >= MIB ? `${(this.maxRecordBytes / MIB).toFixed(0)} MiB` : `${this.maxRecordBytes} bytes`;
      if (this.state === "fast") this.startElements();
      if (this.state === "elements") {
        while (this.step()) {
          /* find the complete records among the bytes held */
        }
        this.emitExact();
      }
      const what = this.state === "elements" || this.state === "groupStart" ? `record /Records/${this.delivered} is larger than ${limit}` : `more than ${limit} without a record boundary`;
      throw this.fail(`${what} at byte ${this.bytes}; too large to parse`);
    }
    if (live + chunk.length > this.buf.length) {
      // Grow by half again (amortized copying for huge records) but no more, so the window stays near one group + one chunk.
      const next = Buffer.allocUnsafe(Math.max(live + chunk.length, Math.floor(1.5 * this.buf.length)));
      this.buf.copy(next, 0, drop, this.len);
      this.buf = next;
    } else if (drop > 0 && live > 0) {
      this.buf.copyWithin(0, drop, this.len);
    }
    this.base += drop;
    this.len = live;
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    this.viewCache = undefined;
  }

  /** The next non-whitespace byte at or after `pos` (moving `pos` to it), or -1 when the bytes run out. */
  private peek(): number {
    const { buf, base } = this;
    const end = base + this.len;
    let p = this.pos;
    while (p < end) {
      const c = buf[p - base]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p;
        return c;
      }
      p++;
    }
    this.pos = p;
    return -1;
  }

  /** Position of the quote closing a string whose content starts at `contentStart`, searching from `from`; -1 if not yet received. */
  private closingQuote(from: number, contentStart: number): number {
    const { buf, base } = this;
    const view = this.view();
    let j = from - base;
    const first = contentStart - base;
    for (;;) {
      j = view.indexOf(QUOTE, j);
      if (j < 0) return -1;
      let k = j - 1;
      while (k >= first && buf[k] === BACKSLASH) k--;
      if ((j - 1 - k) % 2 === 0) return j + base;
      j++;
    }
  }

  /**
   * Continues a string left open by the previous chunk: the position after its closing quote, or -1
   * (with `pos` at the end of what was received) when it is still open.
   */
  private resumeString(from: number, end: number): number {
    const close = this.closingQuote(from, this.strStart);
    if (close < 0) {
      this.pos = end;
      return -1;
    }
    this.inString = false;
    return close + 1;
  }

  /** `buf` cut to the received bytes (so searches never read stale bytes), made once per append. */
  private viewCache: Buffer | undefined;
  private view(): Buffer {
    return (this.viewCache ??= this.buf.subarray(0, this.len));
  }

  /** Advances one state; false when more bytes are needed (or the document is done). */
  private step(): boolean {
    switch (this.state) {
      case "begin":
        return this.stepBegin();
      case "other":
        return this.stepOther();
      case "keyOrEnd":
      case "key":
        return this.stepKey();
      case "keyString":
        return this.stepKeyString();
      case "colon": {
        const c = this.peek();
        if (c < 0) return false;
        if (c !== COLON) throw this.invalid(`expected ':' after key "${this.currentKey}"`, this.pos);
        this.pos++;
        this.state = "value";
        return true;
      }
      case "value":
        return this.stepValue();
      case "skip":
        return this.stepSkip();
      case "afterValue": {
        const c = this.peek();
        if (c < 0) return false;
        this.pos++;
        if (c === COMMA) this.state = "key";
        else if (c === CLOSE_BRACE) this.closeTopObject();
        else throw this.invalid(`expected ',' or '}' in the top-level object`, this.pos - 1);
        return true;
      }
      case "arrayStart": {
        const c = this.peek();
        if (c < 0) return false;
        if (c === CLOSE_BRACKET) {
          this.pos++;
          this.afterArray();
        } else {
          this.groupStart = this.pos;
          this.state = "groupStart";
        }
        return true;
      }
      case "groupStart":
        return this.stepGroupStart();
      case "fast":
        return this.stepFast();
      case "elements":
        return this.stepElements();
      case "end": {
        const c = this.peek();
        if (c < 0) return false;
        throw this.invalid("unexpected data after the end of the document", this.pos);
      }
      case "failed":
        return false;
    }
  }

  private stepBegin(): boolean {
    const c = this.peek();
    if (c < 0) {
      if (this.ended) parseLogBody("", this.file, this.allowBareArray); // empty: the usual "not valid JSON"
      return false;
    }
    if (c === OPEN_BRACE) {
      this.pos++;
      this.state = "keyOrEnd";
    } else if (c === OPEN_BRACKET) {
      if (!this.allowBareArray) throw this.fail('no "Records" array: not a CloudTrail log file (top level is an array)');
      this.pos++;
      this.bare = true;
      this.state = "arrayStart";
    } else {
      this.otherStart = this.pos;
      this.state = "other";
    }
    return true;
  }

  /** A string, number or literal at the top level: never a log; the whole-body parse words the error. */
  private stepOther(): boolean {
    this.pos = this.base + this.len;
    if (!this.ended) return false;
    const text = this.buf.subarray(this.otherStart - this.base, this.len);
    this.state = "failed";
    parseLogBody(Buffer.from(text), this.file, this.allowBareArray);
    throw this.fail("not a CloudTrail log file");
  }

  private stepKey(): boolean {
    const c = this.peek();
    if (c < 0) return false;
    if (c === CLOSE_BRACE && this.state === "keyOrEnd") {
      this.pos++;
      this.closeTopObject();
      return true;
    }
    if (c !== QUOTE) throw this.invalid("expected a key in the top-level object", this.pos);
    this.keyStart = this.pos;
    this.pos++;
    this.state = "keyString";
    return true;
  }

  private stepKeyString(): boolean {
    const close = this.closingQuote(this.pos, this.keyStart + 1);
    if (close < 0) {
      this.pos = this.base + this.len;
      return false;
    }
    let key: string;
    try {
      key = JSON.parse(this.buf.toString("utf8", this.keyStart - this.base, close + 1 - this.base)) as string;
    } catch {
      throw this.invalid("bad key in the top-level object", this.keyStart);
    }
    this.currentKey = key;
    if (this.keys.length < 5 && !this.keys.includes(key)) this.keys.push(key);
    if (key === "digestSignatureAlgorithm") this.digest = true;
    this.pos = close + 1;
    this.state = "colon";
    return true;
  }

  private stepValue(): boolean {
    const c = this.peek();
    if (c < 0) return false;
    if (this.currentKey === "Records" && !this.recordsSeen && c === OPEN_BRACKET) {
      this.recordsSeen = true;
      this.pos++;
      this.state = "arrayStart";
      return true;
    }
    // Any other value (a second `Records` too) is skipped; a `Records` that is not an array means no records.
    this.depth = 0;
    this.inString = false;
    this.state = "skip";
    return true;
  }

  private stepSkip(): boolean {
    const { buf, base } = this;
    const end = base + this.len;
    let p = this.pos;
    let depth = this.depth;
    if (this.inString) {
      p = this.resumeString(p, end);
      if (p < 0) return false;
    }
    for (; p < end; p++) {
      const c = buf[p - base]!;
      if (c === QUOTE) {
        const close = this.closingQuote(p + 1, p + 1);
        if (close < 0) {
          this.inString = true;
          this.strStart = p + 1;
          this.pos = end;
          this.depth = depth;
          return false;
        }
        p = close;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth > 0) {
          depth--;
        } else if (c === CLOSE_BRACE) {
          this.pos = p;
          this.state = "afterValue";
          return true;
        } else {
          throw this.invalid("unexpected ']'", p);
        }
      } else if (c === COMMA && depth === 0) {
        this.pos = p;
        this.state = "afterValue";
        return true;
      }
    }
    this.pos = p;
    this.depth = depth;
    return false;
  }

  private closeTopObject(): void {
    if (!this.recordsSeen) {
      if (this.digest) throw this.fail("a CloudTrail digest file, not a log file (no Records array)");
      const top = this.keys.length === 0 ? "an empty object" : `an object with ${this.keys.join(", ")}`;
      throw this.fail(`no "Records" array: not a CloudTrail log file (top level is ${top})`);
    }
    this.state = "end";
  }

  private afterArray(): void {
    this.state = this.bare ? "end" : "afterValue";
  }

  private stepGroupStart(): boolean {
    const c = this.peek();
    this.groupStart = this.pos;
    const available = this.base + this.len - this.pos;
    if (c < 0 || available < RECORD_HEAD.length) {
      if (!this.ended) return false;
      this.startElements();
      return true;
    }
    const at = this.pos - this.base;
    if (this.buf.compare(RECORD_HEAD, 0, RECORD_HEAD.length, at, at + RECORD_HEAD.length) === 0) {
      this.state = "fast";
      this.fastFrom = this.pos;
      this.fastCount = 0;
      this.fastCut = -1;
    } else {
      this.startElements();
    }
    return true;
  }

  private stepFast(): boolean {
    const view = this.view();
    const base = this.base;
    for (;;) {
      const found = view.indexOf(SEPARATOR, this.fastFrom - base);
      if (found < 0) break;
      const at = found + base;
      this.fastCount++;
      this.fastCut = at + 1;
      this.fastFrom = at + 2;
      if (this.fastCount >= this.groupRecords || this.fastCut - this.groupStart >= this.groupBytes) {
        this.emitFast();
        return true;
      }
    }
    const end = base + this.len;
    this.fastFrom = Math.max(this.fastFrom, end - SEPARATOR.length + 1);
    if (this.ended) {
      this.startElements(); // the last records and the array's end, the exact way
      return true;
    }
    // A long stretch without a separator: a huge record or another layout. Stop buffering for the fast way.
    if (end - (this.fastCount > 0 ? this.fastCut : this.groupStart) > this.groupBytes) {
      if (this.fastCount > 0) this.emitFast();
      else this.startElements();
      return true;
    }
    return false;
  }

  /** Parses the fast group [groupStart, fastCut); on failure (a false cut, or bad JSON) redoes it the exact way. */
  private emitFast(): void {
    const from = this.groupStart;
    const to = this.fastCut;
    let records: unknown[];
    try {
      records = JSON.parse(`[${this.buf.toString("utf8", from - this.base, to - this.base)}]`) as unknown[];
    } catch {
      this.startElements();
      return;
    }
    this.deliver(records);
    this.pos = to + 1;
    this.groupStart = to + 1;
    this.state = "groupStart";
  }

  private startElements(): void {
    this.state = "elements";
    this.pos = this.groupStart;
    this.depth = 0;
    this.inString = false;
    this.elemHasContent = false;
    this.ends = [];
  }

  private stepElements(): boolean {
    const { buf, base } = this;
    const view = this.view();
    const end = base + this.len;
    let p = this.pos;
    let depth = this.depth;
    let content = this.elemHasContent;
    if (this.inString) {
      p = this.resumeString(p, end);
      if (p < 0) return false;
    }
    for (; p < end; p++) {
      const c = buf[p - base]!;
      if (c === QUOTE) {
        // Skip the string: jump to each quote natively, keep the first one not escaped (inlined: the hot path).
        content = true;
        const first = p + 1 - base;
        let j = first;
        for (;;) {
          j = view.indexOf(QUOTE, j);
          if (j < 0) break;
          let k = j - 1;
          while (k >= first && view[k] === BACKSLASH) k--;
          if ((j - 1 - k) % 2 === 0) break;
          j++;
        }
        if (j < 0) {
          this.inString = true;
          this.strStart = p + 1;
          p = end;
          break;
        }
        p = j + base;
        continue;
      }
      if (c <= 0x20) continue;
      if (c === COMMA) {
        if (depth > 0) continue;
        if (!content) {
          this.emitExact();
          throw this.invalid(`missing record before ','`, p);
        }
        this.ends.push(p);
        content = false;
        if (this.ends.length >= this.groupRecords || p - this.groupStart >= this.groupBytes) {
          this.emitExact();
          this.pos = p + 1;
          this.groupStart = p + 1;
          this.state = "groupStart";
          return true;
        }
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        content = true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth > 0) {
          depth--;
          continue;
        }
        // Depth 0: the records array closes here, or the document is broken.
        if (c === CLOSE_BRACE) {
          this.emitExact();
          throw this.invalid("unexpected '}' in the records array", p);
        }
        return this.closeRecordsArray(p, content);
      } else {
        content = true;
      }
    }
    this.pos = p;
    this.depth = depth;
    this.elemHasContent = content;
    return false;
  }

  /**
   * `]` at `p` closes the records array. Exact scanning starts at a record (never at `]`: "arrayStart"
   * takes `[]`) or after a comma, so no record since the last comma means a trailing comma.
   */
  private closeRecordsArray(p: number, content: boolean): boolean {
    if (!content) {
      this.emitExact();
      throw this.invalid("trailing ',' before ']'", p);
    }
    this.ends.push(p);
    this.emitExact();
    this.pos = p + 1;
    this.afterArray();
    return true;
  }

  /** Parses the complete records of the current exact group and hands them out. */
  private emitExact(): void {
    const ends = this.ends;
    if (ends.length === 0) return;
    this.ends = [];
    const from = this.groupStart;
    const to = ends[ends.length - 1]!;
    let records: unknown[];
    try {
      records = JSON.parse(`[${this.buf.toString("utf8", from - this.base, to - this.base)}]`) as unknown[];
    } catch {
      this.isolate(from, ends);
      return;
    }
    this.deliver(records);
  }

  /** A group that is not valid JSON: hands out the records before the bad one, then stops the file naming it. */
  private isolate(from: number, ends: readonly number[]): void {
    const good: unknown[] = [];
    let start = from;
    for (const end of ends) {
      try {
        good.push(JSON.parse(this.buf.toString("utf8", start - this.base, end - this.base)));
      } catch (err) {
        if (good.length > 0) this.deliver(good);
        throw this.fail(`not valid JSON at /Records/${this.delivered} (${(err as Error).message}; the record starts at byte ${start})`);
      }
      start = end + 1;
    }
    this.deliver(good);
  }

  /** Hands out records in groups of at most `groupRecords` (a fast cut can hold more when non-record values sit between records). */
  private deliver(records: unknown[]): void {
    for (let from = 0; from < records.length; from += this.groupRecords) {
      const group = records.length <= this.groupRecords ? records : records.slice(from, from + this.groupRecords);
      const start = this.delivered;
      this.delivered += group.length;
      this.onGroup({ start, records: group });
    }
  }
}
