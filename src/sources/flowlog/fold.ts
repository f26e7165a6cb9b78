/**
 * Flow log text → conversations, without keeping records: each line is parsed and folded into a
 * `ConversationTable` at once, and the table is handed over (`take`) whenever it holds `limit`
 * conversations, so memory follows the number of distinct conversations, not of lines.
 *
 * The hot path reads a line where it lies in the text: one pass over its characters, numbers
 * converted in place, strings left where they are. A line of a conversation seen before is found by
 * a hash of its key fields and checked against them in place, so it costs no substring, no key
 * string and no object; only a conversation's first line makes substrings and goes through the
 * table's general `add` (one reused scratch record). Anything unusual (a header line, stray
 * whitespace, a bad token) goes to the record parser's general path, which reports malformed lines
 * with their line numbers exactly as `FlowLogParser` does.
 */
import { ConversationTable, type Conversation, type FlowUnit, type FoldableRecord } from "./conversations";
import { decide, srcIsClient } from "./direction";
import { FIELDS } from "./fields";
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
const SPACE = 32;
const DASH = 45;

/** A scratch record with every field folding reads, so it keeps one shape for the whole input. */
function scratchRecord(): FoldableRecord & { [K in RoleKey]: FoldableRecord[K] } {
  return {
    line: 0, interfaceId: undefined, accountId: undefined, region: undefined, srcaddr: undefined, dstaddr: undefined, pktSrcaddr: undefined,
    pktDstaddr: undefined, pktSrcAwsService: undefined, pktDstAwsService: undefined, srcport: undefined, dstport: undefined, protocol: undefined,
    packets: undefined, bytes: undefined, start: undefined, end: undefined, tcpFlags: undefined, trafficPath: undefined, action: undefined,
    logStatus: undefined,
  };
}

/** A conversation found for a key before: the key's parts, to check a hash hit against. */
interface CacheEntry {
  readonly interfaceId: string;
  readonly client: string;
  readonly server: string;
  readonly serverPort: number | undefined;
  readonly protocol: number | undefined;
  readonly action: string | undefined;
  readonly conversation: Conversation;
  readonly flipped: boolean;
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
  private readonly cache = new Map<number, CacheEntry>();
  /** Where each string role's token lies in the current line (start, end; start -1 when missing or absent). */
  private readonly spans = new Int32Array(2 * (STRING_ROLES + 1));
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
      this.kinds[i] = column.kind === "int" ? KIND_INT : column.kind === "action" ? KIND_ACTION : column.kind === "status" ? KIND_STATUS : KIND_STRING;
      const role = column.key === undefined ? -1 : (ROLE_KEYS as readonly string[]).indexOf(column.key);
      this.roles[i] = role + 1;
    });
    this.firstIsInt = this.kinds[0] === KIND_INT;
    this.hasServices = this.roles.includes(8) || this.roles.includes(9);
    this.scratch = scratchRecord();
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

  /** The hot path; false (having changed nothing) when the line needs the general path. */
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
    spans.fill(-1);
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
      } else {
        while (stop < end && text.charCodeAt(stop) !== SPACE) stop++;
      }
      const length = stop - pos;
      if (length === 0 || (i < count - 1 ? stop >= end : stop !== end)) return false;
      const missing = length === 1 && text.charCodeAt(pos) === DASH;
      if (kind === KIND_INT) {
        if (role !== 0) this.setNumber(r, role, value);
      } else if (kind === KIND_STRING) {
        if (role !== 0 && !missing) {
          spans[2 * role] = pos;
          spans[2 * role + 1] = stop;
        }
      } else if (kind === KIND_ACTION) {
        let action: "ACCEPT" | "REJECT" | undefined;
        if (!missing) {
          if (length === 6 && text.startsWith("ACCEPT", pos)) action = "ACCEPT";
          else if (length === 6 && text.startsWith("REJECT", pos)) action = "REJECT";
          else return false;
        }
        r.action = action;
      } else {
        let status: "OK" | "NODATA" | "SKIPDATA" | undefined;
        if (!missing) {
          if (length === 2 && text.startsWith("OK", pos)) status = "OK";
          else if (length === 6 && text.startsWith("NODATA", pos)) status = "NODATA";
          else if (length === 8 && text.startsWith("SKIPDATA", pos)) status = "SKIPDATA";
          else return false;
        }
        r.logStatus = status;
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
    const clientRole = up ? srcRole : dstRole;
    const serverRole = up ? dstRole : srcRole;
    const serverPort = up ? r.dstport : r.srcport;
    let h = hashSpan(text, spans[2 * ROLE_INTERFACE]!, spans[2 * ROLE_INTERFACE + 1]!, 0x811c9dc5);
    h = hashSpan(text, spans[2 * clientRole]!, spans[2 * clientRole + 1]!, h);
    h = hashSpan(text, spans[2 * serverRole]!, spans[2 * serverRole + 1]!, h);
    h = Math.imul(h ^ (serverPort ?? 70_000), 16777619);
    h = Math.imul(h ^ ((r.protocol ?? 300) * 4 + (r.action === "ACCEPT" ? 1 : r.action === "REJECT" ? 2 : 3)), 16777619);
    const entry = this.cache.get(h);
    if (
      entry !== undefined &&
      entry.serverPort === serverPort &&
      entry.protocol === r.protocol &&
      entry.action === r.action &&
      spanIs(text, spans, ROLE_INTERFACE, entry.interfaceId) &&
      spanIs(text, spans, clientRole, entry.client) &&
      spanIs(text, spans, serverRole, entry.server)
    ) {
      // Only services are read from a repeat record's strings (the first one seen wins).
      if (this.hasServices) this.fillStrings(text, r);
      this.table.foldInto(entry.conversation, r, code, entry.flipped);
      return true;
    }
    this.fillStrings(text, r);
    const conversation = this.table.add(r);
    if (conversation !== undefined && r.interfaceId !== undefined) {
      this.cache.set(h, {
        interfaceId: r.interfaceId,
        client: up ? (srcRole === ROLE_PKT_SRC ? r.pktSrcaddr! : r.srcaddr!) : dstRole === ROLE_PKT_DST ? r.pktDstaddr! : r.dstaddr!,
        server: up ? (dstRole === ROLE_PKT_DST ? r.pktDstaddr! : r.dstaddr!) : srcRole === ROLE_PKT_SRC ? r.pktSrcaddr! : r.srcaddr!,
        serverPort,
        protocol: r.protocol,
        action: r.action,
        conversation,
        flipped: this.table.flipped,
      });
    }
    return true;
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

/** FNV-1a over `text[start, end)`, continuing from `h`. */
function hashSpan(text: string, start: number, end: number, h: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}

function spanIs(text: string, spans: Int32Array, role: number, value: string): boolean {
  const start = spans[2 * role]!;
  const length = value.length;
  if (spans[2 * role + 1]! - start !== length) return false;
  // A character loop: `startsWith` with a position into a 100 MB text was a quarter of the fold's time.
  for (let i = 0; i < length; i++) if (text.charCodeAt(start + i) !== value.charCodeAt(i)) return false;
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
