import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlowLogFolder, foldFlowLogText, foldRecords, parseFlowLogText, type FlowUnit } from "../../../src/sources/flowlog";
import { ConversationCache, type KnownConversation } from "../../../src/sources/flowlog/foldCache";
import { FlowLogParser } from "../../../src/sources/flowlog/parse";

const CONFORMANCE = join(__dirname, "../../fixtures/conformance/flowlogs");
const V2 = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

/** The hot path (text folded in place) and the general path (records, then folded) must agree on everything. */
function bothWays(text: string, format?: string) {
  const folder = new FlowLogFolder({ format });
  const fast: FlowUnit[] = [];
  for (const batch of foldFlowLogText(text, folder, Infinity)) fast.push(...batch);
  const general = parseFlowLogText(text, { format });
  return { fast, folder, general, slow: foldRecords(general.records) };
}

const TRICKY = [
  V2,
  `${V2}\r`,
  V2.replace(" 6 20 ", " 6  20 "),
  V2.replace(" 6 20 ", "\t6 20 "),
  `  ${V2}  `,
  V2.replace(" 20 4249 ", " - 4249 "),
  V2.replace(" 20 4249 ", " 1234567890123456 4249 "),
  V2.replace(" 20 4249 ", " 2x 4249 "),
  V2.replace("ACCEPT", "ACCEPTED"),
  V2.replace("ACCEPT", "accept"),
  V2.replace(" OK", " NODATA"),
  V2.replace(" OK", " OKAY"),
  V2.replace(" OK", ""),
  `${V2} extra`,
  "version account-id interface-id srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status traffic-path pkt-src-aws-service pkt-dst-aws-service region",
  "3 123456789010 eni-1235b8ca123456789 10.0.0.62 52.95.1.1 43416 443 10.0.0.62 52.95.1.1 6 568 8 1566848875 1566848933 ACCEPT 2 OK 8 - S3 us-east-1",
  "3 123456789010 eni-1235b8ca123456789 52.95.1.1 10.0.0.62 443 43416 52.95.1.1 10.0.0.62 6 376 7 1566848875 1566848933 ACCEPT 18 OK - S3 - us-east-1",
  "3 123456789010 eni-1235b8ca123456789 10.0.0.62 52.95.1.1 43417 443 - - 6 - - 1566848875 1566848933 REJECT - - - - - -",
  "version account-id garbage!",
  "not a record at all",
].join("\n");

describe("the hot-path folder", () => {
  it.each([
    ...readdirSync(join(CONFORMANCE, "otel")).filter((f) => f.endsWith(".log")).map((f) => join("otel", f)),
    "aws-docs/examples-by-section.txt",
  ])("folds %s exactly as parsing records and folding them does (every line twice: repeats take the cached path)", (file) => {
    const once = readFileSync(join(CONFORMANCE, file), "utf8");
    const { fast, folder, general, slow } = bothWays(`${once}\n${once}`);
    expect(fast).toEqual(slow);
    expect(folder.recordCount).toBe(general.records.length);
    expect(folder.result().malformed).toEqual(general.malformed);
    expect(folder.result().headerLines).toEqual(general.headerLines);
  });

  it("agrees on stray whitespace, missing values, header switches and every kind of malformed line", () => {
    const { fast, folder, general, slow } = bothWays(`${TRICKY}\n${TRICKY}\n${readFileSync(join(__dirname, "../../../samples/flowlogs/sample.log"), "utf8")}`.repeat(2));
    expect(fast).toEqual(slow);
    expect(folder.recordCount).toBe(general.records.length);
    expect(folder.result().malformed).toEqual(general.malformed);
    expect(general.malformed.map((m) => m.line).slice(0, 9)).toEqual([7, 8, 9, 10, 12, 13, 14, 19, 20]);
    // The v5 lines fold into one conversation with the service on the server end; the REJECT stays apart.
    const v5 = fast.filter((u) => u.kind === "traffic" && u.server === "52.95.1.1");
    expect(v5).toEqual([
      expect.objectContaining({ action: "ACCEPT", serverAwsService: "S3", clientBy: "tcp-flags", trafficPath: 8, region: "us-east-1", records: 8 }),
      expect.objectContaining({ action: "REJECT", upBytes: undefined, records: 4 }),
    ]);
  });

  it("agrees with a configured custom format (CloudWatch deliveries carry no header)", () => {
    const format = "${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${action} ${log-status}";
    const text = ["eni-1 10.0.0.1 10.0.0.2 40000 5432 6 100 ACCEPT OK", "eni-1 10.0.0.2 10.0.0.1 5432 40000 6 900 ACCEPT OK", "interface-id srcaddr"].join("\n");
    const { fast, folder, general, slow } = bothWays(text, format);
    expect(fast).toEqual(slow);
    expect(fast).toEqual([expect.objectContaining({ upBytes: 100, downBytes: 900, records: 2 })]);
    expect(folder.result().malformed).toEqual(general.malformed);
  });

  it("never takes the general path for clean lines", () => {
    const push = jest.spyOn(FlowLogParser.prototype, "push");
    try {
      const text = Array.from({ length: 50 }, (_, i) => V2.replace("20641", String(30000 + i))).join("\n");
      const folder = new FlowLogFolder();
      const [units] = [...foldFlowLogText(text, folder, Infinity)];
      expect(push).not.toHaveBeenCalled();
      expect(units).toEqual([expect.objectContaining({ records: 50, upBytes: 50 * 4249 })]);
    } finally {
      push.mockRestore();
    }
  });

  it("hands the table over every `limit` conversations and keeps counting lines across batches", () => {
    const text = Array.from({ length: 10 }, (_, i) => V2.replace(" 22 ", ` ${1000 + i} `)).join("\n");
    const batches = [...foldFlowLogText(text, new FlowLogFolder(), 4)];
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches[2]!.map((u) => u.kind === "traffic" && u.lines[0])).toEqual([9, 10]);
  });

  it("keeps key fields apart that differ only in form: leading zeros, case, IPv6, odd ids", () => {
    const line = (eni: string, src: string, dst: string) => `2 123456789010 ${eni} ${src} ${dst} 40000 443 6 5 100 1418530010 1418530070 ACCEPT OK`;
    const lines = [
      line("eni-0abc", "10.0.0.1", "10.0.0.2"),
      line("eni-00abc", "10.0.0.1", "10.0.0.2"),
      line("eni-0ABC", "10.0.0.1", "10.0.0.2"),
      line("eni-0abc", "010.0.0.1", "10.0.0.2"),
      line("eni-0abc", "10.0.0.1", "10.0.0.02"),
      line("eni-0abc", "10.0.0.1", "10.0.0.256"),
      line("eni-0abc", "10.0.0", "10.0.0.2"),
      line("eni-0abc", "2001:db8::1", "2001:db8::2"),
      line("eni-0123456789abcdef01", "10.0.0.1", "10.0.0.2"),
      line("tgw-attach-0abc", "10.0.0.1", "10.0.0.2"),
      line("eni-", "10.0.0.1", "10.0.0.2"),
      line("eni-0abc", "10.0.0.1", "10.0.0.2").replace(" 6 5 ", " - 5 "),
      line("eni-0abc", "10.0.0.1", "10.0.0.2").replace(" 6 5 ", " 256 5 "),
    ];
    const { fast, slow } = bothWays([...lines, ...lines].join("\n"));
    expect(fast).toEqual(slow);
    expect(fast).toHaveLength(lines.length);
    expect(fast.every((u) => u.kind === "traffic" && u.records === 2)).toBe(true);
  });

  it("folds any mix of conversations exactly as the general path does (property)", () => {
    const fields = [
      fc.constantFrom("eni-0abc", "eni-00abc", "eni-0ABC", "eni-1235b8ca123456789", "eni-1235b8ca12345678a", "eni-f", "-"),
      ...[1, 2].map(() => fc.constantFrom("10.0.0.1", "10.0.0.2", "52.95.1.1", "0.0.0.0", "255.255.255.255", "010.0.0.1", "10.0.0.01", "10.0.0.256", "2001:db8::1", "-")),
      ...[1, 2].map(() => fc.constantFrom("22", "443", "5432", "40000", "40001", "0", "-")),
      fc.constantFrom("6", "17", "1", "256", "-"),
      fc.constantFrom("ACCEPT", "REJECT", "-"),
      fc.constantFrom("OK", "OK", "OK", "NODATA"),
    ];
    const record = fc.tuple(...fields);
    // Families of records that differ from their first in one field: keys that must stay apart.
    const family = fc
      .tuple(record, fc.array(fc.tuple(fc.nat(fields.length - 1), record), { maxLength: 12 }))
      .map(([base, changes]) => [base, ...changes.map(([field, other]) => base.map((value, i) => (i === field ? other[i]! : value)))]);
    const line = ([eni, src, dst, srcPort, dstPort, protocol, action, status]: string[]) =>
      `2 123456789010 ${eni} ${src} ${dst} ${srcPort} ${dstPort} ${protocol} 3 120 1418530010 1418530070 ${action} ${status}`;
    fc.assert(
      fc.property(fc.array(family, { minLength: 1, maxLength: 5 }), (families) => {
        const records = families.flat().map(line);
        const { fast, slow } = bothWays([...records, ...records.slice().reverse()].join("\n"));
        expect(fast).toEqual(slow);
      }),
      { numRuns: 300 },
    );
  });

  it("holds many thousands of conversations in one batch (the cache grows)", () => {
    const lines = Array.from({ length: 6000 }, (_, i) => V2.replace("eni-1235b8ca123456789", `eni-${(i % 997).toString(16).padStart(8, "0")}`).replace(" 22 ", ` ${1024 + (i % 3001)} `));
    const { fast, slow } = bothWays([...lines, ...lines].join("\n"));
    expect(fast).toEqual(slow);
    expect(fast).toHaveLength(6000);
  });
});

describe("ConversationCache", () => {
  const known = (client: number): KnownConversation =>
    ({ interfaceHigh: 8 * 32 + 17, interfaceLow: 1, client, server: 2, serverPort: 443, protocolAction: 25, conversation: {}, flipped: false }) as unknown as KnownConversation;

  it("tells keys apart on every field when their hashes collide, across resizes", () => {
    const cache = new ConversationCache(() => 7);
    const entries = Array.from({ length: 5000 }, (_, i) => known(i));
    for (const entry of entries) cache.add(entry);
    for (const entry of entries) expect(cache.find(entry.interfaceHigh, 1, entry.client, 2, 443, 25)).toBe(entry);
    expect(cache.find(8 * 32 + 17, 1, 5000, 2, 443, 25)).toBeUndefined();
    expect(cache.find(8 * 32 + 16, 1, 0, 2, 443, 25)).toBeUndefined();
    expect(cache.find(8 * 32 + 17, 1, 0, 2, 443, 26)).toBeUndefined();
    expect(cache.find(8 * 32 + 17, 1, 0, 2, -1, 25)).toBeUndefined();
    cache.clear();
    expect(cache.find(8 * 32 + 17, 1, 0, 2, 443, 25)).toBeUndefined();
  });
});
