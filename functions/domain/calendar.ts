import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { type BusinessHours, minutesOf, type TimeWindow, WEEKDAYS, type Weekday } from './billing-rule';

/** When contact is allowed: weekday windows (wall clock in `timezone`), closed on public and extra holidays. */
export interface OpeningCalendar {
  readonly timezone: string;
  readonly businessHours: BusinessHours;
  readonly country?: string;
  readonly region?: string;
  readonly extraHolidays?: readonly string[];
}

export type ClosedReason = 'holiday' | 'outside-business-hours';

/** How far ahead nextOpenInstant looks before it gives up. */
const HORIZON_DAYS = 400;

const holidayEngines = new Map<string, Holidays>();
const holidayDates = new Map<string, Set<string>>();

/** Local dates (YYYY-MM-DD) of the public holidays of a country/region in a year (date-holidays, offline data). */
function publicHolidayDates(country: string, region: string | undefined, year: number): Set<string> {
  const key = `${country}/${region ?? ''}/${year}`;
  let dates = holidayDates.get(key);
  if (!dates) {
    const engineKey = `${country}/${region ?? ''}`;
    let engine = holidayEngines.get(engineKey);
    if (!engine) {
      engine = region ? new Holidays(country, region) : new Holidays(country);
      holidayEngines.set(engineKey, engine);
    }
    dates = new Set(
      (engine.getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)),
    );
    holidayDates.set(key, dates);
  }
  return dates;
}

/** True when the local date is a public holiday of the calendar's country/region or one of its extra holidays. */
export function isPublicHoliday(localDate: string, cal: OpeningCalendar): boolean {
  if (cal.extraHolidays?.includes(localDate)) return true;
  if (!cal.country) return false;
  return publicHolidayDates(cal.country, cal.region, Number(localDate.slice(0, 4))).has(localDate);
}

/** Local date, time and weekday of an instant in a zone. */
export function localWallClock(at: Date, timezone: string): { date: string; time: string; weekday: Weekday } {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  return {
    date: local.toISODate() ?? '',
    time: local.toFormat('HH:mm'),
    weekday: WEEKDAYS[local.weekday - 1] as Weekday,
  };
}

function windowsOf(cal: OpeningCalendar, weekday: Weekday): readonly TimeWindow[] {
  return cal.businessHours[weekday] ?? [];
}

/** Why contact is not allowed at `at`, or null when it is. Windows are half-open: [start, end). */
export function closedReason(at: Date, cal: OpeningCalendar): ClosedReason | null {
  const local = DateTime.fromJSDate(at, { zone: cal.timezone });
  const date = local.toISODate() ?? '';
  if (isPublicHoliday(date, cal)) return 'holiday';
  const minute = local.hour * 60 + local.minute + (local.second * 1000 + local.millisecond) / 60_000;
  const open = windowsOf(cal, WEEKDAYS[local.weekday - 1] as Weekday).some(
    ([start, end]) => minute >= minutesOf(start) && minute < minutesOf(end),
  );
  return open ? null : 'outside-business-hours';
}

export function isOpen(at: Date, cal: OpeningCalendar): boolean {
  return closedReason(at, cal) === null;
}

/** The instant a wall-clock time occurs on a local date (a time in a DST gap moves forward past the gap). */
function instantAt(date: DateTime, minutes: number): DateTime {
  return date.startOf('day').plus({ minutes: 0 }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}

/** The instant (ms) of an offset change within the 3 hours before `instant`, if there is one. */
function transitionJustBefore(instant: DateTime): number | undefined {
  let hi = instant.toMillis();
  let lo = hi - 3 * 3_600_000;
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone: instant.zone }).offset;
  const target = instant.offset;
  if (offsetAt(lo) === target) return undefined;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The earliest instant >= `at` at which the calendar is open (`at` itself when open). Handles DST: a window that
 * starts inside a spring-forward gap opens when the gap ends; in a fall-back overlap both occurrences are tried.
 */
export function nextOpenInstant(at: Date, cal: OpeningCalendar): Date {
  if (isOpen(at, cal)) return at;
  const from = DateTime.fromJSDate(at, { zone: cal.timezone });
  const fromMs = at.getTime();
  for (let day = 0; day < HORIZON_DAYS; day++) {
    const date = from.startOf('day').plus({ days: day });
    const isoDate = date.toISODate() ?? '';
    if (isPublicHoliday(isoDate, cal)) continue;
    const candidates: number[] = [];
    for (const [start] of windowsOf(cal, WEEKDAYS[date.weekday - 1] as Weekday)) {
      const startMinutes = minutesOf(start);
      const startInstant = instantAt(date, startMinutes);
      candidates.push(startInstant.toMillis());
      // Spring-forward gap: a start inside the gap is shifted past it, but the window is open from the gap's end.
      const gapEnd = transitionJustBefore(startInstant);
      if (gapEnd !== undefined) candidates.push(gapEnd);
      // Fall-back overlap: the same wall-clock start also occurs one offset-change later.
      const later = startInstant.plus({ minutes: startInstant.offset - startInstant.plus({ hours: 3 }).offset });
      if (later.toMillis() !== startInstant.toMillis()) candidates.push(later.toMillis());
      if (day === 0) {
        // Same local day: the start reached by elapsed time from `at` (exact inside an overlap).
        const fromMinutes = from.hour * 60 + from.minute + (from.second * 1000 + from.millisecond) / 60_000;
        if (startMinutes > fromMinutes) candidates.push(fromMs + Math.round((startMinutes - fromMinutes) * 60_000));
      }
    }
    const open = candidates
      .filter((ms) => ms >= fromMs)
      .sort((a, b) => a - b)
      .find((ms) => isOpen(new Date(ms), cal));
    if (open !== undefined) return new Date(open);
  }
  throw new Error(`No open business hours within ${HORIZON_DAYS} days after ${at.toISOString()} (${cal.timezone})`);
}
