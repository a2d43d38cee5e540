import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { BusinessHours, TimeWindow } from '../../functions/domain/billing-rule';
import { closedReason, isOpen, nextOpenInstant, type OpeningCalendar } from '../../functions/domain/calendar';
import { defaultRule } from '../support/fixtures';

const sp: OpeningCalendar = { timezone: 'America/Sao_Paulo', businessHours: defaultRule.businessHours, country: 'BR', region: 'SP' };
const utc = (iso: string) => new Date(iso);

describe('business hours in the debtor time zone (São Paulo, UTC-3)', () => {
  it('is open Mon–Fri 08:00–20:00 and Sat 08:00–14:00, closed on Sundays', () => {
    expect(closedReason(utc('2026-12-07T10:59:00Z'), sp)).toBe('outside-business-hours'); // Mon 07:59
    expect(isOpen(utc('2026-12-07T11:00:00Z'), sp)).toBe(true); // Mon 08:00
    expect(isOpen(utc('2026-12-07T22:59:59Z'), sp)).toBe(true); // Mon 19:59:59
    expect(closedReason(utc('2026-12-07T23:00:00Z'), sp)).toBe('outside-business-hours'); // Mon 20:00 closes
    expect(isOpen(utc('2026-12-12T16:59:00Z'), sp)).toBe(true); // Sat 13:59
    expect(closedReason(utc('2026-12-12T17:00:00Z'), sp)).toBe('outside-business-hours'); // Sat 14:00
    expect(closedReason(utc('2026-12-13T15:00:00Z'), sp)).toBe('outside-business-hours'); // Sun noon
  });

  it('is closed all day on a national holiday (Christmas) and on an extra company holiday', () => {
    expect(closedReason(utc('2026-12-25T15:00:00Z'), sp)).toBe('holiday');
    expect(closedReason(utc('2026-12-24T15:00:00Z'), { ...sp, extraHolidays: ['2026-12-24'] })).toBe('holiday');
    expect(closedReason(utc('2026-07-09T15:00:00Z'), sp)).toBe('holiday'); // São Paulo state holiday
    expect(isOpen(utc('2026-07-09T15:00:00Z'), { ...sp, region: undefined })).toBe(true); // not a national one
  });

  it('moves a send at 21:00 local to 08:00 the next business day', () => {
    expect(nextOpenInstant(utc('2026-12-08T00:00:00Z'), sp).toISOString()).toBe('2026-12-08T11:00:00.000Z');
    // Saturday 14:30 → Monday 08:00; Christmas Eve 20:30 → Saturday 26th 08:00
    expect(nextOpenInstant(utc('2026-12-12T17:30:00Z'), sp).toISOString()).toBe('2026-12-14T11:00:00.000Z');
    expect(nextOpenInstant(utc('2026-12-24T23:30:00Z'), sp).toISOString()).toBe('2026-12-26T11:00:00.000Z');
  });
});

describe('business hours across DST changes', () => {
  const sunday = (zone: string, window: TimeWindow): OpeningCalendar => ({ timezone: zone, businessHours: { sun: [window] } });

  it('opens a window that starts inside the spring-forward gap when the gap ends (New York, 2026-03-08)', () => {
    // 02:00 EST jumps to 03:00 EDT; a 02:30–04:00 window opens at 03:00 EDT = 07:00Z.
    const cal = sunday('America/New_York', ['02:30', '04:00']);
    expect(nextOpenInstant(utc('2026-03-08T05:00:00Z'), cal).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // a window entirely inside the gap never opens that day: next Sunday 02:30 EDT
    const inGap = sunday('America/New_York', ['02:10', '02:50']);
    expect(nextOpenInstant(utc('2026-03-08T05:00:00Z'), inGap).toISOString()).toBe('2026-03-15T06:10:00.000Z');
  });

  it('finds the second occurrence of a wall-clock start in the fall-back overlap (New York, 2026-11-01)', () => {
    // 01:10 EST (the second 01:10, 06:10Z) is closed; 01:30 EST (06:30Z) is the next open instant.
    const cal = sunday('America/New_York', ['01:30', '03:00']);
    expect(closedReason(utc('2026-11-01T06:10:00Z'), cal)).toBe('outside-business-hours');
    expect(nextOpenInstant(utc('2026-11-01T06:10:00Z'), cal).toISOString()).toBe('2026-11-01T06:30:00.000Z');
    expect(nextOpenInstant(utc('2026-11-01T05:10:00Z'), cal).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('keeps 08:00 local on both sides of the Lisbon changes (2026-03-29, 2026-10-25)', () => {
    const cal = { timezone: 'Europe/Lisbon', businessHours: { sun: [['08:00', '09:00']] as TimeWindow[] } };
    expect(nextOpenInstant(utc('2026-03-29T00:30:00Z'), cal).toISOString()).toBe('2026-03-29T07:00:00.000Z'); // WEST
    expect(nextOpenInstant(utc('2026-10-25T00:30:00Z'), cal).toISOString()).toBe('2026-10-25T08:00:00.000Z'); // WET
  });
});

const ZONES = ['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = (minutes: number) =>
  minutes === 1440 ? '24:00' : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Random valid business hours: per weekday 0–2 sorted, non-overlapping windows on 5-minute steps. */
const businessHoursArb: fc.Arbitrary<BusinessHours> = fc
  .tuple(
    ...DAYS.map(() =>
      fc
        .uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: 4 })
        .map((points) => [...points].sort((a, b) => a - b).map((p) => p * 5)),
    ),
  )
  .map((perDay) => {
    const hours: Record<string, TimeWindow[]> = {};
    perDay.forEach((points, d) => {
      const windows: TimeWindow[] = [];
      for (let i = 0; i + 1 < points.length; i += 2) {
        const start = points[i] as number;
        const end = points[i + 1] as number;
        if (start < end && start < 1440) windows.push([hhmm(start), hhmm(end)]);
      }
      hours[DAYS[d] as string] = windows;
    });
    return hours as BusinessHours;
  })
  .filter((h) => Object.values(h).some((w) => (w?.length ?? 0) > 0));

const instantArb = fc
  .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) })
  .map((ms) => new Date(ms));

describe('nextOpenInstant, for all zones, hours and instants', () => {
  it('returns an open instant at or after t, and nothing between t and it is open', () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...ZONES), businessHoursArb, fc.boolean(), (t, zone, hours, holidays) => {
        const cal: OpeningCalendar = { timezone: zone, businessHours: hours, ...(holidays ? { country: 'BR' } : {}) };
        const next = nextOpenInstant(t, cal);
        expect(next.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(isOpen(next, cal)).toBe(true);
        if (next.getTime() > t.getTime()) {
          // Earliest: the instant just before is closed, and so are sampled instants in between.
          expect(isOpen(new Date(next.getTime() - 1), cal)).toBe(false);
          const span = next.getTime() - t.getTime();
          for (const f of [0, 0.25, 0.5, 0.75, 0.999]) {
            expect(isOpen(new Date(t.getTime() + Math.floor(span * f)), cal)).toBe(false);
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('never returns an instant outside the debtor windows or on a holiday', () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...ZONES), (t, zone) => {
        const cal: OpeningCalendar = { ...sp, timezone: zone };
        const next = nextOpenInstant(t, cal);
        const local = DateTime.fromJSDate(next, { zone });
        const minutes = local.hour * 60 + local.minute;
        expect(local.weekday).not.toBe(7);
        expect(minutes).toBeGreaterThanOrEqual(8 * 60);
        expect(minutes).toBeLessThan(local.weekday === 6 ? 14 * 60 : 20 * 60);
        expect(closedReason(next, cal)).toBeNull();
      }),
      { numRuns: 10_000 },
    );
  });
});
