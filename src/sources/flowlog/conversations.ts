/**
 * Records → conversations. Real flow logs repeat the same conversations (client, server, server port)
 * across capture windows, each connection from a new ephemeral client port, each direction its own
 * record. Folding them before enrichment means each conversation is enriched, turned into subjects
 * and evaluated once instead of once per line, and both directions meet in one place (pairing).
 *
 * A conversation is keyed by (interface, action, protocol, client address, server address, server
 * port), after the client/server decision each record allows on its own: TCP flags where present,
 * else the port heuristics (`direction.ts`). It sums bytes and packets per direction and keeps the
 * earliest start, the latest end, the number of records and the first line numbers. NODATA and
 * SKIPDATA records (and records without addresses) are never folded: each stays its own gap.
 */
import { clientBy, decide, srcIsClient, type ClientBy } from "./direction";
import type { FlowAction, FlowRecord } from "./fields";

/** Line numbers kept per conversation (the first is where findings point); `records` counts them all. */
export const MAX_LINES_PER_CONVERSATION = 32;

export interface Conversation {
  readonly kind: "traffic";
  readonly interfaceId: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly action: FlowAction | undefined;
  readonly protocol: number | undefined;
  readonly client: string;
  readonly server: string;
  /** Client port of the first record (later connections of the conversation use other ephemeral ports). */
  readonly clientPort: number | undefined;
  readonly serverPort: number | undefined;
  clientBy: ClientBy;
  /** v5 `pkt-src/dst-aws-service` of the client / server end, first seen. */
  clientAwsService: string | undefined;
  serverAwsService: string | undefined;
  /** Sums over the records of each direction; undefined when no record of that direction had a count. */
  upBytes: number | undefined;
  upPackets: number | undefined;
  downBytes: number | undefined;
  downPackets: number | undefined;
  sawUp: boolean;
  sawDown: boolean;
  start: number | undefined;
  end: number | undefined;
  /** TCP flags of all records, OR-ed (flags are cumulative within a record already). */
  tcpFlags: number | undefined;
  trafficPath: number | undefined;
  records: number;
  /** The first `MAX_LINES_PER_CONVERSATION` line numbers, in input order. */
  readonly lines: number[];
}

/** A record without traffic: NODATA, SKIPDATA, or a custom format without addresses. */
export interface FlowGapRecord {
  readonly kind: "gap";
  readonly logStatus: "NODATA" | "SKIPDATA";
  readonly interfaceId: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly line: number;
}

export type FlowUnit = Conversation | FlowGapRecord;

/** The record fields folding reads (a `FlowRecord`, or the hot-path parser's reused scratch record). */
export type FoldableRecord = Pick<
  FlowRecord,
  | "line" | "interfaceId" | "accountId" | "region" | "srcaddr" | "dstaddr" | "pktSrcaddr" | "pktDstaddr" | "srcport" | "dstport"
  | "protocol" | "packets" | "bytes" | "start" | "end" | "action" | "logStatus" | "tcpFlags" | "trafficPath"
  | "pktSrcAwsService" | "pktDstAwsService"
>;

const SOURCE: ClientBy = "source";

function keyOf(r: FoldableRecord, client: string, server: string, serverPort: number | undefined): string {
  return `${r.interfaceId}|${r.action}|${r.protocol}|${client}|${server}|${serverPort}`;
}

/**
 * Folds records into conversations, in first-seen order. `aggregate: false` keeps one unit per record
 * (still oriented client → server). Nothing of a record is kept after `add` returns, so a caller can
 * pass one reused object.
 */
export class ConversationTable {
  private readonly byKey = new Map<string, Conversation>();
  private units: FlowUnit[] = [];

  constructor(private readonly aggregate = true) {}

  /** After `add`: true when the record went into a conversation oriented against its own decision. */
  flipped = false;

  /** Whether records are folded at all (the folder's cache only applies when they are). */
  get aggregating(): boolean {
    return this.aggregate;
  }

  /** Conversations and gaps held (what memory and the next enrichment batch are proportional to). */
  get size(): number {
    return this.units.length;
  }

  /** Folds one record; returns its conversation (undefined for a gap). */
  add(r: FoldableRecord): Conversation | undefined {
    this.flipped = false;
    const status = r.logStatus;
    const src = r.pktSrcaddr ?? r.srcaddr;
    const dst = r.pktDstaddr ?? r.dstaddr;
    if ((status !== undefined && status !== "OK") || src === undefined || dst === undefined) {
      this.units.push({
        kind: "gap",
        logStatus: status === "SKIPDATA" ? "SKIPDATA" : "NODATA",
        interfaceId: r.interfaceId,
        accountId: r.accountId,
        region: r.region,
        start: r.start,
        end: r.end,
        line: r.line,
      });
      return undefined;
    }
    const code = decide(r.protocol, r.tcpFlags, r.srcport, r.dstport);
    let up = srcIsClient(code);
    if (!this.aggregate) {
      const single = this.create(r, code, up, src, dst);
      this.units.push(single);
      return single;
    }
    const key = up ? keyOf(r, src, dst, r.dstport) : keyOf(r, dst, src, r.srcport);
    let conversation = this.byKey.get(key);
    if (conversation === undefined) {
      // The other direction may be known already, oriented the other way: when this record cannot
      // tell (no ports: ICMP, equal ports), or when the other was oriented by TCP flags (a SYN is
      // stronger evidence than this record's port guess).
      const by = clientBy(code);
      const reverse = this.byKey.get(up ? keyOf(r, dst, src, r.srcport) : keyOf(r, src, dst, r.dstport));
      if (reverse !== undefined && (by === SOURCE || (reverse.clientBy === "tcp-flags" && by !== "tcp-flags"))) {
        conversation = reverse;
        up = !up;
        this.flipped = true;
      } else {
        conversation = this.create(r, code, up, src, dst);
        this.byKey.set(key, conversation);
        this.units.push(conversation);
        return conversation;
      }
    } else if (conversation.clientBy !== "tcp-flags" && (code >> 1) === 0) {
      conversation.clientBy = "tcp-flags";
    }
    fold(conversation, r, up);
    return conversation;
  }

  /**
   * Folds a record into the conversation `add` returned for a record with the same key and decision
   * (the folder's cache): `flipped` as `add` reported it then, `code` this record's own decision.
   */
  foldInto(conversation: Conversation, r: FoldableRecord, code: number, flipped: boolean): void {
    if (!flipped && conversation.clientBy !== "tcp-flags" && (code >> 1) === 0) conversation.clientBy = "tcp-flags";
    fold(conversation, r, srcIsClient(code) !== flipped);
  }

  /** Hands over everything folded so far and starts afresh. */
  take(): FlowUnit[] {
    const units = this.units;
    this.units = [];
    this.byKey.clear();
    return units;
  }

  private create(r: FoldableRecord, code: number, up: boolean, src: string, dst: string): Conversation {
    const conversation: Conversation = {
      kind: "traffic",
      interfaceId: r.interfaceId,
      accountId: r.accountId,
      region: r.region,
      action: r.action,
      protocol: r.protocol,
      client: up ? src : dst,
      server: up ? dst : src,
      clientPort: up ? r.srcport : r.dstport,
      serverPort: up ? r.dstport : r.srcport,
      clientBy: clientBy(code),
      clientAwsService: undefined,
      serverAwsService: undefined,
      upBytes: undefined,
      upPackets: undefined,
      downBytes: undefined,
      downPackets: undefined,
      sawUp: false,
      sawDown: false,
      start: undefined,
      end: undefined,
      tcpFlags: undefined,
      trafficPath: undefined,
      records: 0,
      lines: [],
    };
    fold(conversation, r, up);
    return conversation;
  }
}

function fold(c: Conversation, r: FoldableRecord, up: boolean): void {
  const bytes = r.bytes;
  const packets = r.packets;
  if (up) {
    c.sawUp = true;
    if (bytes !== undefined) c.upBytes = (c.upBytes ?? 0) + bytes;
    if (packets !== undefined) c.upPackets = (c.upPackets ?? 0) + packets;
    c.clientAwsService ??= r.pktSrcAwsService;
    c.serverAwsService ??= r.pktDstAwsService;
  } else {
    c.sawDown = true;
    if (bytes !== undefined) c.downBytes = (c.downBytes ?? 0) + bytes;
    if (packets !== undefined) c.downPackets = (c.downPackets ?? 0) + packets;
    c.clientAwsService ??= r.pktDstAwsService;
    c.serverAwsService ??= r.pktSrcAwsService;
  }
  const start = r.start;
  const end = r.end;
  if (start !== undefined && (c.start === undefined || start < c.start)) c.start = start;
  if (end !== undefined && (c.end === undefined || end > c.end)) c.end = end;
  if (r.tcpFlags !== undefined) c.tcpFlags = (c.tcpFlags ?? 0) | r.tcpFlags;
  c.trafficPath ??= r.trafficPath;
  c.records++;
  if (c.lines.length < MAX_LINES_PER_CONVERSATION) c.lines.push(r.line);
}

/** Folds a list of records (tests, `enrichFlows`). */
export function foldRecords(records: Iterable<FoldableRecord>, aggregate = true): FlowUnit[] {
  const table = new ConversationTable(aggregate);
  for (const record of records) table.add(record);
  return table.take();
}
