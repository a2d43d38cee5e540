/** The weekday keys of `businessHours`, Monday first (ISO order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `["08:00","20:00"]`: wall-clock HH:MM (24 h), half-open [start, end); `"24:00"` is allowed as an end. */
export type TimeWindow = readonly [string, string];
/** Windows per weekday; a missing (or undefined, as the schema's optional days parse) weekday or `[]` is closed. */
export type BusinessHours = Partial<Record<Weekday, readonly TimeWindow[] | undefined>>;

/** Weekday names for people, in the order of {@link WEEKDAYS}. */
export const WEEKDAY_NAMES: Readonly<Record<Weekday, string>> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** Parsed `HH:MM` strings (a few distinct windows, asked for constantly by the calendar). */
const MINUTES = new Map<string, number>();

/** Minutes since midnight of an `HH:MM` (or `24:00`) string. */
export function minutesOf(hhmm: string): number {
  const known = MINUTES.get(hhmm);
  if (known !== undefined) return known;
  const [h, m] = hhmm.split(':').map(Number);
  const minutes = (h ?? 0) * 60 + (m ?? 0);
  if (MINUTES.size < 2_000) MINUTES.set(hhmm, minutes); // the calendar asks for the same few windows all the time
  return minutes;
}

/** `HH:MM` of minutes since midnight (1440 is `24:00`). */
export function hhmmOf(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** True when some weekday has at least one window. */
export function hasOpenHours(hours: BusinessHours): boolean {
  return WEEKDAYS.some((day) => (hours[day] ?? []).length > 0);
}

/**
 * The hours open in both `a` and `b`: per weekday, the pairwise intersections of their windows (both are wall-clock
 * times on the same local day, so intersecting the windows intersects the open instants). Windows that touch
 * without overlapping (`08:00-12:00` and `12:00-13:00`) share no instant and give nothing.
 */
export function intersectHours(a: BusinessHours, b: BusinessHours): BusinessHours {
  const result: Partial<Record<Weekday, TimeWindow[]>> = {};
  for (const day of WEEKDAYS) {
    const windows: TimeWindow[] = [];
    for (const [aStart, aEnd] of a[day] ?? []) {
      for (const [bStart, bEnd] of b[day] ?? []) {
        const start = Math.max(minutesOf(aStart), minutesOf(bStart));
        const end = Math.min(minutesOf(aEnd), minutesOf(bEnd));
        if (start < end) windows.push([hhmmOf(start), hhmmOf(end)]);
      }
    }
    windows.sort((x, y) => minutesOf(x[0]) - minutesOf(y[0]));
    result[day] = windows;
  }
  return result;
}

/** True when the window lies inside one of `allowed` (start and end included). */
export function windowWithin(window: TimeWindow, allowed: readonly TimeWindow[]): boolean {
  const start = minutesOf(window[0]);
  const end = minutesOf(window[1]);
  return allowed.some(([s, e]) => minutesOf(s) <= start && end <= minutesOf(e));
}
