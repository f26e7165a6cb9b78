import { RecordSplitter, type RecordGroup } from "../../src/sources/cloudtrail";
import { InputFailure } from "../../src/util/errors";

/** An in-memory body fed to the splitter a slice at a time, as the streaming readers feed it. */
function* recordGroups(body: Buffer, file: string, groupRecords: number, allowBareArray = false): Generator<RecordGroup> {
  const ready: RecordGroup[] = [];
  const splitter = new RecordSplitter({ file, groupRecords, allowBareArray }, (group) => void ready.push(group));
  for (let from = 0; from < body.length; from += 1024 * 1024) {
    splitter.push(body.subarray(from, Math.min(body.length, from + 1024 * 1024)));
    yield* ready.splice(0);
  }
  splitter.end();
  yield* ready.splice(0);
}

const rec = (i: number, extra: Record<string, unknown> = {}) => ({ eventVersion: "1.09", eventID: `e${i}`, ...extra });
const flat = (body: string, size: number, bare = false) => {
  const groups = [...recordGroups(Buffer.from(body), "f.json", size, bare)];
  groups.forEach((g, i) => expect(g.start).toBe(groups.slice(0, i).reduce((n, x) => n + x.records.length, 0)));
  return groups.flatMap((g) => g.records);
};

describe("recordGroups", () => {
  const records = Array.from({ length: 23 }, (_, i) => rec(i));
  const body = JSON.stringify({ Records: records });

  it.each([1, 2, 5, 23, 100])("returns every record in order in groups of %i", (size) => {
    expect(flat(body, size)).toEqual(records);
    expect([...recordGroups(Buffer.from(body), "f", size)].every((g) => g.records.length <= size)).toBe(true);
  });

  it("is not fooled by the separator inside a record (nested objects with an eventVersion key)", () => {
    const tricky = [rec(0), rec(1, { nested: [{ eventVersion: "x" }, { eventVersion: "y" }, { eventVersion: "z" }] }), rec(2), rec(3)];
    for (const size of [1, 2, 3]) expect(flat(JSON.stringify({ Records: tricky }), size)).toEqual(tricky);
  });

  it("falls back to one parse for other layouts: pretty-printed, bare arrays (local files), other key orders", () => {
    expect(flat(JSON.stringify({ Records: records }, null, 2), 4)).toEqual(records);
    expect(flat(JSON.stringify(records), 4, true)).toEqual(records);
    const sorted = records.map((r) => ({ eventID: r.eventID, eventVersion: r.eventVersion }));
    expect(flat(JSON.stringify({ Records: sorted }), 4)).toEqual(sorted);
    expect(flat('{"Records":[]}', 4)).toEqual([]);
  });

  it("reports a body that is not a log with the usual errors", () => {
    expect(() => flat('{"Records":[{"eventVersion":"1"},{"eventVersion"', 1)).toThrow(InputFailure);
    expect(() => flat('{"Records":[{"eventVersion":"1"},{"eventVersion"', 1)).toThrow(/not valid JSON/);
    expect(() => flat('{"digestSignatureAlgorithm":"SHA256withRSA"}', 1)).toThrow(/digest file/);
    expect(() => flat(JSON.stringify(records), 4)).toThrow(/no "Records" array/);
  });
});
