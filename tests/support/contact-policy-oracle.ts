import { DateTime } from 'luxon';
import { minutesOf, WEEKDAYS } from '../../functions/calendar/business-hours';
import { type ClosedReason, isPublicHoliday } from '../../functions/calendar/calendar';
import type { ContactDecisionInput, DeferReason } from '../../functions/contact/contact-policy';
import type { BillingRule } from '../../functions/rules/billing-rule';

// An independent model of the contact policy (functions/contact/contact-policy.ts) for its property tests
// (tests/unit/contact/contact-policy/): what a decision input allows at an instant, computed without the calendar's
// code. The arbitraries that feed it: contact-policy-arbitraries.ts.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const ZONES = ['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe'];

/*
 * The oracles below read wall clocks from a table of each zone's UTC offsets, taken from luxon once (offset changes
 * found to the minute by bisection), so that they neither share code with the calendar nor pay luxon's ~15 µs per
 * instant. The table covers 2024–2030; an instant outside it fails the test rather than being misread.
 */
const TABLE_FROM = Date.UTC(2024, 0, 1);
const TABLE_UNTIL = Date.UTC(2031, 0, 1);

interface OffsetTable {
  /** Instants at which the offset changes, ascending. */
  readonly changes: readonly number[];
  /** offsets[0] before changes[0], offsets[i + 1] from changes[i] (ms). */
  readonly offsets: readonly number[];
}

function offsetTable(zone: string): OffsetTable {
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset * MINUTE;
  const changes: number[] = [];
  const offsets = [offset(TABLE_FROM)];
  for (let day = TABLE_FROM; day < TABLE_UNTIL; day += DAY) {
    if (offset(day) === offset(day + DAY)) continue;
    let lo = day;
    let hi = day + DAY;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / (2 * MINUTE)) * MINUTE;
      if (offset(mid) === offset(hi)) hi = mid;
      else lo = mid;
    }
    changes.push(hi);
    offsets.push(offset(hi));
  }
  return { changes, offsets };
}
export const OFFSETS = new Map(ZONES.map((zone) => [zone, offsetTable(zone)]));

function offsetAt(t: number, zone: string): number {
  const table = OFFSETS.get(zone);
  if (!table || t < TABLE_FROM || t >= TABLE_UNTIL) throw new Error(`no offset table for ${zone} at ${t}`);
  let lo = 0; // number of changes at or before t
  let hi = table.changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((table.changes[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return table.offsets[lo] as number;
}

interface WallClock {
  /** Local date as whole days since 1970-01-01. */
  readonly epochDay: number;
  /** 0 = Monday … 6 = Sunday. */
  readonly weekday: number;
  /** Minutes since local midnight, with the fraction. */
  readonly minutes: number;
}

export function wallClock(t: number, zone: string): WallClock {
  const local = t + offsetAt(t, zone);
  const epochDay = Math.floor(local / DAY);
  return { epochDay, weekday: (((epochDay + 3) % 7) + 7) % 7, minutes: (local - epochDay * DAY) / MINUTE };
}

const holidayAnswers = new Map<string, boolean>();

/** A public holiday of the area on a local date (the calendar's tested lookup, cached here for speed). */
export function isHolidayIn(epochDay: number, country: string, region: string | undefined): boolean {
  const key = `${epochDay}|${country}|${region ?? ''}`;
  let answer = holidayAnswers.get(key);
  if (answer === undefined) {
    const date = new Date(epochDay * DAY).toISOString().slice(0, 10);
    answer = isPublicHoliday(date, { timezone: 'UTC', businessHours: {}, country, region });
    holidayAnswers.set(key, answer);
  }
  return answer;
}

const minuteWindows = new WeakMap<object, readonly (readonly [number, number])[][]>();

/** [start, end) minutes per weekday (0 = Monday) of some hours, parsed once. */
function windowsOf(hours: BillingRule['businessHours']): readonly (readonly [number, number])[][] {
  let parsed = minuteWindows.get(hours);
  if (!parsed) {
    parsed = WEEKDAYS.map((day) => (hours[day] ?? []).map(([s, e]) => [minutesOf(s), minutesOf(e)] as const));
    minuteWindows.set(hours, parsed);
  }
  return parsed;
}

/** Whether the calendar of a decision input is closed at t (holiday first), from the rule as written. */
export function closedAt(t: number, input: ContactDecisionInput): ClosedReason | null {
  const { rule, debtor: who } = input;
  const wall = wallClock(t, who.timezone ?? rule.timezone);
  const date = new Date(wall.epochDay * DAY).toISOString().slice(0, 10);
  if (
    rule.extraHolidays?.includes(date) ||
    isHolidayIn(wall.epochDay, rule.country, rule.region) ||
    (who.country !== undefined && isHolidayIn(wall.epochDay, who.country, who.region))
  )
    return 'holiday';
  const channels = input.channels ?? [];
  const hours =
    channels.length === 0 ? [rule.businessHours] : channels.map((c) => rule.channelHours?.[c] ?? rule.businessHours);
  const open = hours.every((h) =>
    (windowsOf(h)[wall.weekday] ?? []).some(([s, e]) => wall.minutes >= s && wall.minutes < e),
  );
  return open ? null : 'outside-business-hours';
}

/** The constraints an instant violates, computed independently of the policy, in order of precedence. */
export function violations(t: number, input: ContactDecisionInput): DeferReason[] {
  const found: DeferReason[] = [];
  const closed = closedAt(t, input);
  if (closed) found.push(closed);
  const policy = input.rule.contactPolicy;
  if (!policy) return found;
  const past = input.history.map((h) => h.getTime()).filter((h) => h <= t);
  if (past.filter((h) => h > t - policy.windowDays * DAY).length >= policy.maxContacts) found.push('frequency-cap');
  if (past.some((h) => t - h < policy.minHoursBetween * HOUR)) found.push('min-gap');
  return found;
}

/**
 * An independent model of the policy for instants on whole minutes: the debtor's wall clock from the offset table,
 * open when every channel's windows (as written in the rule) contain the minute, closed on the rule's, the debtor's
 * and extra holidays, and the caps counted from the history.
 */
export function minuteModel(input: ContactDecisionInput): (minute: number) => boolean {
  const { rule, debtor: who } = input;
  const zone = who.timezone ?? rule.timezone;
  const channels = input.channels ?? [];
  const windows = (
    channels.length === 0 ? [rule.businessHours] : channels.map((c) => rule.channelHours?.[c] ?? rule.businessHours)
  ).map(windowsOf);
  const extra = new Set((rule.extraHolidays ?? []).map((date) => Date.parse(`${date}T00:00:00Z`) / DAY));
  const history = input.history.map((h) => h.getTime());
  const policy = rule.contactPolicy;
  const windowMs = (policy?.windowDays ?? 0) * DAY;
  const gapMs = (policy?.minHoursBetween ?? 0) * HOUR;
  return (t) => {
    const { epochDay, weekday, minutes } = wallClock(t, zone);
    if (!insideEvery(windows, weekday, minutes)) return false;
    if (extra.has(epochDay) || isHolidayIn(epochDay, rule.country, rule.region)) return false;
    if (who.country !== undefined && isHolidayIn(epochDay, who.country, who.region)) return false;
    if (!policy) return true;
    return capsKept(history, t, { windowMs, gapMs, maxContacts: policy.maxContacts });
  };
}

/** Whether the minute of the weekday is inside a window of every one of the hours. */
function insideEvery(
  windows: readonly (readonly (readonly [number, number])[][])[],
  weekday: number,
  minutes: number,
): boolean {
  for (const perDay of windows) {
    let inside = false;
    for (const [s, e] of perDay[weekday] ?? []) if (minutes >= s && minutes < e) inside = true;
    if (!inside) return false;
  }
  return true;
}

/** Whether a contact at t keeps the gap after every earlier contact and stays under the cap of the window. */
function capsKept(
  history: readonly number[],
  t: number,
  caps: { windowMs: number; gapMs: number; maxContacts: number },
): boolean {
  let inWindow = 0;
  for (const h of history) {
    if (h > t) continue;
    if (h > t - caps.windowMs) inWindow++;
    if (t - h < caps.gapMs) return false;
  }
  return inWindow < caps.maxContacts;
}
