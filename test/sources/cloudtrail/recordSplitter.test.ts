import fc from "fast-check";
import { InputFailure } from "../../../src/util/errors";
import { RecordSplitter, type RecordGroup, type RecordSplitterOptions } from "../../../src/sources/cloudtrail/recordSplitter";

interface Outcome {
  groups: RecordGroup[];
  records: unknown[];
  error?: InputFailure;
}

/** Feeds `body` cut at `cuts` (sorted byte offsets), then ends (or salvages) the input. */
function split(body: string | Buffer, cuts: number[] = [], options: Partial<RecordSplitterOptions> = {}, finish: "end" | "salvage" = "end"): Outcome {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const groups: RecordGroup[] = [];
  const splitter = new RecordSplitter({ file: "f.json", groupRecords: 3, ...options }, (g) => groups.push(g));
  let error: InputFailure | undefined;
  try {
    let from = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      if (cut > from) splitter.push(bytes.subarray(from, cut));
      from = cut;
    }
    if (finish === "end") splitter.end();
    else splitter.salvage();
  } catch (err) {
    if (!(err instanceof InputFailure)) throw err;
    error = err;
  }
  // groups come in order, each starting where the previous ended
  let next = 0;
  for (const g of groups) {
    expect(g.start).toBe(next);
    next += g.records.length;
  }
  return { groups, records: groups.flatMap((g) => g.records), ...(error ? { error } : {}) };
}

const everyByte = (body: string) => Array.from({ length: Buffer.byteLength(body) }, (_, i) => i);

/** Strings that stress the scanner: braces, brackets, commas, quotes, backslashes, the separator itself, non-ASCII. */
const trickyString = fc.oneof(
  fc.string({ unit: fc.constantFrom("{", "}", "[", "]", ",", '"', "\\", ":", " ", "a", "é", "😀", "\n", "\u0000") }),
  fc.constantFrom('},{"eventVersion"', '\\"', "\\", '"}]}', "]},{", ""),
  fc.string(),
);
const jsonLeaf = fc.oneof(trickyString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(trickyString, tie("value"), { maxKeys: 4 }),
    // nested objects that start like records: false fast-path cuts
    fc.array(fc.record({ eventVersion: fc.constant("x"), v: tie("value") }), { maxLength: 3 }),
  ),
}));
const record = fc.record({ eventVersion: fc.constantFrom("1.08", "1.09"), eventID: fc.uuid(), body: fc.dictionary(trickyString, jsonValue, { maxKeys: 5 }) });
/** What a Records array may hold: mostly CloudTrail-like objects, sometimes anything else. */
const element = fc.oneof({ weight: 5, arbitrary: record }, { weight: 1, arbitrary: jsonValue });

/** The same records in the layouts parapet meets: CloudTrail's compact form, pretty-printed, key-sorted, extra keys around. */
const layout = fc.constantFrom(
  (records: unknown[]) => JSON.stringify({ Records: records }),
  (records: unknown[]) => JSON.stringify({ Records: records }, null, 2),
  (records: unknown[]) => `\n {"Before": {"x": [1, "}"]}, "Records" :\t[ ${records.map((r) => JSON.stringify(r)).join(" ,\n ")} ] , "After": "]"}\n`,
  (records: unknown[]) => JSON.stringify({ Records: records.map((r) => (r !== null && typeof r === "object" && !Array.isArray(r) ? Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : r)) }),
);

describe("RecordSplitter", () => {
  it("hands out every record, in order and in groups, however the bytes are chunked and laid out", () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 12 }), layout, fc.array(fc.nat(4000), { maxLength: 8 }), fc.integer({ min: 1, max: 5 }), (records, format, cuts, groupRecords) => {
        const expected = JSON.parse(JSON.stringify(records)) as unknown[];
        const body = format(records);
        const { groups, records: got, error } = split(body, cuts, { groupRecords });
        expect(error).toBeUndefined();
        expect(got).toEqual(expected);
        expect(groups.every((g) => g.records.length >= 1 && g.records.length <= groupRecords)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("salvages exactly the records completed before a break, at any break position", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (records, pretty, where) => {
        const body = Buffer.from(JSON.stringify({ Records: records }, null, pretty ? 1 : 0));
        const cut = Math.floor(where * body.length);
        const prefix = body.subarray(0, cut);
        const { records: got } = split(prefix, [], { groupRecords: 2 }, "salvage");
        // A record is complete once its closing brace arrived: count record ends inside the prefix.
        const complete = records.filter((_, i) => {
          const through = Buffer.from(JSON.stringify({ Records: records.slice(0, i + 1) }, null, pretty ? 1 : 0));
          // The record's `}` is the last brace before the array's closing `]` (indentation varies).
          const closing = through.lastIndexOf("}", through.lastIndexOf("]"));
          return closing < cut;
        }).length;
        expect(got).toEqual(JSON.parse(JSON.stringify(records.slice(0, complete))));
      }),
      { numRuns: 200 },
    );
  });

  it("gives the same records whatever single position the body is cut at, and byte by byte", () => {
    const records = [
      { eventVersion: "1.09", eventID: "a", requestParameters: { list: [{ eventVersion: "x" }, { eventVersion: "y" }] } },
      { eventVersion: "1.09", eventID: "b", note: 'quote " backslash \\ brace } bracket ] separator },{"eventVersion" emoji 😀' },
      { eventVersion: "1.09", eventID: "c", escaped: "\\\\\"\\" },
      { eventVersion: "1.09", eventID: "d" },
    ];
    const bodies = [JSON.stringify({ Records: records }), JSON.stringify({ Records: records }, null, 4)];
    for (const body of bodies) {
      for (const at of everyByte(body)) expect(split(body, [at], { groupRecords: 2 }).records).toEqual(records);
      expect(split(body, everyByte(body), { groupRecords: 1 }).records).toEqual(records);
    }
  });

  it("takes the fast path for CloudTrail's layout and still gets nested look-alike separators right", () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ eventVersion: "1.09", eventID: `e${i}`, nested: i % 3 === 0 ? [{ eventVersion: "n" }, { eventVersion: "m" }] : [] }));
    for (const groupRecords of [1, 2, 3, 10, 50]) {
      const { groups, records: got } = split(JSON.stringify({ Records: records }), [], { groupRecords });
      expect(got).toEqual(records);
      // a nested look-alike counts toward the group size, so groups may be smaller, never larger
      expect(groups.every((g) => g.records.length <= groupRecords)).toBe(true);
      expect(groups.length).toBeLessThanOrEqual(Math.ceil(14 / groupRecords));
    }
  });

  it("closes groups early at the byte budget, so large records do not pile up", () => {
    const records = Array.from({ length: 6 }, (_, i) => ({ eventVersion: "1.09", eventID: `e${i}`, data: "x".repeat(1000) }));
    for (const body of [JSON.stringify({ Records: records }), JSON.stringify({ Records: records }, null, 1)]) {
      const { groups, records: got } = split(body, [], { groupRecords: 100, groupBytes: 1500 });
      expect(got).toEqual(records);
      expect(groups.map((g) => g.records.length)).toEqual([2, 2, 2]);
    }
  });

  it("accepts a bare array of records only when asked, and empty record lists", () => {
    const records = [{ eventVersion: "1", a: 1 }, "not an object", 3, null];
    expect(split(JSON.stringify(records), [5], { allowBareArray: true }).records).toEqual(records);
    expect(split(JSON.stringify(records)).error?.message).toBe('f.json: no "Records" array: not a CloudTrail log file (top level is an array)');
    expect(split('{"Records":[]}').records).toEqual([]);
    expect(split(" [ ] ", [], { allowBareArray: true }).error).toBeUndefined();
  });

  it.each([
    ["", /^f\.json: not valid JSON \(/],
    ["   ", /^f\.json: not valid JSON \(/],
    ["garbage", /^f\.json: not valid JSON \(/],
    ['"a string"', /no "Records" array: not a CloudTrail log file \(top level is a string\)/],
    ["{}", /no "Records" array: not a CloudTrail log file \(top level is an empty object\)/],
    ['{"Events": [], "More": {"Records": []}}', /no "Records" array: not a CloudTrail log file \(top level is an object with Events, More\)/],
    ['{"Records": {"eventName": "RunInstances"}}', /no "Records" array: not a CloudTrail log file \(top level is an object with Records\)/],
    ['{"awsAccountId": "1", "digestSignatureAlgorithm": "SHA256withRSA", "logFiles": []}', /a CloudTrail digest file, not a log file/],
    ['{"Records": [ {"eventVersion"', /not valid JSON \(unexpected end of data at byte 29, inside record \/Records\/0\)/],
    ['{"Records": [1, 2', /not valid JSON \(unexpected end of data/],
    ['{"Records": [1, 2]', /not valid JSON \(unexpected end of data at byte 18\)/],
    ['{"Records": [1, 2]} x', /not valid JSON \(unexpected data after the end of the document at byte 20\)/],
    ['{"Records": [1, 2,]}', /not valid JSON \(trailing ',' before '\]' at byte 18\)/],
    ['{"Records": [1, , 2]}', /not valid JSON \(missing record before ',' at byte 16\)/],
    ['{"Records": [1}', /not valid JSON \(unexpected '}' in the records array at byte 14\)/],
    ['{"Records" [1]}', /not valid JSON \(expected ':' after key "Records" at byte 11\)/],
  ])("reports %j clearly", (body, error) => {
    expect(split(body).error?.message).toMatch(error);
  });

  it("hands out the records before an invalid one, then names it", () => {
    const body = '{"Records":[{"eventVersion":"1","n":0},{"eventVersion":"1","n":1},{"eventVersion":"1","n":tru},{"eventVersion":"1","n":3}]}';
    for (const groupRecords of [1, 2, 10]) {
      const { records, error } = split(body, [], { groupRecords });
      expect(records).toEqual([
        { eventVersion: "1", n: 0 },
        { eventVersion: "1", n: 1 },
      ]);
      expect(error?.message).toMatch(/^f\.json: not valid JSON at \/Records\/2 \(.*; the record starts at byte 66\)$/);
    }
  });

  it("refuses a record larger than the limit instead of buffering without end", () => {
    const big = JSON.stringify({ Records: [{ eventVersion: "1" }, { eventVersion: "1", data: "x".repeat(5000) }] });
    const { records, error } = split(big, everyByte(big).filter((i) => i % 1000 === 0), { maxRecordBytes: 2000 });
    expect(records).toEqual([{ eventVersion: "1" }]);
    expect(error?.message).toMatch(/record \/Records\/1 is larger than 2000 bytes at byte \d+; too large to parse/);
  });
});
