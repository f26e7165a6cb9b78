/**
 * Flow log text → conversations, without keeping records: each line is parsed and folded into a
 * `ConversationTable` at once, and the table is handed over (`take`) whenever it holds `limit`
 * conversations, so memory follows the number of distinct conversations, not of lines. Header lines,
 * stray whitespace and malformed-line reporting (with line numbers) are the record parser's.
 */
import { ConversationTable, type FlowUnit } from "./conversations";
import { FlowLogParser, type ParseOptions } from "./parse";

export interface FoldOptions extends ParseOptions {
  /** Fold records into conversations (default true); false keeps one unit per record. */
  aggregate?: boolean;
}

export class FlowLogFolder extends FlowLogParser {
  readonly table: ConversationTable;

  constructor(options: FoldOptions = {}) {
    super(options);
    this.table = new ConversationTable(options.aggregate ?? true);
  }

  protected override accept(parts: readonly string[], line: number): number {
    const built = this.format.build(parts, line);
    if (typeof built === "number") return built;
    this.table.add(built);
    return -1;
  }
}

/**
 * Folds `text` line by line (lines numbered from `firstLine`), yielding the table's units whenever it
 * holds `limit` of them, and the rest at the end. Read malformed lines from `folder.result()` after.
 */
export function* foldFlowLogText(text: string, folder: FlowLogFolder, limit: number, firstLine = 1): Generator<FlowUnit[]> {
  const table = folder.table;
  let line = firstLine;
  let from = 0;
  const length = text.length;
  while (from < length) {
    let to = text.indexOf("\n", from);
    if (to < 0) to = length;
    const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    if (end > from) {
      folder.push(text.slice(from, end), line);
      if (table.size >= limit) yield table.take();
    }
    line++;
    from = to + 1;
  }
  if (table.size > 0) yield table.take();
}
