/** A calendar date as written in the data (`YYYY-MM-DD`): no time, no time zone. */
export interface CalendarDate {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
}

/**
 * Reads a `YYYY-MM-DD` string as a calendar date, or `undefined` when it is not one (bad shape, month 13,
 * 30 February). Pure arithmetic on the digits: no `Date`, so no time-zone shift can move the day.
 */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/**
 * The day's number in a count of days (1970-01-01 is 0), for comparing and adding days: `dayNumber(b) - dayNumber(a)`
 * is the number of days from `a` to `b`. Pure arithmetic on the proleptic Gregorian calendar (no `Date`).
 */
export function dayNumber(date: CalendarDate): number {
  // Days from civil (H. Hinnant): years start in March so that the leap day is the last day of a year.
  const year = date.month <= 2 ? date.year - 1 : date.year;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5) + date.day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `dd/mm/yyyy`, the numeric order used in Brazil and Spanish-speaking countries. */
export function dayMonthYear(date: CalendarDate): string {
  return `${pad2(date.day)}/${pad2(date.month)}/${date.year}`;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `Dec 7, 2026`: English month abbreviation, day, 4-digit year (luxon `toFormat('LLL d, yyyy')` in locale `en`). */
export function shortMonthDayYear(date: CalendarDate): string {
  return `${SHORT_MONTHS[date.month - 1] ?? ''} ${date.day}, ${String(date.year).padStart(4, '0')}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
