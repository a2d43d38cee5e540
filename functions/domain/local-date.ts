import { DateTime } from 'luxon';

/**
 * Whole calendar days from `date` (YYYY-MM-DD) to the local date of `instant` in `timezone`:
 * -3 three days before, 0 on the day, 7 a week after. Calendar days, so DST changes do not shift it.
 */
export function localDaysBetween(date: string, instant: Date, timezone: string): number {
  const local = DateTime.fromJSDate(instant, { zone: timezone }).toISODate();
  if (local === null) throw new Error(`Invalid time zone ${timezone}`);
  const from = DateTime.fromISO(date, { zone: 'UTC' });
  const to = DateTime.fromISO(local, { zone: 'UTC' });
  return Math.round(to.diff(from, 'days').days);
}
