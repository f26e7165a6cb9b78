/**
 * The folder's memory of conversations it has seen, keyed by numbers read from a line in place: the
 * interface id's hexadecimal digits and the client and server IPv4 addresses. Each number stands for
 * exactly one string in the form flow logs print (lower-case hex, dotted quads without leading
 * zeros), so a numeric match is an exact match: a repeat line is neither sliced nor compared
 * character by character. Lines with any other form (IPv6, other ids) take the table's general path.
 *
 * Open addressing with linear probing over an Int32Array of entry numbers: no Map, no boxed keys.
 */
import type { Conversation } from "./conversations";

/** A conversation's key in numbers, and what folding a repeat of it needs. */
export interface KnownConversation {
  /** `(id bits above the low 32) * 32 + digit count`: leading zeros make different ids. */
  readonly interfaceHigh: number;
  readonly interfaceLow: number;
  readonly client: number;
  readonly server: number;
  /** -1 when the record has none. */
  readonly serverPort: number;
  /** `protocol * 4 + action` (see `protocolAction`). */
  readonly protocolAction: number;
  readonly conversation: Conversation;
  /** As the table reported it when the conversation's first record of this key was added. */
  readonly flipped: boolean;
}

/** Hex digits an interface id may have and still be read as a number (AWS prints 8 or 17). */
export const MAX_INTERFACE_DIGITS = 17;

/** Protocol (-1 when missing) and action (0 missing, 1 ACCEPT, 2 REJECT) as one number. */
export function protocolAction(protocol: number | undefined, action: "ACCEPT" | "REJECT" | undefined): number {
  return (protocol ?? -1) * 4 + (action === undefined ? 0 : action === "ACCEPT" ? 1 : 2);
}

type KeyHash = (interfaceHigh: number, interfaceLow: number, client: number, server: number, serverPort: number, protocolAndAction: number) => number;

export function conversationHash(interfaceHigh: number, interfaceLow: number, client: number, server: number, serverPort: number, protocolAndAction: number): number {
  let h = Math.imul(interfaceLow ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ interfaceHigh, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ client, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ server, 0x165667b1);
  h = Math.imul(h ^ (h >>> 13) ^ (serverPort * 1031 + protocolAndAction), 0x85ebca6b);
  return h ^ (h >>> 16);
}

export class ConversationCache {
  /** Entry number + 1 per slot, 0 for empty; at most half full. */
  private slots = new Int32Array(1 << 12);
  private entries: KnownConversation[] = [];

  /** `hash` is replaceable so that tests can make every key collide. */
  constructor(private readonly hash: KeyHash = conversationHash) {}

  find(interfaceHigh: number, interfaceLow: number, client: number, server: number, serverPort: number, protocolAndAction: number): KnownConversation | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    const hash = this.hash(interfaceHigh, interfaceLow, client, server, serverPort, protocolAndAction);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const index = slots[slot]!;
      if (index === 0) return undefined;
      const known = this.entries[index - 1]!;
      if (
        known.client === client &&
        known.server === server &&
        known.interfaceLow === interfaceLow &&
        known.interfaceHigh === interfaceHigh &&
        known.serverPort === serverPort &&
        known.protocolAction === protocolAndAction
      ) {
        return known;
      }
    }
  }

  /** Adds a key `find` did not find. */
  add(known: KnownConversation): void {
    if (2 * (this.entries.length + 1) > this.slots.length) this.resize(this.slots.length * 2);
    this.entries.push(known);
    this.place(known, this.entries.length);
  }

  clear(): void {
    this.entries = [];
    this.slots.fill(0);
  }

  private place(known: KnownConversation, number: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = this.hash(known.interfaceHigh, known.interfaceLow, known.client, known.server, known.serverPort, known.protocolAction) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = number;
  }

  private resize(size: number): void {
    this.slots = new Int32Array(size);
    this.entries.forEach((known, i) => this.place(known, i + 1));
  }
}
