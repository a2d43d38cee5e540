import fc from 'fast-check';
import { DateTime, IANAZone, Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import { shortMonthDayYear } from '../../../functions/calendar/calendar-date';
import { isValidTimeZone } from '../../../functions/calendar/time-zone';
import {
  atTimeOfDay,
  isoDateOf,
  localDate,
  plusDays,
  startOfDate,
  timeZone,
  type ZonedTime,
  zonedTime,
} from '../../../functions/calendar/zoned-time';

/*
 * zoned-time replaces luxon in the Lambdas; luxon (still a dev dependency) is the oracle here. Random zones (every
 * zone Intl knows, plus UTC), random instants and dates 1970–2100, half of them next to an offset change (found with
 * luxon's own offsets), then hand-written DST cases with their real values.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FROM = Date.UTC(1970, 0, 1);
const TO = Date.UTC(2101, 0, 1) - 1;

const ZONES = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
/** Zones with odd offsets or DST rules (midnight skipped or repeated, 30-minute DST, day skipped, seconds offsets). */
const TRICKY = [
  'America/Sao_Paulo',
  'America/New_York',
  'America/Havana',
  'America/Santiago',
  'America/Asuncion',
  'America/Godthab',
  'Asia/Beirut',
  'Asia/Amman',
  'Asia/Damascus',
  'Asia/Gaza',
  'Asia/Tehran',
  'Asia/Kathmandu',
  'Africa/Cairo',
  'Africa/Casablanca',
  'Africa/Monrovia',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Pacific/Kiritimati',
  'Europe/London',
  'Europe/Dublin',
];

const zoneArb = fc.oneof(fc.constantFrom(...ZONES), fc.constantFrom(...TRICKY.filter((z) => ZONES.includes(z))));
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Offset changes of `zone` in `year`, to the second, from luxon's offsets (weekly samples, then bisection). */
const transitionCache = new Map<string, number[]>();
function transitionsIn(zone: string, year: number): number[] {
  const key = `${zone} ${year}`;
  let found = transitionCache.get(key);
  if (!found) {
    found = [];
    const luxonZone = IANAZone.create(zone);
    const end = Date.UTC(year + 1, 0, 1);
    for (let from = Date.UTC(year, 0, 1); from < end; from += 7 * DAY) {
      let a = from;
      let b = Math.min(from + 7 * DAY, end);
      if (luxonZone.offset(a) === luxonZone.offset(b)) continue;
      const after = luxonZone.offset(b);
      while (b - a > 1000) {
        const mid = a + Math.floor((b - a) / 2000) * 1000;
        if (luxonZone.offset(mid) === after) b = mid;
        else a = mid;
      }
      found.push(b);
    }
    transitionCache.set(key, found);
  }
  return found;
}

/** A zone and an instant: anywhere in 1970–2100, or within ±26 h of one of the zone's offset changes. */
const zonedInstantArb = fc.oneof(
  fc.record({ zone: zoneArb, ms: fc.integer({ min: FROM, max: TO }) }),
  fc
    .tuple(zoneArb, fc.integer({ min: 1970, max: 2100 }), fc.nat(), fc.integer({ min: -26 * HOUR, max: 26 * HOUR }))
    .map(([zone, year, pick, delta]) => {
      const changes = transitionsIn(zone, year);
      const at = changes.length ? (changes[pick % changes.length] as number) : Date.UTC(year, 5, 15);
      return { zone, ms: at + delta };
    }),
);

/** A zone and a local date (YYYY-MM-DD): anywhere in 1970–2100, or the local date of an offset change ±2 days. */
const zonedDateArb = fc.oneof(
  fc.record({
    zone: zoneArb,
    date: fc.integer({ min: FROM / DAY, max: Math.floor(TO / DAY) }).map((d) => isoOf(d * DAY)),
  }),
  fc
    .tuple(zoneArb, fc.integer({ min: 1970, max: 2100 }), fc.nat(), fc.integer({ min: -2, max: 2 }))
    .map(([zone, year, pick, shift]) => {
      const changes = transitionsIn(zone, year);
      const at = changes.length ? (changes[pick % changes.length] as number) : Date.UTC(year, 5, 15);
      const local = DateTime.fromMillis(at, { zone }).toISODate() ?? '';
      return { zone, date: isoOf(Date.parse(`${local}T00:00:00Z`) + shift * DAY) };
    }),
);

/**
 * luxon `DateTime.fromISO(date, { zone })` with its clock 14 hours before the date begins: luxon resolves a midnight
 * that happens twice with the offset in force at `Date.now()`; zoned-time reads it there (see startOfDate).
 */
function luxonFromISO(date: string, zone: string): DateTime {
  const systemNow = Settings.now;
  const midnight = Date.parse(`${date}T00:00:00Z`);
  Settings.now = () => midnight - 14 * HOUR;
  try {
    return DateTime.fromISO(date, { zone });
  } finally {
    Settings.now = systemNow;
  }
}

function expectSame(mine: ZonedTime, luxon: DateTime): void {
  expect(luxon.isValid).toBe(true);
  expect(mine.ms).toBe(luxon.toMillis());
  expect(mine.offset).toBe(luxon.offset);
  expect(isoDateOf(mine)).toBe(luxon.toISODate());
}

const RUNS = { numRuns: 2_000 };

describe('zoned-time gives luxon’s results (property tests, luxon as the oracle)', () => {
  it('offset: minutes east of UTC, as IANAZone.offset', () => {
    fc.assert(
      fc.property(zonedInstantArb, ({ zone, ms }) => {
        expect(timeZone(zone)?.offset(ms)).toBe(IANAZone.create(zone).offset(ms));
      }),
      { numRuns: 3_000 },
    );
  });

  it('isValidTimeZone: as IANAZone.isValidZone, for zones, case variants and junk', () => {
    const name = fc.oneof(
      fc.constantFrom(...ZONES),
      fc.constantFrom(...ZONES).map((z) => z.toLowerCase()),
      fc.constantFrom(...ZONES).map((z) => z.toUpperCase()),
      fc.constantFrom('', ' UTC', 'local', 'system', 'UTC+3', '+03:00', 'Mars/Olympus_Mons', 'America/Sao Paulo'),
      fc.string(),
    );
    fc.assert(
      fc.property(name, (zone) => {
        expect(isValidTimeZone(zone)).toBe(IANAZone.isValidZone(zone));
      }),
      RUNS,
    );
  });

  it('localDate / zonedTime: DateTime.fromJSDate(instant, { zone }) and its toISODate()', () => {
    fc.assert(
      fc.property(zonedInstantArb, ({ zone, ms }) => {
        const luxon = DateTime.fromJSDate(new Date(ms), { zone });
        expect(localDate(ms, zone)).toBe(luxon.toISODate());
        const mine = zonedTime(ms, zone);
        expect(mine).toBeDefined();
        if (mine) expectSame(mine, luxon);
      }),
      RUNS,
    );
  });

  it('startOfDate: DateTime.fromISO(date, { zone }), skipped midnights included', () => {
    fc.assert(
      fc.property(zonedDateArb, ({ zone, date }) => {
        const mine = startOfDate(date, zone);
        expect(mine).toBeDefined();
        if (mine) expectSame(mine, luxonFromISO(date, zone));
      }),
      RUNS,
    );
  });

  it('stage instants: fromISO(dueDate).plus({ days }).set({ hour, minute, second: 0, millisecond: 0 })', () => {
    fc.assert(
      fc.property(
        zonedDateArb,
        fc.integer({ min: -90, max: 400 }),
        fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(0, 30, 60, 90, 120, 150, 180, 1410)),
        ({ zone, date }, days, minutes) => {
          const start = startOfDate(date, zone);
          expect(start).toBeDefined();
          if (!start) return;
          const luxon = luxonFromISO(date, zone).plus({ days });
          expectSame(plusDays(start, days), luxon);
          const time = { hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 };
          expectSame(atTimeOfDay(plusDays(start, days), minutes), luxon.set(time));
        },
      ),
      RUNS,
    );
  });

  it('deadlines: fromISO(date).plus({ days }).startOf("day")', () => {
    fc.assert(
      fc.property(zonedDateArb, fc.integer({ min: 0, max: 40 }), ({ zone, date }, days) => {
        const start = startOfDate(date, zone);
        expect(start).toBeDefined();
        if (!start) return;
        expectSame(atTimeOfDay(plusDays(start, days), 0), luxonFromISO(date, zone).plus({ days }).startOf('day'));
      }),
      RUNS,
    );
  });

  it('today and a year ahead: fromJSDate(now).startOf("day"), then plus({ days })', () => {
    fc.assert(
      fc.property(zonedInstantArb, fc.integer({ min: 0, max: 400 }), ({ zone, ms }, days) => {
        const now = zonedTime(ms, zone);
        expect(now).toBeDefined();
        if (!now) return;
        const luxon = DateTime.fromJSDate(new Date(ms), { zone }).startOf('day');
        expectSame(atTimeOfDay(now, 0), luxon);
        expectSame(plusDays(atTimeOfDay(now, 0), days), luxon.plus({ days }));
      }),
      RUNS,
    );
  });

  it('shortMonthDayYear: DateTime.utc(y, m, d).setLocale("en").toFormat("LLL d, yyyy")', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1) / DAY, max: Date.UTC(9999, 11, 31) / DAY }), (day) => {
        const date = new Date(day * DAY);
        const calendar = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
        const luxon = DateTime.utc(calendar.year, calendar.month, calendar.day).setLocale('en');
        expect(shortMonthDayYear(calendar)).toBe(luxon.toFormat('LLL d, yyyy'));
      }),
      RUNS,
    );
  });
});

describe('zoned-time on DST changes and odd offsets (real values)', () => {
  const utc = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const start = (date: string, zone: string) => {
    const t = startOfDate(date, zone);
    if (!t) throw new Error(`no start for ${date} ${zone}`);
    return t;
  };
  const at = (date: string, zone: string, hhmm: string, days = 0) => {
    const [h, m] = hhmm.split(':').map(Number);
    return utc(atTimeOfDay(plusDays(start(date, zone), days), (h ?? 0) * 60 + (m ?? 0)).ms);
  };

  it('a skipped midnight starts the day when the clock jumps (Sao Paulo 2018, Beirut, Havana, Santiago)', () => {
    const sp = start('2018-11-04', 'America/Sao_Paulo');
    expect([utc(sp.ms), sp.offset, isoDateOf(sp)]).toEqual(['2018-11-04T03:00:00.000Z', -120, '2018-11-04']);
    expect(utc(start('2026-03-29', 'Asia/Beirut').ms)).toBe('2026-03-28T22:00:00.000Z'); // 00:00 → 01:00 +03
    expect(utc(start('2026-03-08', 'America/Havana').ms)).toBe('2026-03-08T05:00:00.000Z'); // 00:00 → 01:00 −04
    expect(utc(start('2026-09-06', 'America/Santiago').ms)).toBe('2026-09-06T04:00:00.000Z'); // 00:00 → 01:00 −03
    // The deadline after the day before is the same instant: the first of the skipped-midnight day.
    expect(utc(atTimeOfDay(plusDays(start('2018-11-03', 'America/Sao_Paulo'), 1), 0).ms)).toBe(
      '2018-11-04T03:00:00.000Z',
    );
  });

  it('a midnight after a fall-back at midnight is the one after the change (Sao Paulo 2019, Beirut)', () => {
    expect(utc(start('2019-02-17', 'America/Sao_Paulo').ms)).toBe('2019-02-17T03:00:00.000Z'); // 00:00 −03
    expect(utc(start('2026-10-25', 'Asia/Beirut').ms)).toBe('2026-10-24T22:00:00.000Z'); // 00:00 +02
  });

  it('a wall-clock time in a gap moves forward by the gap; in an overlap it is the earlier one (New York)', () => {
    expect(at('2026-03-08', 'America/New_York', '02:30')).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(at('2026-11-01', 'America/New_York', '01:30')).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(at('2026-12-01', 'America/New_York', '01:30', -30)).toBe('2026-11-01T05:30:00.000Z'); // from after
    expect(at('2019-02-16', 'America/Sao_Paulo', '23:30')).toBe('2019-02-17T01:30:00.000Z'); // 23:30 −02
  });

  it('a midnight that happens twice (Havana fall-back): the earlier one, and luxon’s guess chain after it', () => {
    expect(utc(start('2026-11-01', 'America/Havana').ms)).toBe('2026-11-01T04:00:00.000Z'); // 00:00 −04
    // luxon's own answer depends on its clock: in Havana's winter it takes the later midnight.
    const systemNow = Settings.now;
    try {
      Settings.now = () => Date.parse('2026-01-15T00:00:00Z');
      expect(DateTime.fromISO('2026-11-01', { zone: 'America/Havana' }).toUTC().toISO()).toBe(
        '2026-11-01T05:00:00.000Z',
      );
      Settings.now = () => Date.parse('2026-07-15T00:00:00Z');
      expect(DateTime.fromISO('2026-11-01', { zone: 'America/Havana' }).toUTC().toISO()).toBe(
        '2026-11-01T04:00:00.000Z',
      );
    } finally {
      Settings.now = systemNow;
    }
    // 00:30 that day, reached from a due date before the change or after it (luxon guesses the offset it comes from).
    expect(at('2026-10-01', 'America/Havana', '00:30', 31)).toBe('2026-11-01T04:30:00.000Z'); // 00:30 −04
    expect(at('2026-12-01', 'America/Havana', '00:30', -30)).toBe('2026-11-01T05:30:00.000Z'); // 00:30 −05
  });

  it('half-hour DST (Lord Howe), +05:45 (Kathmandu), +12:45/+13:45 (Chatham)', () => {
    expect(at('2026-10-04', 'Australia/Lord_Howe', '02:15')).toBe('2026-10-03T15:45:00.000Z'); // 02:45 +11
    expect(at('2026-04-05', 'Australia/Lord_Howe', '01:45')).toBe('2026-04-04T14:45:00.000Z'); // 01:45 +11
    expect(timeZone('Australia/Lord_Howe')?.offset(Date.parse('2026-07-01T00:00:00Z'))).toBe(630);
    expect(timeZone('Asia/Kathmandu')?.offset(Date.parse('2026-07-01T00:00:00Z'))).toBe(345);
    expect(localDate(Date.parse('2026-12-06T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-12-07');
    expect(localDate(Date.parse('2026-12-06T18:14:59.999Z'), 'Asia/Kathmandu')).toBe('2026-12-06');
    expect(at('2026-09-27', 'Pacific/Chatham', '03:00')).toBe('2026-09-26T14:15:00.000Z'); // 04:00 +13:45
    expect(utc(start('2026-07-01', 'Pacific/Chatham').ms)).toBe('2026-06-30T11:15:00.000Z'); // 00:00 +12:45
  });

  it('a skipped day (Apia, 2011-12-30) starts at the first instant after it; offsets with seconds (Monrovia)', () => {
    const apia = start('2011-12-30', 'Pacific/Apia');
    expect([utc(apia.ms), apia.offset, isoDateOf(apia)]).toEqual(['2011-12-30T10:00:00.000Z', 840, '2011-12-31']);
    expect(timeZone('Africa/Monrovia')?.offset(Date.parse('1971-06-01T12:00:00Z'))).toBe(-44.5);
    expect(utc(start('1971-06-01', 'Africa/Monrovia').ms)).toBe('1971-06-01T00:44:30.000Z');
    expect(utc(start('1972-01-07', 'Africa/Monrovia').ms)).toBe('1972-01-07T00:44:30.000Z'); // −0:44:30 → 0
  });

  it('refuses what luxon refuses: unknown zones, dates that are not real, invalid instants', () => {
    expect(timeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(timeZone('')).toBeUndefined();
    expect(startOfDate('2026-02-30', 'UTC')).toBeUndefined();
    expect(startOfDate('2026-12-07', 'Mars/Olympus_Mons')).toBeUndefined();
    expect(zonedTime(Number.NaN, 'UTC')).toBeUndefined();
    expect(localDate(Number.NaN, 'UTC')).toBeUndefined();
    expect(timeZone('UTC')?.offset(Number.NaN)).toBeNaN();
    expect(() => plusDays(start('2026-12-07', 'UTC'), 1.5)).toThrow(RangeError);
  });

  it('writes an English short date', () => {
    expect(shortMonthDayYear({ year: 2026, month: 12, day: 7 })).toBe('Dec 7, 2026');
    expect(shortMonthDayYear({ year: 2027, month: 1, day: 19 })).toBe('Jan 19, 2027');
  });
});
