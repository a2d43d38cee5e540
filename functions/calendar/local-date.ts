import { dayNumber, parseCalendarDate } from './calendar-date';
import { localDate } from './zoned-time';

/**
 * Whole calendar days from `date` (YYYY-MM-DD) to the local date of `instant` in `timezone`:
 * -3 three days before, 0 on the day, 7 a week after. Calendar days, so DST changes do not shift it.
 */
export function localDaysBetween(date: string, instant: Date, timezone: string): number {
  const local = localDate(instant.getTime(), timezone);
  if (local === undefined) throw new Error(`Invalid time zone ${timezone}`);
  const from = parseCalendarDate(date);
  const to = parseCalendarDate(local);
  return from && to ? dayNumber(to) - dayNumber(from) : Number.NaN;
}
