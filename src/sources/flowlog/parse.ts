/**
 * Flow log text → `FlowRecord`s. A format (list of field names) is compiled once into a column table;
 * each line is split on spaces and every column is converted by its kind — no regular expression per
 * field, each number parsed once. Malformed lines are counted and reported with their line number and
 * never stop the rest of the input.
 */
import { messageOf, UserError } from "../../util/errors";
import { DEFAULT_FORMAT, FIELDS, type FieldKind, type FlowRecord, type FlowRecordKey } from "./fields";

/** A compiled format: the columns of a line, in order. */
export interface FlowFormat {
  readonly names: readonly string[];
  readonly columns: readonly Column[];
  /** Builds a record from a line's tokens, or returns the index of the first bad token. */
  readonly build: RecordBuilder;
}

type RecordBuilder = (parts: readonly string[], line: number) => FlowRecord | number;

interface Column {
  readonly name: string;
  /** Record key; undefined for a field this version of parapet does not know (kept in `other`). */
  readonly key: FlowRecordKey | undefined;
  readonly kind: FieldKind;
}

export interface MalformedLine {
  line: number;
  reason: string;
  /** The offending line, cut to a readable length. */
  text: string;
}

export interface ParseResult {
  records: FlowRecord[];
  /** Details of the first `maxMalformedDetails` malformed lines; `malformedCount` counts them all. */
  malformed: MalformedLine[];
  malformedCount: number;
  /** Header lines seen (1-based), each of which switched the format for the lines after it. */
  headerLines: number[];
  /** Unknown field names met in header lines (kept in `FlowRecord.other`). */
  unknownFields: string[];
}

export interface ParseOptions {
  /**
   * Format of lines before any header line: a list of field names, or a format string as configured on
   * the flow log (`${version} ${account-id} ...` or `version account-id ...`). Default: version 2.
   * CloudWatch Logs deliveries carry no header, so their custom format must be given here.
   */
  format?: string | readonly string[] | FlowFormat;
  /** Line number of the first line of `text` (for inputs read in chunks). Default 1. */
  firstLine?: number;
  /** How many malformed lines to describe in detail. Default 100. */
  maxMalformedDetails?: number;
}

const MAX_TEXT = 200;

/**
 * Compiles a list of field names. `strict` (configured formats) rejects unknown names; header lines
 * of delivered files are not strict, so a field added by a newer format version is kept, not fatal.
 */
export function compileFormat(names: readonly string[], strict = true): FlowFormat {
  if (names.length === 0) throw new UserError("flow log format is empty: give at least one field name");
  const seen = new Set<string>();
  const columns = names.map((name): Column => {
    if (seen.has(name)) throw new UserError(`flow log format names field "${name}" twice`);
    seen.add(name);
    const spec = FIELDS.get(name);
    if (!spec && strict) {
      throw new UserError(
        `unknown flow log field "${name}" in format "${names.join(" ")}" (known fields: ${[...FIELDS.keys()].join(", ")})`,
      );
    }
    return { name, key: spec?.key, kind: spec?.kind ?? "string" };
  });
  return { names: [...names], columns, build: makeBuilder(columns) };
}

/**
 * Generates one builder function per format so every record of a format is made by one object literal
 * (one hidden class, no keyed stores): that is what makes parsing cost close to splitting the line.
 * The generated source uses only catalogue keys (checked to be identifiers) and JSON-quoted names.
 * Where code generation is disabled (`--disallow-code-generation-from-strings`), an interpreter is used.
 */
function makeBuilder(columns: readonly Column[]): RecordBuilder {
  const body: string[] = [];
  const props: string[] = ["line: line"];
  const others: string[] = [];
  columns.forEach((column, i) => {
    const t = `parts[${i}]`;
    switch (column.kind) {
      case "int":
        body.push(`const t${i} = ${t}; let v${i}; if (t${i} !== "-") { v${i} = parseUint(t${i}); if (v${i} < 0) return ${i}; }`);
        break;
      case "action":
        body.push(`const t${i} = ${t}; if (t${i} !== "-" && t${i} !== "ACCEPT" && t${i} !== "REJECT") return ${i}; const v${i} = t${i} === "-" ? undefined : t${i};`);
        break;
      case "status":
        body.push(`const t${i} = ${t}; if (t${i} !== "-" && t${i} !== "OK" && t${i} !== "NODATA" && t${i} !== "SKIPDATA") return ${i}; const v${i} = t${i} === "-" ? undefined : t${i};`);
        break;
      default:
        body.push(`const t${i} = ${t}; const v${i} = t${i} === "-" ? undefined : t${i};`);
    }
    if (column.key === undefined) others.push(`if (v${i} !== undefined) other[${JSON.stringify(column.name)}] = v${i};`);
    else if (/^[A-Za-z]+$/.test(column.key)) props.push(`${column.key}: v${i}`);
    else throw new Error(`internal: field key ${column.key} is not an identifier`);
  });
  const source = [
    ...body,
    `const record = { ${props.join(", ")} };`,
    ...(others.length > 0 ? ["const other = {};", ...others, "if (Object.keys(other).length > 0) record.other = other;"] : []),
    "return record;",
  ].join("\n");
  try {
    return new Function("parseUint", `return function build(parts, line) {\n${source}\n};`)(parseUint) as RecordBuilder;
  } catch {
    return interpret(columns);
  }
}

function interpret(columns: readonly Column[]): RecordBuilder {
  return (parts, line) => {
    const record: FlowRecord = { line };
    const target = record as unknown as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) {
      const token = parts[i]!;
      if (token === "-") continue;
      const column = columns[i]!;
      let value: string | number = token;
      if (column.kind === "int") {
        value = parseUint(token);
        if (value < 0) return i;
      } else if (column.kind === "action" && token !== "ACCEPT" && token !== "REJECT") return i;
      else if (column.kind === "status" && token !== "OK" && token !== "NODATA" && token !== "SKIPDATA") return i;
      if (column.key !== undefined) target[column.key] = value;
      else (record.other ??= {})[column.name] = token;
    }
    return record;
  };
}

function badField(column: Column, index: number, token: string): string {
  const where = `field ${index + 1} (${column.name})`;
  switch (column.kind) {
    case "int":
      return `${where} is not a non-negative integer: "${cut(token)}"`;
    case "action":
      return `${where} must be ACCEPT, REJECT or -, found "${cut(token)}"`;
    case "status":
      return `${where} must be OK, NODATA, SKIPDATA or -, found "${cut(token)}"`;
    default:
      return `${where} is invalid: "${cut(token)}"`;
  }
}

/** Parses a configured format string: `${version} ${account-id} ...` (as AWS stores it) or plain names. */
export function parseFormatString(format: string): FlowFormat {
  const names = format.replace(/\$\{([^}]*)\}/g, " $1 ").trim().split(/\s+/).filter((n) => n !== "");
  return compileFormat(names, true);
}

function toFormat(format: ParseOptions["format"]): FlowFormat {
  if (format === undefined) return DEFAULT_COMPILED;
  if (typeof format === "string") return parseFormatString(format);
  if (isCompiled(format)) return format;
  return compileFormat(format, true);
}

function isCompiled(format: readonly string[] | FlowFormat): format is FlowFormat {
  return !Array.isArray(format);
}

const DEFAULT_COMPILED = compileFormat(DEFAULT_FORMAT);

/** Strict unsigned decimal integer (up to 15 digits, safe for byte counts); -1 if the token is not one. */
function parseUint(token: string): number {
  const length = token.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = token.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Incremental parser: feed lines one at a time (with their line numbers), read `result()` at the end.
 * Used for files (split into lines) and for CloudWatch Logs events (one message per event).
 */
export class FlowLogParser {
  protected format: FlowFormat;
  private readonly maxDetails: number;
  protected readonly out: ParseResult = { records: [], malformed: [], malformedCount: 0, headerLines: [], unknownFields: [] };

  constructor(options: ParseOptions = {}) {
    this.format = toFormat(options.format);
    this.maxDetails = options.maxMalformedDetails ?? 100;
  }

  /** Lines that were records (not blank, header or malformed). */
  get recordCount(): number {
    return this.accepted;
  }
  protected accepted = 0;

  /** Parses one line. Blank lines are ignored; a header line switches the format for the lines after it. */
  push(text: string, line: number): void {
    let parts = text.split(" ");
    const columns = this.format.columns;
    if (parts.length !== columns.length) {
      // Tolerate stray whitespace (tabs, double spaces, `\r\n` endings) without paying for it on clean lines.
      const trimmed = text.trim();
      if (trimmed === "") return;
      parts = trimmed.split(/\s+/);
    }
    const first = parts[0]!;
    if (FIELDS.has(first)) {
      this.header(parts, line, text);
      return;
    }
    if (parts.length !== columns.length) {
      this.malformed(line, `expected ${columns.length} fields (${this.format.names.join(" ")}), found ${parts.length}`, text);
      return;
    }
    let bad = this.accept(parts, line);
    if (bad >= 0 && /\s/.test(parts[bad]!.length === 0 ? " " : parts[bad]!)) {
      // An empty or whitespace-laden token means stray whitespace that happened to keep the count right.
      const retry = text.trim().split(/\s+/);
      if (retry.length === columns.length) {
        parts = retry;
        bad = this.accept(parts, line);
      }
    }
    if (bad >= 0) {
      this.malformed(line, badField(this.format.columns[bad]!, bad, parts[bad]!), text);
      return;
    }
    this.accepted++;
  }

  /**
   * Takes one line's tokens (as many as the format has columns): -1 when they made a record, else the
   * index of the first bad token, having kept nothing. Subclasses fold instead of collecting records.
   */
  protected accept(parts: readonly string[], line: number): number {
    const built = this.format.build(parts, line);
    if (typeof built === "number") return built;
    this.out.records.push(built);
    return -1;
  }

  result(): ParseResult {
    return this.out;
  }

  /** Hands over the records parsed so far (for chunked processing that keeps memory flat). */
  takeRecords(): FlowRecord[] {
    const records = this.out.records;
    this.out.records = [];
    return records;
  }

  /** Called after a header line switched the format. */
  protected formatChanged(): void {}

  protected header(parts: string[], line: number, text: string): void {
    const unknown = parts.filter((name) => !FIELDS.has(name));
    // A line naming no known field after its first token is more likely garbage than a header.
    if (unknown.some((name) => !/^[a-z][a-z0-9-]*$/.test(name))) {
      this.malformed(line, `looks like a header line but "${cut(unknown[0]!)}" is not a field name`, text);
      return;
    }
    try {
      this.format = compileFormat(parts, false);
    } catch (error) {
      this.malformed(line, messageOf(error), text);
      return;
    }
    this.formatChanged();
    this.out.headerLines.push(line);
    for (const name of unknown) if (!this.out.unknownFields.includes(name)) this.out.unknownFields.push(name);
  }

  protected malformed(line: number, reason: string, text: string): void {
    this.out.malformedCount++;
    if (this.out.malformed.length < this.maxDetails) this.out.malformed.push({ line, reason, text: cut(text) });
  }
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/**
 * Parses flow log text: an S3-delivered file (header line first), or bare records in `options.format`
 * (default version 2). Lines are numbered from `options.firstLine` (default 1).
 */
export function parseFlowLogText(text: string, options: ParseOptions = {}): ParseResult {
  const parser = new FlowLogParser(options);
  for (const _ of feedLines(parser, text, options.firstLine ?? 1, Infinity));
  return parser.result();
}

/**
 * Parses `text` in chunks of about `chunkSize` records: holding a million parsed records at once costs
 * more in garbage collection than parsing them, so pipelines enrich and evaluate chunk by chunk. The
 * parser (read `parser.result()` after the loop) keeps the malformed-line report for the whole text.
 */
export function* parseFlowLogChunks(
  text: string,
  options: ParseOptions & { chunkSize?: number } = {},
  parser = new FlowLogParser(options),
): Generator<FlowRecord[], ParseResult> {
  for (const records of feedLines(parser, text, options.firstLine ?? 1, options.chunkSize ?? 10_000)) yield records;
  return parser.result();
}

/**
 * Walks a text's lines without slicing them: after each `advance()`, `[from, end)` is the line (a
 * trailing CR excluded, possibly empty) and `line` its 1-based number counted from `firstLine`.
 */
export class LineCursor {
  from = 0;
  end = 0;
  line: number;
  private next = 0;

  constructor(
    private readonly text: string,
    firstLine = 1,
  ) {
    this.line = firstLine - 1;
  }

  advance(): boolean {
    const text = this.text;
    if (this.next >= text.length) return false;
    let to = text.indexOf("\n", this.next);
    if (to < 0) to = text.length;
    this.from = this.next;
    this.end = to > this.from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    this.line++;
    this.next = to + 1;
    return true;
  }
}

function* feedLines(parser: FlowLogParser, text: string, firstLine: number, chunkSize: number): Generator<FlowRecord[]> {
  for (const cursor = new LineCursor(text, firstLine); cursor.advance(); ) {
    if (cursor.end === cursor.from) continue;
    parser.push(text.slice(cursor.from, cursor.end), cursor.line);
    if (parser.result().records.length >= chunkSize) yield parser.takeRecords();
  }
  if (chunkSize !== Infinity && parser.result().records.length > 0) yield parser.takeRecords();
}

/** One line per malformed input line: `file:line: reason`, for CLI output and logs. */
export function describeMalformed(result: Pick<ParseResult, "malformed" | "malformedCount">, file: string): string[] {
  const lines = result.malformed.map((m) => `${file}:${m.line}: malformed flow log record: ${m.reason}`);
  const more = result.malformedCount - result.malformed.length;
  if (more > 0) lines.push(`${file}: ${more} more malformed flow log record(s) not shown`);
  return lines;
}
