import { asText, type FieldCheck, quote } from './field-reader';
import { MAX_YEAR, MIN_YEAR } from './limits';

/** Checks of dates (`YYYY-MM-DD`) and instants (ISO-8601 with `Z` or an offset, stored in UTC). */

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const checkDate: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const match = DATE_SHAPE.exec(text.value);
  if (!match) return { issue: `must be a date like "2026-12-15" (YYYY-MM-DD), got ${quote(text.value)}` };
  if (!isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    return { issue: `not a real date: ${quote(text.value)}` };
  }
  if (!isSupportedYear(Number(match[1]))) return { issue: yearIssue(text.value) };
  return { value: text.value };
};

const INSTANT_SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** ISO-8601 instant with `Z` or an offset; returned normalised to UTC (`…Z`). */
export const checkInstant: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  return checkIsoInstant(text.value);
};

/**
 * An ISO-8601 instant with `Z` or an offset (`2026-11-20T12:00:00-03:00`), returned normalised to UTC
 * (`2026-11-20T15:00:00.000Z`) so that instants stored as text sort in time order. Impossible dates and times, and
 * years outside MIN_YEAR..MAX_YEAR, are issues.
 */
export function checkIsoInstant(value: string): { value: string } | { issue: string } {
  const m = INSTANT_SHAPE.exec(value);
  if (!m) {
    return {
      issue: `must be an ISO-8601 instant with Z or an offset, like "2026-11-20T12:00:00Z", got ${quote(value)}`,
    };
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? '0');
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(m[10] ?? '0');
  const offsetMinutes = Number(m[11] ?? '0');
  if (
    !isRealDate(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return { issue: `not a real instant: ${quote(value)}` };
  }
  if (!isSupportedYear(year)) return { issue: yearIssue(value) };
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetMs = m[8] === 'Z' ? 0 : offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  const instant = new Date(utcMs);
  // An offset can carry 9999-12-31T23:00-05:00 into year 10000, which toISOString writes as "+010000-…".
  if (!isSupportedYear(instant.getUTCFullYear())) return { issue: yearIssue(value) };
  return { value: instant.toISOString() };
}

function isSupportedYear(year: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function yearIssue(text: string): string {
  return `must be in the years ${MIN_YEAR} to ${MAX_YEAR}, got ${quote(text)}`;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
