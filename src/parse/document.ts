/**
 * What every document reader shares: positions, limits and the parse error. Kept apart from the
 * readers so importing these does not load a YAML library.
 */

export interface Position {
  line: number;
  column: number;
}

export interface ParseLimits {
  /** Largest accepted input, in bytes. */
  maxBytes: number;
  /** Alias expansions allowed while building the value: bounds "billion laughs" documents. */
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 16 * 1024 * 1024, maxAliasCount: 1000 };

export class DocumentParseError extends Error {
  constructor(
    message: string,
    readonly position?: Position,
  ) {
    super(message);
    this.name = "DocumentParseError";
  }
}

export interface PositionedDocument {
  value: unknown;
  /** Position of the node a pointer names; falls back to the nearest ancestor that exists. */
  locate(pointer: string): Position;
  /** Position of the key (not the value) a pointer names, for "unknown key" style errors. */
  locateKey(pointer: string): Position;
}

