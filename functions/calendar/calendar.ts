import { type BusinessHours, minutesOf, WEEKDAYS, type Weekday } from './business-hours';
import type { HolidayArea } from './holiday-data';
import { holidayTable } from './holiday-table';
import { type TimeZone, timeZone } from './zoned-time';

/** When contact is allowed: weekday windows (wall clock in `timezone`), closed on public and extra holidays. */
export interface OpeningCalendar {
  readonly timezone: string;
  readonly businessHours: BusinessHours;
  /** ISO alpha-2 country whose public holidays (holiday table, from date-holidays type `public`) are closed all day. */
  readonly country?: string | undefined;
  /** Region (state) code within `country`, adding its regional holidays. */
  readonly region?: string | undefined;
  /** Extra closed local dates (YYYY-MM-DD), e.g. company closures. */
  readonly extraHolidays?: readonly string[] | undefined;
  /** More countries/regions whose public holidays are closed too (e.g. the debtor's own): a union with `country`. */
  readonly moreHolidayAreas?: readonly HolidayArea[] | undefined;
}

export type ClosedReason = 'holiday' | 'outside-business-hours';

/** How far ahead nextOpenInstant looks before it gives up. */
const HORIZON_DAYS = 400;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/*
 * Internally a local date is an "epoch day": whole days since 1970-01-01 of the wall clock read as if it were UTC.
 * Integers make the hot paths (property tests run them hundreds of thousands of times) cheap.
 */

const epochDayOf = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / DAY;
const isoDateOf = (epochDay: number): string => new Date(epochDay * DAY).toISOString().slice(0, 10);
/** 1970-01-01 was a Thursday; WEEKDAYS starts on Monday. */
const weekdayOf = (epochDay: number): Weekday => WEEKDAYS[(((epochDay + 3) % 7) + 7) % 7] as Weekday;

/* ------------------------------------------------------------------------------------------------------------------
 * Time zone offsets (Intl, via zoned-time; cached).
 * ---------------------------------------------------------------------------------------------------------------- */

function zoneOf(timezone: string): TimeZone {
  const zone = timeZone(timezone);
  if (!zone) throw new Error(`Invalid time zone "${timezone}" (expected an IANA zone like "America/Sao_Paulo")`);
  return zone;
}

/** A zone's offsets (ms) over one UTC day: `before` until `switchAt`, `after` from it (no change: switchAt = ∞). */
interface DayOffsets {
  readonly before: number;
  readonly after: number;
  readonly switchAt: number;
}

/**
 * Offsets per zone and UTC day. `TimeZone.offset` costs ~4 µs (Intl) and the calendar asks for it a lot; offset
 * changes are months apart, so a UTC day holds at most one, found once by bisection.
 */
const dailyOffsets = new Map<string, Map<number, DayOffsets>>();
const MAX_CACHED_DAYS = 50_000;

function offsetsOfDay(zone: TimeZone, utcDay: number): DayOffsets {
  let cache = dailyOffsets.get(zone.name);
  if (!cache) {
    cache = new Map();
    dailyOffsets.set(zone.name, cache);
  }
  let offsets = cache.get(utcDay);
  if (!offsets) {
    const start = utcDay * DAY;
    const before = zone.offset(start);
    const after = zone.offset(start + DAY - 1);
    let switchAt = Number.POSITIVE_INFINITY;
    if (before !== after) {
      let a = start; // invariant: offset(a) !== after, offset(b) === after
      let b = start + DAY - 1;
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (zone.offset(mid) === after) b = mid;
        else a = mid;
      }
      switchAt = b;
    }
    offsets = { before: before * MINUTE, after: after * MINUTE, switchAt };
    if (cache.size >= MAX_CACHED_DAYS) cache.clear();
    cache.set(utcDay, offsets);
  }
  return offsets;
}

/** UTC offset (ms) of a zone at an instant. */
function offsetAt(zone: TimeZone, ms: number): number {
  const offsets = offsetsOfDay(zone, Math.floor(ms / DAY));
  return ms < offsets.switchAt ? offsets.before : offsets.after;
}

/** Offset changes (instants) within [from, to]. */
function transitionsBetween(from: number, to: number, zone: TimeZone): number[] {
  const found: number[] = [];
  for (let day = Math.floor(from / DAY); day <= Math.floor(to / DAY); day++) {
    const { switchAt } = offsetsOfDay(zone, day);
    if (switchAt >= from && switchAt <= to) found.push(switchAt);
  }
  return found;
}

interface Wall {
  readonly epochDay: number;
  /** Minutes since local midnight, with the fraction of the current minute. */
  readonly minutes: number;
}

/** The wall clock of an instant in a zone. */
function wallAt(ms: number, zone: TimeZone): Wall {
  const local = ms + offsetAt(zone, ms);
  const epochDay = Math.floor(local / DAY);
  return { epochDay, minutes: (local - epochDay * DAY) / MINUTE };
}

/**
 * Every instant whose wall clock in `zone` reads `minutes` on local `epochDay`: one normally, two in a fall-back
 * overlap (earlier first), none in a spring-forward gap.
 */
function instantsAtWallClock(epochDay: number, minutes: number, zone: TimeZone): number[] {
  const naive = epochDay * DAY + minutes * MINUTE;
  // Offsets range from -12 h to +14 h, so the instant lies within [naive - 14 h, naive + 12 h].
  const offsets = new Set([offsetAt(zone, naive - 14 * HOUR), offsetAt(zone, naive + 12 * HOUR)]);
  const found = [...offsets].map((offset) => naive - offset).filter((ms) => offsetAt(zone, ms) === naive - ms);
  return [...new Set(found)].sort((a, b) => a - b);
}

/* ------------------------------------------------------------------------------------------------------------------
 * Holidays.
 * ---------------------------------------------------------------------------------------------------------------- */

/**
 * National public holidays the holiday table's data (date-holidays 3.37) lacks. Brazil: Dia Nacional de Zumbi e da
 * Consciência Negra, a national holiday since 2024 (Lei 14.759/2023).
 */
const MISSING_PUBLIC_HOLIDAYS: Readonly<Record<string, readonly { monthDay: string; since: number }[]>> = {
  BR: [{ monthDay: '11-20', since: 2024 }],
};

/** MISSING_PUBLIC_HOLIDAYS per country as epoch days over the holiday table's years, built on first use. */
const missingHolidayDays = new Map<string, ReadonlySet<number>>();

function isMissingPublicHoliday(epochDay: number, country: string): boolean {
  const missing = MISSING_PUBLIC_HOLIDAYS[country];
  if (!missing) return false;
  let days = missingHolidayDays.get(country);
  if (!days) {
    const { from, to } = holidayTable().index().years;
    const found = new Set<number>();
    for (const { monthDay, since } of missing)
      for (let year = Math.max(from, since); year <= to; year++) found.add(epochDayOf(`${year}-${monthDay}`));
    days = found;
    missingHolidayDays.set(country, days);
  }
  return days.has(epochDay);
}

const extraHolidayDays = new WeakMap<readonly string[], ReadonlySet<number>>();

function isHoliday(epochDay: number, cal: OpeningCalendar): boolean {
  if (cal.extraHolidays && cal.extraHolidays.length > 0) {
    let extra = extraHolidayDays.get(cal.extraHolidays);
    if (!extra) {
      extra = new Set(cal.extraHolidays.map(epochDayOf));
      extraHolidayDays.set(cal.extraHolidays, extra);
    }
    if (extra.has(epochDay)) return true;
  }
  if (cal.country && isAreaHoliday(epochDay, cal.country, cal.region)) return true;
  return cal.moreHolidayAreas?.some((area) => isAreaHoliday(epochDay, area.country, area.region)) ?? false;
}

/** Throws for a day outside the holiday table's years rather than answering "no holiday" (see holiday-table.ts). */
function isAreaHoliday(epochDay: number, country: string, region: string | undefined): boolean {
  return holidayTable().isPublicHoliday(epochDay, country, region) || isMissingPublicHoliday(epochDay, country);
}

/**
 * True when the local date (YYYY-MM-DD) is a public holiday of the calendar's country/region or of one of its
 * `moreHolidayAreas` (the holiday table: date-holidays type `public`, plus national holidays its data lacks), or one
 * of the calendar's extra holidays.
 * @throws Error when a holiday area is asked about a year outside the holiday table's range.
 */
export function isPublicHoliday(localDate: string, cal: OpeningCalendar): boolean {
  return isHoliday(epochDayOf(localDate), cal);
}

/* ------------------------------------------------------------------------------------------------------------------
 * Opening hours.
 * ---------------------------------------------------------------------------------------------------------------- */

/** Local date (YYYY-MM-DD), time (HH:mm) and weekday of an instant in a zone. */
export function localWallClock(at: Date, timezone: string): { date: string; time: string; weekday: Weekday } {
  const wall = wallAt(at.getTime(), zoneOf(timezone));
  const minutes = Math.floor(wall.minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    date: isoDateOf(wall.epochDay),
    time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
    weekday: weekdayOf(wall.epochDay),
  };
}

/** Windows as [start, end) minutes, per weekday, parsed once per businessHours object. */
type MinuteWindows = Readonly<Record<Weekday, readonly (readonly [number, number])[]>>;
const parsedHours = new WeakMap<BusinessHours, MinuteWindows>();

function windowsOn(epochDay: number, cal: OpeningCalendar): readonly (readonly [number, number])[] {
  let parsed = parsedHours.get(cal.businessHours);
  if (!parsed) {
    const byDay = {} as Record<Weekday, (readonly [number, number])[]>;
    for (const day of WEEKDAYS)
      byDay[day] = (cal.businessHours[day] ?? []).map(([s, e]) => [minutesOf(s), minutesOf(e)] as const);
    parsed = byDay;
    parsedHours.set(cal.businessHours, parsed);
  }
  return parsed[weekdayOf(epochDay)];
}

function closedReasonAt(ms: number, cal: OpeningCalendar, zone: TimeZone): ClosedReason | null {
  const { epochDay, minutes } = wallAt(ms, zone);
  if (isHoliday(epochDay, cal)) return 'holiday';
  return windowsOn(epochDay, cal).some(([start, end]) => minutes >= start && minutes < end)
    ? null
    : 'outside-business-hours';
}

/**
 * Why contact is not allowed at `at` (`holiday` beats `outside-business-hours`), or null when the calendar is open.
 * Windows are wall-clock times in `cal.timezone`, half-open [start, end).
 */
export function closedReason(at: Date, cal: OpeningCalendar): ClosedReason | null {
  return closedReasonAt(at.getTime(), cal, zoneOf(cal.timezone));
}

/** True when the calendar is open at `at` (inside a business-hours window, not a holiday). */
export function isOpen(at: Date, cal: OpeningCalendar): boolean {
  return closedReason(at, cal) === null;
}

/**
 * The earliest open instant >= `from` whose local date is `epochDay`, if any. The calendar only turns from closed
 * to open where the wall clock reaches a window start (both occurrences in a fall-back overlap) or jumps (an offset
 * change: a window starting inside a spring-forward gap opens when the gap ends), so those are the only candidates.
 */
function earliestOpenOn(epochDay: number, from: number, cal: OpeningCalendar, zone: TimeZone): number | undefined {
  const windows = windowsOn(epochDay, cal);
  if (windows.length === 0 || isHoliday(epochDay, cal)) return undefined;
  const midnight = epochDay * DAY;
  const candidates = [
    ...windows.flatMap(([start]) => instantsAtWallClock(epochDay, start, zone)),
    ...transitionsBetween(midnight - 14 * HOUR, midnight + DAY + 12 * HOUR, zone).filter(
      (t) => wallAt(t, zone).epochDay === epochDay,
    ),
  ];
  return candidates
    .filter((ms) => ms >= from)
    .sort((a, b) => a - b)
    .find((ms) => closedReasonAt(ms, cal, zone) === null);
}

/**
 * The earliest instant >= `at` at which the calendar is open (`at` itself when open).
 * DST: a window starting inside a spring-forward gap opens at the first instant after the gap; a window start in a
 * fall-back overlap opens at its earlier occurrence.
 * @throws Error when nothing is open within 400 days (e.g. every open weekday is a holiday).
 */
export function nextOpenInstant(at: Date, cal: OpeningCalendar): Date {
  const zone = zoneOf(cal.timezone);
  const from = at.getTime();
  if (closedReasonAt(from, cal, zone) === null) return at;
  const firstDay = wallAt(from, zone).epochDay;
  // Local dates only move forward, except across a fall-back at midnight (back by at most one day): start a day
  // early and, once something is found, look one day further.
  let best: number | undefined;
  for (let day = firstDay - 1; day <= firstDay + HORIZON_DAYS; day++) {
    const found = earliestOpenOn(day, from, cal, zone);
    if (best !== undefined) return new Date(found === undefined ? best : Math.min(best, found));
    best = found;
  }
  if (best !== undefined) return new Date(best);
  throw new Error(
    `No open business hours within ${HORIZON_DAYS} days after ${at.toISOString()} in ${cal.timezone}: check businessHours and holidays`,
  );
}
