import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  closedReason,
  isOpen,
  isPublicHoliday,
  localWallClock,
  nextOpenInstant,
  type OpeningCalendar,
} from '../../../functions/calendar/calendar';
import { type BusinessHours, parseBillingRule, type TimeWindow, WEEKDAYS } from '../../../functions/rules/billing-rule';
import defaultRuleJson from '../../../rules/default.json';

const defaultRule = parseBillingRule(defaultRuleJson);
const sp: OpeningCalendar = {
  timezone: 'America/Sao_Paulo',
  businessHours: defaultRule.businessHours,
  country: 'BR',
  region: 'SP',
};
const brazil: OpeningCalendar = { ...sp, region: undefined };
const utc = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('business hours are wall-clock windows in the calendar zone (São Paulo, UTC-3)', () => {
  it('is open Mon–Fri 08:00–20:00 and Sat 08:00–14:00, half-open, closed on Sundays', () => {
    expect(closedReason(utc('2026-12-07T10:59:00Z'), sp)).toBe('outside-business-hours'); // Mon 07:59
    expect(isOpen(utc('2026-12-07T11:00:00Z'), sp)).toBe(true); // Mon 08:00 opens
    expect(isOpen(utc('2026-12-07T22:59:59.999Z'), sp)).toBe(true); // Mon 19:59:59.999
    expect(closedReason(utc('2026-12-07T23:00:00Z'), sp)).toBe('outside-business-hours'); // Mon 20:00 closes
    expect(isOpen(utc('2026-12-12T16:59:00Z'), sp)).toBe(true); // Sat 13:59
    expect(closedReason(utc('2026-12-12T17:00:00Z'), sp)).toBe('outside-business-hours'); // Sat 14:00 closes
    expect(closedReason(utc('2026-12-13T15:00:00Z'), sp)).toBe('outside-business-hours'); // Sun noon
  });

  it('reads the local date, time and weekday of an instant', () => {
    expect(localWallClock(utc('2026-12-08T02:30:00Z'), 'America/Sao_Paulo')).toEqual({
      date: '2026-12-07',
      time: '23:30',
      weekday: 'mon',
    });
    expect(localWallClock(utc('2026-12-07T20:00:00Z'), 'Asia/Kolkata')).toEqual({
      date: '2026-12-08',
      time: '01:30',
      weekday: 'tue',
    });
  });

  it('moves a send at 21:00 local to 08:00 the next business day', () => {
    expect(iso(nextOpenInstant(utc('2026-12-08T00:00:00Z'), sp))).toBe('2026-12-08T11:00:00.000Z'); // Mon 21:00 → Tue 08:00
    expect(iso(nextOpenInstant(utc('2026-12-12T17:30:00Z'), sp))).toBe('2026-12-14T11:00:00.000Z'); // Sat 14:30 → Mon 08:00
    expect(iso(nextOpenInstant(utc('2026-12-07T15:00:00Z'), sp))).toBe('2026-12-07T15:00:00.000Z'); // open: itself
  });

  it('throws a clear error when nothing opens within 400 days', () => {
    const mondays = Array.from(
      { length: 60 },
      (_, w) => DateTime.fromISO('2026-12-07').plus({ weeks: w }).toISODate() ?? '',
    );
    const cal: OpeningCalendar = {
      timezone: 'Europe/Lisbon',
      businessHours: { mon: [['09:00', '10:00']] },
      extraHolidays: mondays,
    };
    expect(() => nextOpenInstant(utc('2026-12-07T12:00:00Z'), cal)).toThrow(
      /No open business hours within 400 days after 2026-12-07T12:00:00.000Z/,
    );
  });
});

describe('holidays close the whole local day', () => {
  it('knows Brazilian national holidays, including Consciência Negra (national since 2024)', () => {
    expect(isPublicHoliday('2026-12-25', brazil)).toBe(true);
    expect(isPublicHoliday('2026-04-03', brazil)).toBe(true); // Sexta-feira Santa
    // date-holidays 3.37 lacks it nationally; the calendar adds it from 2024 on
    expect(isPublicHoliday('2026-11-20', brazil)).toBe(true);
    expect(isPublicHoliday('2023-11-20', brazil)).toBe(false);
    expect(isPublicHoliday('2026-02-17', brazil)).toBe(false); // Carnaval: not a public holiday (type "bank")
  });

  it('adds regional holidays of the calendar region (São Paulo, 9 July) and extra company holidays', () => {
    expect(closedReason(utc('2026-07-09T15:00:00Z'), sp)).toBe('holiday');
    expect(isOpen(utc('2026-07-09T15:00:00Z'), brazil)).toBe(true);
    expect(closedReason(utc('2026-12-24T15:00:00Z'), { ...sp, extraHolidays: ['2026-12-24'] })).toBe('holiday');
  });

  it('reports a holiday before outside-business-hours, and matches the local date, not the UTC one', () => {
    expect(closedReason(utc('2026-12-26T01:00:00Z'), sp)).toBe('holiday'); // 25th 22:00 local
    expect(closedReason(utc('2026-12-25T02:30:00Z'), sp)).toBe('outside-business-hours'); // 24th 23:30 local
  });

  it('covers every day of a multi-day public holiday', () => {
    // Eid al-Fitr in the UAE spans three local days in date-holidays' data
    const uae: OpeningCalendar = { timezone: 'Asia/Dubai', businessHours: {}, country: 'AE' };
    expect(['2026-03-20', '2026-03-21', '2026-03-22'].map((d) => isPublicHoliday(d, uae))).toEqual([true, true, true]);
  });

  it("closes the public holidays of more areas too (the debtor's own), as a union with the calendar country", () => {
    // Prepare: the São Paulo calendar for a debtor in New York and one in Rio de Janeiro
    const withNewYork: OpeningCalendar = { ...sp, moreHolidayAreas: [{ country: 'US', region: 'NY' }] };
    const withRio: OpeningCalendar = { ...sp, moreHolidayAreas: [{ country: 'BR', region: 'RJ' }] };

    // Act + Assess
    expect(isPublicHoliday('2026-11-26', sp)).toBe(false); // Thanksgiving
    expect(isPublicHoliday('2026-11-26', withNewYork)).toBe(true);
    expect(isPublicHoliday('2026-07-09', withNewYork)).toBe(true); // still São Paulo's own
    expect(isPublicHoliday('2026-04-23', withRio)).toBe(true); // São Jorge (RJ)
    expect(iso(nextOpenInstant(utc('2026-11-26T12:00:00Z'), withNewYork))).toBe('2026-11-27T11:00:00.000Z');
  });

  it('skips holidays when looking for the next open instant', () => {
    // Christmas Eve 20:30 → Christmas (holiday) → Saturday 26th 08:00
    expect(iso(nextOpenInstant(utc('2026-12-24T23:30:00Z'), sp))).toBe('2026-12-26T11:00:00.000Z');
    // Thursday 19 Nov 21:00 → Friday 20 Nov (Consciência Negra) → Saturday 08:00
    expect(iso(nextOpenInstant(utc('2026-11-20T00:00:00Z'), sp))).toBe('2026-11-21T11:00:00.000Z');
  });
});

describe('business hours across DST changes', () => {
  const sundays = (zone: string, window: TimeWindow): OpeningCalendar => ({
    timezone: zone,
    businessHours: { sun: [window] },
  });

  it('opens a window that starts in the spring-forward gap when the gap ends (New York, 2026-03-08)', () => {
    // 02:00 EST jumps to 03:00 EDT; a 02:30–04:00 window opens at 03:00 EDT = 07:00Z.
    const cal = sundays('America/New_York', ['02:30', '04:00']);
    expect(iso(nextOpenInstant(utc('2026-03-08T05:00:00Z'), cal))).toBe('2026-03-08T07:00:00.000Z');
    expect(isOpen(utc('2026-03-08T06:59:59.999Z'), cal)).toBe(false); // 01:59:59.999 EST
    // a window entirely inside the gap never opens that day: next Sunday 02:10 EDT
    const inGap = sundays('America/New_York', ['02:10', '02:50']);
    expect(iso(nextOpenInstant(utc('2026-03-08T05:00:00Z'), inGap))).toBe('2026-03-15T06:10:00.000Z');
  });

  it('opens at the earlier occurrence of a start in the fall-back overlap, and again at the second (New York, 2026-11-01)', () => {
    // 02:00 EDT falls back to 01:00 EST: 01:00–02:00 happens twice (05:00–06:00Z EDT, 06:00–07:00Z EST).
    const cal = sundays('America/New_York', ['01:30', '03:00']);
    expect(iso(nextOpenInstant(utc('2026-11-01T04:00:00Z'), cal))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    // the second 01:10 (EST) is closed again; the second 01:30 opens
    expect(closedReason(utc('2026-11-01T06:10:00Z'), cal)).toBe('outside-business-hours');
    expect(iso(nextOpenInstant(utc('2026-11-01T06:10:00Z'), cal))).toBe('2026-11-01T06:30:00.000Z');
  });

  it('re-opens when the fall-back jumps the wall clock back into a window', () => {
    // window 00:30–01:20; at 01:50 EDT it is closed, at 06:00Z the clock reads 01:00 EST: open again
    const cal = sundays('America/New_York', ['00:30', '01:20']);
    expect(iso(nextOpenInstant(utc('2026-11-01T05:50:00Z'), cal))).toBe('2026-11-01T06:00:00.000Z');
  });

  it('handles the Lisbon changes with a 01:30–03:00 window (gap 2026-03-29, overlap 2026-10-25)', () => {
    const cal = sundays('Europe/Lisbon', ['01:30', '03:00']);
    // 01:00 WET jumps to 02:00 WEST: 01:30 does not exist, the window opens at 02:00 WEST = 01:00Z
    expect(iso(nextOpenInstant(utc('2026-03-29T00:10:00Z'), cal))).toBe('2026-03-29T01:00:00.000Z');
    // 02:00 WEST falls back to 01:00 WET: the first 01:30 (WEST) is 00:30Z
    expect(iso(nextOpenInstant(utc('2026-10-24T23:10:00Z'), cal))).toBe('2026-10-25T00:30:00.000Z');
    // the clock reads 01:00–02:00 again from 01:00Z: closed until the second 01:30 (WET) at 01:30Z
    expect(closedReason(utc('2026-10-25T01:10:00Z'), cal)).toBe('outside-business-hours');
    expect(iso(nextOpenInstant(utc('2026-10-25T01:10:00Z'), cal))).toBe('2026-10-25T01:30:00.000Z');
  });

  it('keeps 08:00 local on both sides of a change', () => {
    const cal = sundays('Europe/Lisbon', ['08:00', '09:00']);
    expect(iso(nextOpenInstant(utc('2026-03-29T00:30:00Z'), cal))).toBe('2026-03-29T07:00:00.000Z'); // WEST
    expect(iso(nextOpenInstant(utc('2026-10-25T00:30:00Z'), cal))).toBe('2026-10-25T08:00:00.000Z'); // WET
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */

const ZONES = ['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const FIVE_MINUTES = 5 * 60_000;
const hhmm = (minutes: number) =>
  minutes === 1440
    ? '24:00'
    : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Random valid business hours: per weekday 0–2 sorted, non-overlapping windows on a 5-minute grid, 24:00 included. */
const businessHoursArb: fc.Arbitrary<BusinessHours> = fc
  .tuple(...WEEKDAYS.map(() => fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: 4 })))
  .map((perDay) => {
    const hours: Partial<Record<(typeof WEEKDAYS)[number], TimeWindow[]>> = {};
    perDay.forEach((points, d) => {
      const sorted = [...points].sort((a, b) => a - b).map((p) => p * 5);
      const windows: TimeWindow[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2)
        windows.push([hhmm(sorted[i] as number), hhmm(sorted[i + 1] as number)]);
      hours[WEEKDAYS[d] as (typeof WEEKDAYS)[number]] = windows;
    });
    return hours;
  })
  .filter((h) => Object.values(h).some((w) => w.length > 0));

const FROM = Date.UTC(2025, 0, 1);
const UNTIL = Date.UTC(2028, 11, 31);
const uniformInstantArb = fc.integer({ min: FROM, max: UNTIL }).map((ms) => new Date(ms));

/** The offset changes of a zone between FROM and UNTIL (from luxon, to the minute). */
function offsetChanges(zone: string): number[] {
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const changes: number[] = [];
  for (let day = FROM; day < UNTIL; day += 86_400_000) {
    if (offset(day) === offset(day + 86_400_000)) continue;
    let lo = day;
    let hi = day + 86_400_000;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offset(mid) === offset(hi)) hi = mid;
      else lo = mid;
    }
    changes.push(hi);
  }
  return changes;
}

const ZONE_CHANGES = new Map(ZONES.map((zone) => [zone, offsetChanges(zone)]));

/** Instants over 2025–2028, half of them within 3 days before or 1 day after one of the zone's DST changes. */
const instantArbFor = (zone: string): fc.Arbitrary<Date> => {
  const changes = ZONE_CHANGES.get(zone) ?? [];
  if (changes.length === 0) return uniformInstantArb;
  const nearChange = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * 86_400_000, max: 86_400_000 }))
    .map(([change, delta]) => new Date(change + delta));
  return fc.oneof(uniformInstantArb, nearChange);
};

/** A calendar (zone, random business hours, with or without BR/SP and US/NY holidays) and an instant to ask about. */
const scenarioArb = fc.constantFrom(...ZONES).chain((timezone) =>
  fc.tuple(
    instantArbFor(timezone),
    fc.tuple(businessHoursArb, fc.boolean(), fc.boolean()).map(
      ([businessHours, withHolidays, withDebtorHolidays]): OpeningCalendar => ({
        timezone,
        businessHours,
        ...(withHolidays ? { country: 'BR', region: 'SP' } : {}),
        ...(withDebtorHolidays ? { moreHolidayAreas: [{ country: 'US', region: 'NY' }] } : {}),
      }),
    ),
  ),
);

/** A public holiday of the calendar's country/region or of one of its more areas, each looked up on its own. */
const isAnyHoliday = (date: string, cal: OpeningCalendar) =>
  (cal.country !== undefined &&
    isPublicHoliday(date, { timezone: 'UTC', businessHours: {}, country: cal.country, region: cal.region })) ||
  (cal.moreHolidayAreas ?? []).some((area) => isPublicHoliday(date, { timezone: 'UTC', businessHours: {}, ...area }));

describe('the calendar, for all zones, business hours and instants (property)', () => {
  it('agrees with luxon on whether an instant is in a window', () => {
    fc.assert(
      fc.property(scenarioArb, ([t, cal]) => {
        const local = DateTime.fromJSDate(t, { zone: cal.timezone });
        const minutes = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
        const windows = cal.businessHours[WEEKDAYS[local.weekday - 1] as (typeof WEEKDAYS)[number]] ?? [];
        const inWindow = windows.some(
          ([s, e]) =>
            minutes >= Number(s.slice(0, 2)) * 60 + Number(s.slice(3)) &&
            minutes < Number(e.slice(0, 2)) * 60 + Number(e.slice(3)),
        );
        const holiday = isAnyHoliday(local.toISODate() ?? '', cal);
        expect(closedReason(t, cal)).toBe(holiday ? 'holiday' : inWindow ? null : 'outside-business-hours');
      }),
      { numRuns: 10_000 },
    );
  });

  it('nextOpenInstant is open, not before t, and the earliest such instant', () => {
    fc.assert(
      fc.property(scenarioArb, ([t, cal]) => {
        const next = nextOpenInstant(t, cal);
        expect(next.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(isOpen(next, cal)).toBe(true);
        if (next.getTime() === t.getTime()) return;
        // Windows lie on a 5-minute grid and every offset of these zones is a multiple of 30 minutes, so the
        // calendar only changes state on UTC 5-minute boundaries: the answer is on one, and checking t and every
        // boundary before the answer (those of the first two days, and the one just before the answer) proves nothing earlier is open.
        expect(next.getTime() % FIVE_MINUTES).toBe(0);
        expect(isOpen(t, cal)).toBe(false);
        const firstBoundary = Math.ceil(t.getTime() / FIVE_MINUTES) * FIVE_MINUTES;
        const lastChecked = Math.min(next.getTime(), firstBoundary + 2 * 86_400_000);
        let openEarlier: string | undefined;
        for (let ms = firstBoundary; ms < lastChecked && !openEarlier; ms += FIVE_MINUTES) {
          if (isOpen(new Date(ms), cal)) openEarlier = new Date(ms).toISOString();
        }
        expect(openEarlier).toBeUndefined();
        expect(isOpen(new Date(next.getTime() - 1), cal)).toBe(false);
        if (next.getTime() - FIVE_MINUTES >= t.getTime())
          expect(isOpen(new Date(next.getTime() - FIVE_MINUTES), cal)).toBe(false);
      }),
      { numRuns: 10_000 },
    );
  });

  it('never lands outside the São Paulo rule hours or on a holiday, whatever the debtor zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES).chain((zone) => fc.tuple(instantArbFor(zone), fc.constant(zone))),
        ([t, zone]) => {
          const cal: OpeningCalendar = { ...sp, timezone: zone };
          const next = DateTime.fromJSDate(nextOpenInstant(t, cal), { zone });
          const minutes = next.hour * 60 + next.minute;
          expect(next.weekday).not.toBe(7);
          expect(minutes).toBeGreaterThanOrEqual(8 * 60);
          expect(minutes).toBeLessThan(next.weekday === 6 ? 14 * 60 : 20 * 60);
          expect(isPublicHoliday(next.toISODate() ?? '', cal)).toBe(false);
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
