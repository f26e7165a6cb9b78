import fc from "fast-check";
import { OPERATORS } from "../../src/engine/operators/registry";
import { contains, overlaps, parseCidr } from "../../src/engine/operators/cidr";
import { entryPorts, parsePortList, portsOutside } from "../../src/engine/operators/ports";
import { isOutsideBusinessHours, localTime, parseBusinessHours } from "../../src/engine/operators/time";
import { actionGranted } from "../../src/engine/operators/iam";
import type { Subject } from "../../src/engine/model";

const subject = (type = "AWS::EC2::Instance"): Subject => ({
  type,
  id: "x",
  properties: {},
  source: "template",
  context: {},
  location: { file: "f", pointer: "" },
});

function run(name: string, actual: unknown, value?: unknown, type?: string): boolean {
  const op = OPERATORS.get(name)!;
  const prepared = op.prepare ? op.prepare(value) : value;
  const ctx = { subject: subject(type) };
  return op.kind === "set" ? op.test(actual as unknown[], prepared, ctx) : op.test(actual, prepared, ctx);
}

describe("basic operators", () => {
  it.each([
    ["eq", "6", 6, true],
    ["eq", true, "true", true],
    ["eq", "a", "b", false],
    ["ne", "a", "b", true],
    ["in", "tcp", ["tcp", "udp"], true],
    ["not-in", "icmp", ["tcp", "udp"], true],
    ["not-in", { Ref: "X" }, ["tcp"], false],
    ["matches", "s3:*", "^(\\*|.+:\\*)$", true],
    ["not-matches", "s3:Get*", "^(\\*|.+:\\*)$", true],
    ["gt", "10", 5, true],
    ["lte", 5, 5, true],
    ["lt", "abc", 5, false],
    ["contains", ["a", "b"], "b", true],
    ["contains", "hello world", "lo w", true],
    ["any-of", ["a", "z"], ["z"], true],
    ["all-of", ["a", "b", "c"], ["a", "c"], true],
    ["all-of", ["a"], ["a", "c"], false],
    ["none-of", "q", ["a"], true],
    ["true-like", "TRUE", undefined, true],
    ["false-like", false, undefined, true],
    ["true-like", { Ref: "P" }, undefined, false],
    ["empty", [], undefined, true],
    ["is-type", [], "array", true],
  ])("%s(%j, %j) is %s", (name, actual, value, expected) => {
    expect(run(name, actual, value)).toBe(expected);
  });

  it("exists/absent treat null as missing", () => {
    expect(run("exists", [null])).toBe(false);
    expect(run("absent", [])).toBe(true);
    expect(run("exists", [0])).toBe(true);
    expect(run("count-gte", [1, 2], 2)).toBe(true);
  });

  it("rejects an invalid regular expression at compile time", () => {
    expect(() => OPERATORS.get("matches")!.prepare!("(")).toThrow(/invalid regular expression/);
  });
});

describe("CIDR operators", () => {
  it.each([
    ["0.0.0.0/0", true],
    ["::/0", true],
    ["208.236.235.254/0", true],
    ["2001:db8::/0", true],
    ["0:0:0:0:0:0:0:0/0", true],
    ["10.0.0.0/8", false],
    ["not a cidr", false],
  ])("open to world %s → %s", (cidr, expected) => {
    expect(run("cidr-open-to-world", cidr)).toBe(expected);
  });

  it.each([
    ["10.1.2.3/32", "private", true],
    ["10.0.0.0/7", "public", true],
    ["192.168.1.0/24", "public", false],
    ["100.64.0.1/32", "public", false],
    ["8.8.8.8/32", "public", true],
    ["fd00::1/128", "private", true],
    ["2600:1f18::/32", "public", true],
  ])("%s is %s: %s", (cidr, kind, expected) => {
    expect(run(kind === "private" ? "cidr-private" : "cidr-public", cidr)).toBe(expected);
  });

  it("prefix length and overlap", () => {
    expect(run("cidr-prefix-lt", "10.0.0.0/8", 16)).toBe(true);
    expect(run("cidr-prefix-gt", "10.0.0.0/8", 16)).toBe(false);
    expect(run("cidr-overlaps", "10.1.0.0/16", ["10.0.0.0/8"])).toBe(true);
    expect(run("cidr-overlaps", "11.0.0.0/8", ["10.0.0.0/8"])).toBe(false);
    expect(run("cidr-within", "10.1.0.0/16", ["10.0.0.0/8"])).toBe(true);
    expect(() => OPERATORS.get("cidr-overlaps")!.prepare!(["nope"])).toThrow(/not a CIDR/);
  });

  const ipv4 = fc.tuple(fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 })).map(([n, p]) => {
    const ip = [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
    return `${ip}/${p}`;
  });

  it("property: overlap is symmetric and containment implies overlap", () => {
    fc.assert(
      fc.property(ipv4, ipv4, (a, b) => {
        const ra = parseCidr(a)!;
        const rb = parseCidr(b)!;
        expect(overlaps(ra, rb)).toBe(overlaps(rb, ra));
        if (contains(ra, rb)) expect(overlaps(ra, rb)).toBe(true);
        // CIDR blocks are nested or disjoint: overlap means one contains the other.
        expect(overlaps(ra, rb)).toBe(contains(ra, rb) || contains(rb, ra));
      }),
    );
  });

  it("property: a block contains every address inside it and the prefix is preserved", () => {
    fc.assert(
      fc.property(ipv4, (cidr) => {
        const r = parseCidr(cidr)!;
        expect(r.prefix).toBe(Number(cidr.split("/")[1]));
        expect(r.end - r.start + 1n).toBe(1n << BigInt(32 - r.prefix));
        expect(run("cidr-open-to-world", cidr)).toBe(r.prefix === 0);
      }),
    );
  });
});

describe("port operators", () => {
  const allowed = parsePortList([{ protocol: "tcp", from: 80, to: 80 }, { protocol: "tcp", from: 443, to: 443 }]);

  it.each([
    [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443 }, false],
    [{ IpProtocol: "6", FromPort: 80, ToPort: 80 }, false],
    [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22 }, true],
    [{ IpProtocol: "udp", FromPort: 443, ToPort: 443 }, true],
    [{ IpProtocol: "-1" }, true],
    [{ IpProtocol: "tcp", FromPort: 80, ToPort: 443 }, true],
    [{ IpProtocol: "tcp", FromPort: { Ref: "P" }, ToPort: 22 }, false],
  ])("%j outside allow-list: %s", (entry, expected) => {
    expect(run("ports-outside", entry, [{ protocol: "tcp", from: 80, to: 80 }, { protocol: "tcp", from: 443, to: 443 }])).toBe(expected);
  });

  it("ports-overlap finds a listed port inside a range", () => {
    expect(run("ports-overlap", { IpProtocol: "tcp", FromPort: 0, ToPort: 1024 }, [22, 3389])).toBe(true);
    expect(run("ports-overlap", { IpProtocol: "tcp", FromPort: 23, ToPort: 80 }, [22, 3389])).toBe(false);
  });

  const port = fc.integer({ min: 0, max: 65535 });
  const range = fc.tuple(port, port).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));

  it("property: a range is outside the allow-list exactly when some port in it is not allowed", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 5 }), fc.tuple(port, fc.integer({ min: 0, max: 300 })), (allow, [from, width]) => {
        const to = Math.min(65535, from + width);
        const list = allow.map((r) => ({ protocol: "tcp", ...r }));
        let expected = false;
        for (let p = from; p <= to; p++) {
          if (!list.some((r) => r.from <= p && p <= r.to)) {
            expected = true;
            break;
          }
        }
        expect(portsOutside({ protocol: "tcp", from, to }, list)).toBe(expected);
      }),
    );
  });

  it("property: entryPorts normalizes reversed and -1 ranges", () => {
    fc.assert(
      fc.property(port, port, (a, b) => {
        const r = entryPorts({ IpProtocol: "tcp", FromPort: a, ToPort: b })!;
        expect(r.from).toBe(Math.min(a, b));
        expect(r.to).toBe(Math.max(a, b));
      }),
    );
    expect(entryPorts({ IpProtocol: "tcp", FromPort: -1, ToPort: -1 })).toEqual({ protocol: "tcp", from: 0, to: 65535 });
    expect(allowed).toHaveLength(2);
  });
});

describe("business hours", () => {
  const hours = parseBusinessHours({ timeZone: "Europe/Berlin", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "09:00", end: "17:00", holidays: ["2026-12-24"] });

  it.each([
    ["2026-11-17T08:30:00Z", false], // Tue 09:30 CET
    ["2026-11-17T07:59:00Z", true], // Tue 08:59 CET
    ["2026-11-17T16:00:00Z", true], // Tue 17:00 CET (end is exclusive)
    ["2026-11-21T10:00:00Z", true], // Saturday
    ["2026-12-24T10:00:00Z", true], // holiday
    ["2026-07-14T07:30:00Z", false], // Tue 09:30 CEST (summer time)
    ["2026-03-30T06:59:00Z", true], // first Monday after the DST change: 08:59 CEST
  ])("%s outside: %s", (iso, expected) => {
    expect(isOutsideBusinessHours(new Date(iso), hours)).toBe(expected);
  });

  it("accepts epoch seconds and rejects bad configuration", () => {
    expect(run("outside-business-hours", 1763370000, { timeZone: "UTC", days: ["Mon"], start: "00:00", end: "23:59" })).toBe(false); // Mon 2025-11-17 09:00 UTC
    expect(run("outside-business-hours", "1763370000", { timeZone: "UTC", days: ["Tue"], start: "00:00", end: "23:59" })).toBe(true);
    expect(() => parseBusinessHours({ timeZone: "Mars/Olympus", days: [], start: "09:00", end: "17:00" })).toThrow(/unknown IANA time zone/);
    expect(() => parseBusinessHours({ timeZone: "UTC", days: [], start: "17:00", end: "09:00" })).toThrow(/after start/);
  });

  it("property: agrees with a UTC reference implementation in UTC", () => {
    const utc = parseBusinessHours({ timeZone: "UTC", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "08:00", end: "18:00" });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (seconds) => {
        const d = new Date(seconds * 1000);
        const day = d.getUTCDay();
        const minutes = d.getUTCHours() * 60 + d.getUTCMinutes();
        const inside = day >= 1 && day <= 5 && minutes >= 480 && minutes < 1080;
        expect(isOutsideBusinessHours(d, utc)).toBe(!inside);
      }),
    );
  });

  it("property: cached offsets agree with ICU in zones with DST (incl. half-hour and 45-minute zones)", () => {
    const zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.constantFrom(...zones), (seconds, zone) => {
        const d = new Date(seconds * 1000);
        const parts = Object.fromEntries(
          new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" })
            .formatToParts(d)
            .map((p) => [p.type, p.value]),
        );
        expect(localTime(d, zone)).toEqual({
          date: `${parts.year}-${parts.month}-${parts.day}`,
          day: parts.weekday,
          minutes: Number(parts.hour) * 60 + Number(parts.minute),
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("property: local time in a fixed-offset zone is UTC shifted by the offset", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (seconds) => {
        const d = new Date(seconds * 1000);
        const shifted = new Date(d.getTime() + 5.5 * 3600 * 1000); // Asia/Kolkata has no DST
        expect(localTime(d, "Asia/Kolkata").minutes).toBe(shifted.getUTCHours() * 60 + shifted.getUTCMinutes());
      }),
    );
  });
});

describe("IAM wildcard matching", () => {
  it.each([
    ["*", "iam:PassRole", true],
    ["iam:*", "iam:PassRole", true],
    ["iam:pass*", "iam:PassRole", true],
    ["iam:Pass?ole", "iam:PassRole", true],
    ["iam:Get*", "iam:PassRole", false],
    ["s3:*", "iam:PassRole", false],
  ])("%s grants %s: %s", (pattern, action, expected) => {
    expect(actionGranted(pattern, action)).toBe(expected);
  });

  it("resource patterns are case-sensitive and lists are searched", () => {
    expect(run("iam-resource-grants", ["arn:aws:s3:::logs/*"], ["arn:aws:s3:::logs/2026/x"])).toBe(true);
    expect(run("iam-resource-grants", "arn:aws:s3:::LOGS/*", ["arn:aws:s3:::logs/x"])).toBe(false);
    expect(run("iam-action-grants", ["s3:GetObject", "iam:*"], ["iam:CreateUser"])).toBe(true);
  });
});

describe("tag operators", () => {
  const policy = { required: [{ key: "owner" }, { key: "env", allowedValues: ["prod", "dev"] }], byType: { "AWS::S3::Bucket": [{ key: "data", pattern: "^(public|internal)$" }] } };

  it("missing, invalid and per-type requirements", () => {
    expect(run("tags-missing-required", { Tags: [{ Key: "owner", Value: "a" }, { Key: "env", Value: "prod" }] }, policy)).toBe(false);
    expect(run("tags-missing-required", {}, policy)).toBe(true);
    expect(run("tags-missing-required", { Tags: { owner: "a", env: "qa" } }, policy)).toBe(true);
    expect(run("tags-missing-required", { Tags: [{ Key: "owner", Value: "a" }, { Key: "env", Value: "dev" }] }, policy, "AWS::S3::Bucket")).toBe(true);
    const op = OPERATORS.get("tags-missing-required")!;
    if (op.kind !== "value") throw new Error("expected a value operator");
    expect(op.explain!({ Tags: [{ Key: "env", Value: "qa" }] }, op.prepare!(policy), { subject: subject() })).toBe(
      "missing owner; invalid env=qa (allowed: prod, dev)",
    );
  });

  it("removed and re-valued tags", () => {
    expect(run("tags-remove-required", [{ Key: "owner" }], policy)).toBe(true);
    expect(run("tags-remove-required", [{ Key: "other" }], policy)).toBe(false);
    expect(run("tags-invalid-values", [{ Key: "env", Value: "qa" }], policy)).toBe(true);
    expect(run("tags-invalid-values", [{ Key: "owner", Value: "x" }], policy)).toBe(false);
  });
});

describe("registry", () => {
  it("every operator has a name, a description and a value schema decision", () => {
    for (const [name, op] of OPERATORS) {
      expect(op.name).toBe(name);
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(op.description.length).toBeGreaterThan(10);
      expect(op.valueSchema === null || typeof op.valueSchema === "object").toBe(true);
    }
  });
});
