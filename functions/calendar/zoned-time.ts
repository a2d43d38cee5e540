import { dayNumber, parseCalendarDate } from './calendar-date';

/*
 * IANA time zones without luxon (~70 KB in a bundle): offsets read from a cached Intl.DateTimeFormat per zone, and
 * the few DateTime operations the domain needs, computed the way luxon 3.7 computes them, so results are the same —
 * including which instant a wall-clock time a DST change skips or repeats becomes. Gregorian years 100–9999 CE.
 * tests/unit/calendar/zoned-time.test.ts checks every function against luxon.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Minutes to milliseconds with luxon's arithmetic (`o * 60 * 1000`), so fractional offsets round the same way. */
const minutesToMs = (minutes: number): number => minutes * 60 * 1000;

/** A valid IANA time zone. */
export interface TimeZone {
  readonly name: string;
  /**
   * Minutes east of UTC at instant `ms` (as luxon's `IANAZone.offset`): fractional for the few historical offsets
   * with seconds (Africa/Monrovia −0:44:30 until 1972), NaN for an invalid instant.
   */
  offset(ms: number): number;
}

/** Zones by name, `null` for an invalid name: building an Intl.DateTimeFormat costs far more than using it. */
const zones = new Map<string, TimeZone | null>();
const MAX_CACHED_ZONES = 10_000;

/**
 * The IANA zone `name` (any case, as Intl accepts it: "America/Sao_Paulo", "UTC", "Etc/GMT+3"), or undefined when
 * Intl does not know it — the check luxon's `IANAZone.isValidZone` makes. Cached.
 */
export function timeZone(name: string): TimeZone | undefined {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = makeZone(name);
    if (zones.size >= MAX_CACHED_ZONES) zones.clear();
    zones.set(name, zone);
  }
  return zone ?? undefined;
}

function makeZone(name: string): TimeZone | null {
  if (!name) return null;
  let format: Intl.DateTimeFormat;
  try {
    // h23: with `hour12: false` some engines write midnight as "24" (still mapped to 0 below, to be safe).
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null; // RangeError: unknown time zone
  }
  return { name, offset: (ms) => offsetIn(format, ms) };
}

/** en-US numeric date and time, h23: "12/31/1969, 21:00:00" (month, day, year, hour, minute, second). */
const EN_US_WALL = /(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)/;

/**
 * The zone's wall clock (to the second) read as UTC, minus the instant truncated to the second. `format` and a
 * regular expression: about 4× faster than `formatToParts`, which stays as the fallback for an unexpected shape.
 */
function offsetIn(format: Intl.DateTimeFormat, ms: number): number {
  const date = new Date(ms);
  const instant = date.getTime();
  if (Number.isNaN(instant)) return Number.NaN;
  const match = EN_US_WALL.exec(format.format(date));
  const wall = match ? wallMs(match[3], match[1], match[2], match[4], match[5], match[6]) : wallFromParts(format, date);
  const over = instant % 1000;
  return (wall - (instant - (over >= 0 ? over : 1000 + over))) / MINUTE;
}

function wallFromParts(format: Intl.DateTimeFormat, date: Date): number {
  const parts = format.formatToParts(date);
  const [year, month, day, hour, minute, second] = (['year', 'month', 'day', 'hour', 'minute', 'second'] as const).map(
    (type) => parts.find((part) => part.type === type)?.value,
  );
  return wallMs(year, month, day, hour, minute, second);
}

/** A wall clock read as UTC; hour "24" (midnight in some engines' hour12: false) is 0. */
function wallMs(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number {
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour) % 24, Number(minute), Number(second));
}

/**
 * An instant read in a zone, as a luxon DateTime holds it: the instant and the offset (minutes east of UTC) its wall
 * clock is read with — the zone's offset at `ms`, except where {@link startOfDate} resolved a skipped time (then
 * luxon's, see {@link resolveWall}). The offset is also the guess for the next wall-clock time asked for.
 */
export interface ZonedTime {
  readonly zone: TimeZone;
  readonly ms: number;
  readonly offset: number;
}

/** The wall clock of a zoned time as milliseconds since 1970-01-01T00:00 of that clock. */
const wallOf = (t: ZonedTime): number => t.ms + minutesToMs(t.offset);

/**
 * The instant at which the zone's clock reads `wall`, from a guessed offset — luxon's `fixOffset`: the one instant
 * when there is one; in a fall-back overlap the occurrence the guess points at; in a spring-forward gap the time
 * moved forward by the gap (02:30 on a 02:00→03:00 day is 03:30), with the offset after the change.
 */
function resolveWall(wall: number, guess: number, zone: TimeZone): { ms: number; offset: number } {
  let ms = wall - minutesToMs(guess);
  const second = zone.offset(ms);
  if (second === guess) return { ms, offset: guess };
  ms -= minutesToMs(second - guess);
  const third = zone.offset(ms);
  if (third === second) return { ms, offset: second };
  return { ms: wall - minutesToMs(Math.min(second, third)), offset: Math.max(second, third) };
}

/** A zoned time moved to `ms`: luxon keeps an unchanged instant as it was and re-reads the offset of a new one. */
function movedTo(t: ZonedTime, ms: number): ZonedTime {
  return ms === t.ms ? t : { zone: t.zone, ms, offset: t.zone.offset(ms) };
}

/** Instant `ms` in zone `timezone` (luxon `DateTime.fromJSDate`); undefined for an invalid zone or instant. */
export function zonedTime(ms: number, timezone: string): ZonedTime | undefined {
  const zone = timeZone(timezone);
  if (!zone || Number.isNaN(new Date(ms).getTime())) return undefined;
  return { zone, ms, offset: zone.offset(ms) };
}

/**
 * The start of local date `date` (YYYY-MM-DD) in `timezone` — luxon `DateTime.fromISO(date, { zone })` — or
 * undefined for an invalid zone or a date that is not real. A midnight skipped by a DST change is the first instant
 * of the day (Sao Paulo 2018-11-04 00:00 → 01:00 −02); a day skipped whole (Pacific/Apia 2011-12-30) is the first
 * instant after it. A midnight that happens twice (America/Havana on the fall-back day) is the earlier one: luxon
 * picks by the offset in force when it runs (`Date.now()`), this reads the offset 14 hours before the date begins
 * (earlier than any zone's midnight), i.e. luxon with its clock there.
 */
export function startOfDate(date: string, timezone: string): ZonedTime | undefined {
  const zone = timeZone(timezone);
  const calendar = parseCalendarDate(date);
  if (!zone || !calendar) return undefined;
  const midnight = dayNumber(calendar) * DAY;
  return { zone, ...resolveWall(midnight, zone.offset(midnight - 14 * HOUR), zone) };
}

/**
 * `days` (a whole number) calendar days later, same wall-clock time, resolved with `t`'s offset as the guess —
 * luxon `plus({ days })`. Not a fixed 24 h: a DST change in between keeps the wall clock.
 */
export function plusDays(t: ZonedTime, days: number): ZonedTime {
  if (!Number.isInteger(days)) throw new RangeError(`days must be a whole number, got ${days}`);
  return movedTo(t, resolveWall(wallOf(t) + days * DAY, t.offset, t.zone).ms);
}

/**
 * The same local date at wall-clock `minutes` after midnight (seconds and milliseconds 0), resolved with `t`'s offset
 * as the guess — luxon `set({ hour, minute, second: 0, millisecond: 0 })`; `atTimeOfDay(t, 0)` is `startOf('day')`.
 */
export function atTimeOfDay(t: ZonedTime, minutes: number): ZonedTime {
  const wall = Math.floor(wallOf(t) / DAY) * DAY + minutes * MINUTE;
  return movedTo(t, resolveWall(wall, t.offset, t.zone).ms);
}

/** The local date (YYYY-MM-DD) on `t`'s wall clock — luxon `toISODate()`. */
export function isoDateOf(t: ZonedTime): string {
  return new Date(wallOf(t)).toISOString().slice(0, 10);
}

/** The local date (YYYY-MM-DD) of instant `ms` in `timezone`; undefined for an invalid zone or instant. */
export function localDate(ms: number, timezone: string): string | undefined {
  const t = zonedTime(ms, timezone);
  return t && isoDateOf(t);
}
