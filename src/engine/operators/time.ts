import { isObject } from "../../util/objects";
import { OperatorValueError, valueOperator, type Operator } from "./types";

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type DayName = (typeof DAY_NAMES)[number];

export interface BusinessHours {
  timeZone: string;
  days: ReadonlySet<DayName>;
  /** Minutes after local midnight; `end` is exclusive. */
  start: number;
  end: number;
  holidays: ReadonlySet<string>;
}

export interface LocalTime {
  date: string; // YYYY-MM-DD in the zone
  day: DayName;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** UTC offset (ms) of a zone at an instant, read from ICU. */
function offsetAt(instant: Date, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return asUtc - Math.floor(instant.getTime() / 60_000) * 60_000;
}

// Offsets change only at transitions, which fall on quarter hours: cache one ICU lookup per zone and
// quarter hour instead of formatting every event (ICU formatting dominated evaluation time).
const QUARTER_HOUR = 15 * 60_000;
const offsetCache = new Map<string, number>();

function cachedOffset(instant: Date, timeZone: string): number {
  const key = `${timeZone}@${Math.floor(instant.getTime() / QUARTER_HOUR)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = offsetAt(instant, timeZone);
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** Wall-clock date, weekday and minute of day of an instant in an IANA time zone (DST-aware via ICU). */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const local = new Date(instant.getTime() + cachedOffset(instant, timeZone));
  const y = local.getUTCFullYear();
  const m = String(local.getUTCMonth() + 1).padStart(2, "0");
  const d = String(local.getUTCDate()).padStart(2, "0");
  return {
    date: `${String(y).padStart(4, "0")}-${m}-${d}`,
    day: DAY_NAMES[local.getUTCDay()]!,
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

export function isOutsideBusinessHours(instant: Date, hours: BusinessHours): boolean {
  const local = localTime(instant, hours.timeZone);
  if (!hours.days.has(local.day) || hours.holidays.has(local.date)) return true;
  return local.minutes < hours.start || local.minutes >= hours.end;
}

function clock(text: unknown, field: string): number {
  const m = typeof text === "string" ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text) : null;
  if (!m) throw new OperatorValueError(`businessHours.${field} must be HH:MM, got ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Business hours as configured; null when `timeZone` is null: a team that has not said where it
 * works has no off-hours, so off-hours rules stay silent rather than guess a zone.
 */
function configuredBusinessHours(value: unknown): BusinessHours | null {
  return isObject(value) && value.timeZone === null ? null : parseBusinessHours(value);
}

export function parseBusinessHours(value: unknown): BusinessHours {
  if (!isObject(value)) throw new OperatorValueError("expected business hours {timeZone, days, start, end}");
  const timeZone = value.timeZone;
  if (typeof timeZone !== "string") throw new OperatorValueError("businessHours.timeZone is required");
  try {
    formatterFor(timeZone);
  } catch {
    throw new OperatorValueError(`unknown IANA time zone "${timeZone}"`);
  }
  const days = Array.isArray(value.days) ? value.days : [];
  for (const d of days) {
    if (!DAY_NAMES.includes(d as DayName)) throw new OperatorValueError(`unknown day "${String(d)}" (use Mon..Sun)`);
  }
  const start = clock(value.start, "start");
  const end = clock(value.end, "end");
  if (end <= start) throw new OperatorValueError("businessHours.end must be after start");
  return {
    timeZone,
    days: new Set(days as DayName[]),
    start,
    end,
    holidays: new Set(Array.isArray(value.holidays) ? value.holidays.map(String) : []),
  };
}

/** ISO-8601 strings (CloudTrail eventTime) or epoch seconds (flow log start/end). */
export function toInstant(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (typeof value === "string") date = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  else if (typeof value === "number") date = new Date(value * 1000);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

export const timeOperators: Operator[] = [
  valueOperator<BusinessHours | null>({
    name: "outside-business-hours",
    description:
      "A time (ISO-8601 or epoch seconds) outside the business hours `value` ({timeZone, days, start, end, holidays}) in its IANA time zone; never, while timeZone is null (not configured).",
    valueSchema: { type: "object" },
    prepare: configuredBusinessHours,
    test: (actual, hours) => {
      const instant = toInstant(actual);
      return hours !== null && instant !== undefined && isOutsideBusinessHours(instant, hours);
    },
    explain: (actual, hours) => {
      const instant = toInstant(actual);
      if (!instant || !hours) return "";
      const local = localTime(instant, hours.timeZone);
      const hh = String(Math.floor(local.minutes / 60)).padStart(2, "0");
      const mm = String(local.minutes % 60).padStart(2, "0");
      const why = hours.holidays.has(local.date) ? " (holiday)" : "";
      return `at ${local.day} ${local.date} ${hh}:${mm} ${hours.timeZone}${why}`;
    },
  }),
];
