/**
 * Flow log text → conversations, without keeping records: each line is parsed and folded into a
 * `ConversationTable` at once, and the table is handed over (`take`) whenever it holds `limit`
 * conversations, so memory follows the number of distinct conversations, not of lines.
 *
 * The hot path reads a line where it lies in the text: one pass over its characters, numbers
 * converted in place, strings left where they are. The key fields are read as numbers in the same
 * pass (the interface id's hex digits, IPv4 addresses), so a line of a conversation seen before is
 * found in `ConversationCache` by numbers alone: no substring, no key string, no object, and no
 * character read twice. Only a conversation's first line, and lines whose key fields have another
 * form (IPv6), make substrings and go through the table's general `add` (one reused scratch record).
 * Anything unusual (a header line, stray whitespace, a bad token) goes to the record parser's general
 * path, which reports malformed lines with their line numbers exactly as `FlowLogParser` does.
 */
import { ConversationTable, type FlowUnit, type FoldableRecord } from "./conversations";
import { decide, srcIsClient } from "./direction";
import { FIELDS } from "./fields";
import { ConversationCache, MAX_INTERFACE_DIGITS, protocolAction } from "./foldCache";
import { FlowLogParser, LineCursor, type ParseOptions } from "./parse";

export interface FoldOptions extends ParseOptions {
  /** Fold records into conversations (default true); false keeps one unit per record. */
  aggregate?: boolean;
}

/** The record fields folding reads, by column role (0: a column folding does not read). */
const ROLE_KEYS = [
  "interfaceId", "accountId", "region", "srcaddr", "dstaddr", "pktSrcaddr", "pktDstaddr", "pktSrcAwsService", "pktDstAwsService",
  "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "tcpFlags", "trafficPath", "action", "logStatus",
] as const satisfies ReadonlyArray<keyof FoldableRecord>;
type RoleKey = (typeof ROLE_KEYS)[number];

const KIND_STRING = 0;
const KIND_INT = 1;
const KIND_ACTION = 2;
const KIND_STATUS = 3;
/** Strings that are key fields, also read as numbers: addresses, and the interface id. */
const KIND_ADDRESS = 4;
const KIND_INTERFACE = 5;
const SPACE = 32;
const DASH = 45;
const DOT = 46;

/** A scratch record with every field folding reads, so it keeps one shape for the whole input. */
function scratchRecord(): FoldableRecord & { [K in RoleKey]: FoldableRecord[K] } {
  return {
    line: 0, interfaceId: undefined, accountId: undefined, region: undefined, srcaddr: undefined, dstaddr: undefined, pktSrcaddr: undefined,
    pktDstaddr: undefined, pktSrcAwsService: undefined, pktDstAwsService: undefined, srcport: undefined, dstport: undefined, protocol: undefined,
    packets: undefined, bytes: undefined, start: undefined, end: undefined, tcpFlags: undefined, trafficPath: undefined, action: undefined,
    logStatus: undefined,
  };
}

const ROLE_INTERFACE = 1;
const ROLE_SRC = 4;
const ROLE_DST = 5;
const ROLE_PKT_SRC = 6;
const ROLE_PKT_DST = 7;
const STRING_ROLES = 9;

export class FlowLogFolder extends FlowLogParser {
  /** Read `size` from it; hand its units over with `take()` on the folder, which also clears the cache. */
  readonly table: ConversationTable;
  private readonly cache = new ConversationCache();
  /**
   * Per string role, where its token lies in the current line (start, end; start -1 when missing or
   * not in the format), and its number (interface: high, low; address: value, unused; -1 when the
   * token has another form). A column writes both on every line, so neither needs clearing.
   */
  private readonly spans = new Int32Array(2 * (STRING_ROLES + 1));
  private readonly codes = new Float64Array(2 * (STRING_ROLES + 1));
  private kinds!: Uint8Array;
  /** 1 + index in ROLE_KEYS, or 0. */
  private roles!: Uint8Array;
  private firstIsInt = false;
  private hasServices = false;
  private scratch = scratchRecord();

  constructor(options: FoldOptions = {}) {
    super(options);
    this.table = new ConversationTable(options.aggregate ?? true);
    this.formatChanged();
  }

  protected override formatChanged(): void {
    const columns = this.format.columns;
    this.kinds = new Uint8Array(columns.length);
    this.roles = new Uint8Array(columns.length);
    columns.forEach((column, i) => {
      const role = (column.key === undefined ? -1 : (ROLE_KEYS as readonly string[]).indexOf(column.key)) + 1;
      this.roles[i] = role;
      this.kinds[i] =
        column.kind === "int" ? KIND_INT
        : column.kind === "action" ? KIND_ACTION
        : column.kind === "status" ? KIND_STATUS
        : role === ROLE_INTERFACE ? KIND_INTERFACE
        : role === ROLE_SRC || role === ROLE_DST || role === ROLE_PKT_SRC || role === ROLE_PKT_DST ? KIND_ADDRESS
        : KIND_STRING;
    });
    this.firstIsInt = this.kinds[0] === KIND_INT;
    this.hasServices = this.roles.includes(8) || this.roles.includes(9);
    this.scratch = scratchRecord();
    this.spans.fill(-1);
    this.codes.fill(-1);
  }

  /** The general path: a line's tokens, as the record parser splits them. */
  protected override accept(parts: readonly string[], line: number): number {
    const built = this.format.build(parts, line);
    if (typeof built === "number") return built;
    this.table.add(built);
    return -1;
  }

  /** Hands over the folded conversations and gaps (as `table.take()`, forgetting the cache too). */
  take(): FlowUnit[] {
    this.cache.clear();
    return this.table.take();
  }

  /** Parses and folds the line `text[from, end)` (no line break inside). */
  pushRange(text: string, from: number, end: number, line: number): void {
    if (!this.fast(text, from, end, line)) this.push(text.slice(from, end), line);
  }

  /** The hot path; false (having changed nothing but scratch state) when the line needs the general path. */
  private fast(text: string, from: number, end: number, line: number): boolean {
    const kinds = this.kinds;
    const roles = this.roles;
    const count = kinds.length;
    const first = text.charCodeAt(from);
    // Header lines start with a field name; a digit cannot start one.
    if (!(this.firstIsInt && first >= 48 && first <= 57)) {
      if (first === SPACE) return false;
      let stop = text.indexOf(" ", from);
      if (stop < 0 || stop > end) stop = end;
      if (FIELDS.has(text.slice(from, stop))) return false;
    }
    const r = this.scratch;
    const spans = this.spans;
    const codes = this.codes;
    let pos = from;
    for (let i = 0; i < count; i++) {
      const kind = kinds[i]!;
      const role = roles[i]!;
      // One pass over the characters (a builtin call per token costs more than the token's bytes).
      let stop = pos;
      let value: number | undefined = 0;
      if (kind === KIND_INT) {
        for (; stop < end; stop++) {
          const digit = text.charCodeAt(stop) - 48;
          if (digit < 0 || digit > 9) break;
          value = value * 10 + digit;
        }
        if (stop === pos) {
          if (text.charCodeAt(pos) !== DASH) return false;
          value = undefined;
          stop++;
        } else if (stop - pos > 15) return false;
        if (stop < end && text.charCodeAt(stop) !== SPACE) return false;
      } else if (kind === KIND_ADDRESS) {
        stop = this.readAddress(text, pos, end, role);
      } else if (kind === KIND_INTERFACE) {
        stop = this.readInterface(text, pos, end, role);
      } else {
        while (stop < end && text.charCodeAt(stop) !== SPACE) stop++;
      }
      const length = stop - pos;
      if (length === 0 || (i < count - 1 ? stop >= end : stop !== end)) return false;
      const missing = length === 1 && text.charCodeAt(pos) === DASH;
      if (kind === KIND_INT) {
        if (role !== 0) this.setNumber(r, role, value);
      } else if (kind === KIND_ACTION) {
        let action: "ACCEPT" | "REJECT" | undefined;
        if (!missing) {
          if (length === 6 && holds(text, pos, "ACCEPT")) action = "ACCEPT";
          else if (length === 6 && holds(text, pos, "REJECT")) action = "REJECT";
          else return false;
        }
        r.action = action;
      } else if (kind === KIND_STATUS) {
        let status: "OK" | "NODATA" | "SKIPDATA" | undefined;
        if (!missing) {
          if (length === 2 && holds(text, pos, "OK")) status = "OK";
          else if (length === 6 && holds(text, pos, "NODATA")) status = "NODATA";
          else if (length === 8 && holds(text, pos, "SKIPDATA")) status = "SKIPDATA";
          else return false;
        }
        r.logStatus = status;
      } else if (role !== 0) {
        spans[2 * role] = missing ? -1 : pos;
        spans[2 * role + 1] = stop;
      }
      pos = stop + 1;
    }
    r.line = line;
    this.accepted++;
    const status = r.logStatus;
    const srcRole = spans[2 * ROLE_PKT_SRC]! >= 0 ? ROLE_PKT_SRC : ROLE_SRC;
    const dstRole = spans[2 * ROLE_PKT_DST]! >= 0 ? ROLE_PKT_DST : ROLE_DST;
    if (!this.table.aggregating || (status !== undefined && status !== "OK") || spans[2 * srcRole]! < 0 || spans[2 * dstRole]! < 0) {
      this.fillStrings(text, r);
      this.table.add(r);
      return true;
    }
    const code = decide(r.protocol, r.tcpFlags, r.srcport, r.dstport);
    const up = srcIsClient(code);
    const interfaceHigh = codes[2 * ROLE_INTERFACE]!;
    const client = codes[2 * (up ? srcRole : dstRole)]!;
    const server = codes[2 * (up ? dstRole : srcRole)]!;
    if (interfaceHigh < 0 || client < 0 || server < 0) {
      this.fillStrings(text, r);
      this.table.add(r);
      return true;
    }
    const interfaceLow = codes[2 * ROLE_INTERFACE + 1]!;
    const serverPort = (up ? r.dstport : r.srcport) ?? -1;
    const protocolAndAction = protocolAction(r.protocol, r.action);
    const known = this.cache.find(interfaceHigh, interfaceLow, client, server, serverPort, protocolAndAction);
    if (known !== undefined) {
      // Only services are read from a repeat record's strings (the first one seen wins).
      if (this.hasServices) this.fillStrings(text, r);
      this.table.foldInto(known.conversation, r, code, known.flipped);
      return true;
    }
    this.fillStrings(text, r);
    const conversation = this.table.add(r);
    if (conversation !== undefined) {
      this.cache.add({ interfaceHigh, interfaceLow, client, server, serverPort, protocolAction: protocolAndAction, conversation, flipped: this.table.flipped });
    }
    return true;
  }

  /**
   * Finds the end of an address token at `pos` and sets its number: a dotted quad without leading
   * zeros is its 32-bit value; any other form (IPv6, `-`) is -1.
   */
  private readAddress(text: string, pos: number, end: number, role: number): number {
    let address = 0;
    let octet = 0;
    let digits = 0;
    let dots = 0;
    let valid = true;
    let stop = pos;
    for (; stop < end; stop++) {
      const c = text.charCodeAt(stop);
      if (c === SPACE) break;
      if (c === DOT) {
        valid = valid && digits > 0 && octet < 256;
        address = address * 256 + octet;
        octet = 0;
        digits = 0;
        dots++;
      } else if (c >= 48 && c <= 57 && !(digits === 1 && octet === 0)) {
        octet = octet * 10 + c - 48;
        digits++;
      } else valid = false;
    }
    this.codes[2 * role] = valid && dots === 3 && digits > 0 && octet < 256 ? address * 256 + octet : -1;
    return stop;
  }

  /**
   * Finds the end of an interface-id token at `pos` and sets its numbers: for `eni-` and 1 to
   * `MAX_INTERFACE_DIGITS` lower-case hex digits, the bits above the low 32 times 32 plus the digit
   * count, and the low 32 bits; -1 for any other form.
   */
  private readInterface(text: string, pos: number, end: number, role: number): number {
    let high = 0;
    let low = 0;
    let digits = 0;
    let stop = pos;
    let valid = text.charCodeAt(pos) === 101 && text.charCodeAt(pos + 1) === 110 && text.charCodeAt(pos + 2) === 105 && text.charCodeAt(pos + 3) === DASH;
    if (valid) stop += 4;
    for (; stop < end; stop++) {
      const c = text.charCodeAt(stop);
      if (c === SPACE) break;
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (digit < 0) {
        valid = false;
        continue;
      }
      high = high * 16 + (low >>> 28);
      low = ((low << 4) | digit) >>> 0;
      digits++;
    }
    valid = valid && digits > 0 && digits <= MAX_INTERFACE_DIGITS;
    this.codes[2 * role] = valid ? high * 32 + digits : -1;
    this.codes[2 * role + 1] = low;
    return stop;
  }

  /** Sets every string field of the scratch record from the current line's spans. */
  private fillStrings(text: string, r: FoldableRecord): void {
    const spans = this.spans;
    for (let role = 1; role <= STRING_ROLES; role++) {
      const start = spans[2 * role]!;
      this.setString(r, role, start < 0 ? undefined : text.slice(start, spans[2 * role + 1]!));
    }
  }

  private setNumber(r: FoldableRecord, role: number, value: number | undefined): void {
    switch (role) {
      case 10: r.srcport = value; break;
      case 11: r.dstport = value; break;
      case 12: r.protocol = value; break;
      case 13: r.packets = value; break;
      case 14: r.bytes = value; break;
      case 15: r.start = value; break;
      case 16: r.end = value; break;
      case 17: r.tcpFlags = value; break;
      case 18: r.trafficPath = value; break;
    }
  }

  private setString(r: FoldableRecord, role: number, value: string | undefined): void {
    switch (role) {
      case 1: r.interfaceId = value; break;
      case 2: r.accountId = value; break;
      case 3: r.region = value; break;
      case 4: r.srcaddr = value; break;
      case 5: r.dstaddr = value; break;
      case 6: r.pktSrcaddr = value; break;
      case 7: r.pktDstaddr = value; break;
      case 8: r.pktSrcAwsService = value; break;
      case 9: r.pktDstAwsService = value; break;
    }
  }
}

/** Whether `text` has `word` at `pos`: a character loop costs less than a builtin call per token. */
function holds(text: string, pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(pos + i) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * Folds `text` line by line (lines numbered from `firstLine`), yielding the table's units whenever it
 * holds `limit` of them, and the rest at the end. Read malformed lines from `folder.result()` after.
 */
export function* foldFlowLogText(text: string, folder: FlowLogFolder, limit: number, firstLine = 1): Generator<FlowUnit[]> {
  const table = folder.table;
  for (const cursor = new LineCursor(text, firstLine); cursor.advance(); ) {
    if (cursor.end === cursor.from) continue;
    folder.pushRange(text, cursor.from, cursor.end, cursor.line);
    if (table.size >= limit) yield folder.take();
  }
  if (table.size > 0) yield folder.take();
}
