import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { hasOpenHours, minutesOf, WEEKDAYS } from '../../../functions/calendar/business-hours';
import { type ClosedReason, isPublicHoliday, nextOpenInstant } from '../../../functions/calendar/calendar';
import {
  type ContactDecisionInput,
  calendarFor,
  type Debtor,
  type DeferReason,
  evaluateContact,
} from '../../../functions/contact/contact-policy';
import {
  type BillingRule,
  contactHours,
  type MessageChannel,
  parseBillingRule,
} from '../../../functions/rules/billing-rule';
import { maxContactsIn7Days } from '../../../functions/rules/presets';
import defaultRuleJson from '../../../rules/default.json';

const defaultRule = parseBillingRule(defaultRuleJson); // Mon–Fri 08–20, Sat 08–14 São Paulo; 3 per 7 days, 20 h apart
const debtor: Debtor = { timezone: 'America/Sao_Paulo' };
const at = (iso: string) => new Date(iso);
const decide = (now: string, history: string[] = [], rule: BillingRule = defaultRule, who = debtor) =>
  evaluateContact({ now: at(now), rule, debtor: who, history: history.map(at) });

describe('contact is allowed in business hours when the caps are kept', () => {
  it('allows a contact on a weekday morning with no history', () => {
    expect(decide('2026-12-07T12:00:00Z')).toEqual({ allowed: true }); // Mon 09:00
  });

  it('allows a contact exactly when the gap and the window allow it (boundaries included)', () => {
    // last contact exactly 20 h before; the 7-day window (now - 7 d, now] excludes a contact exactly 7 days old
    const history = ['2026-11-30T12:00:00Z', '2026-12-03T12:00:00Z', '2026-12-06T16:00:00Z'];
    expect(decide('2026-12-07T12:00:00Z', history)).toEqual({ allowed: true });
  });

  it('applies no caps when the rule has no contact policy', () => {
    const { contactPolicy: _ignored, ...uncapped } = defaultRule;
    expect(
      decide(
        '2026-12-07T12:00:00Z',
        ['2026-12-07T11:59:00Z', '2026-12-07T11:00:00Z', '2026-12-06T12:00:00Z'],
        uncapped,
      ),
    ).toEqual({
      allowed: true,
    });
  });
});

describe('a contact outside the calendar is deferred to the next open instant', () => {
  it('defers a Sunday contact to Monday 08:00 (outside-business-hours)', () => {
    expect(decide('2026-12-13T15:00:00Z')).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-14T11:00:00Z'),
      reason: 'outside-business-hours',
    });
  });

  it('defers a contact on Christmas to the 26th 08:00 (holiday), even at night', () => {
    expect(decide('2026-12-25T15:00:00Z')).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-26T11:00:00Z'),
      reason: 'holiday',
    });
    expect(decide('2026-12-26T01:00:00Z')).toMatchObject({ reason: 'holiday' }); // 25th 22:00 local
  });

  it("uses the debtor's own zone, and the rule's when the debtor's is missing or invalid", () => {
    // 12:00Z is 09:00 in São Paulo (open) but 04:00 in Los Angeles (closed until 08:00 PST = 16:00Z)
    expect(decide('2026-12-07T12:00:00Z', [], defaultRule, { timezone: 'America/Los_Angeles' })).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-07T16:00:00Z'),
      reason: 'outside-business-hours',
    });
    expect(decide('2026-12-07T12:00:00Z', [], defaultRule, { timezone: 'Not/AZone' })).toEqual({ allowed: true });
    expect(calendarFor(defaultRule, {})).toMatchObject({ timezone: 'America/Sao_Paulo', country: 'BR', region: 'SP' });
  });
});

describe('frequency caps defer a contact to the first instant that keeps them', () => {
  it('keeps the minimum gap after the last contact (min-gap)', () => {
    // last contact Monday 19:00 local; 20 h later is Tuesday 15:00 local
    expect(decide('2026-12-08T12:00:00Z', ['2026-12-07T22:00:00Z'])).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-08T18:00:00Z'),
      reason: 'min-gap',
    });
  });

  it('caps contacts in the rolling window (frequency-cap), freeing when the oldest leaves it', () => {
    const history = ['2026-12-01T12:00:00Z', '2026-12-03T12:00:00Z', '2026-12-05T12:00:00Z'];
    expect(decide('2026-12-07T12:00:00Z', history)).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-08T12:00:00Z'), // 12-01 12:00Z + 7 days, Tuesday 09:00 local: open
      reason: 'frequency-cap',
    });
  });

  it('reports frequency-cap before min-gap, and the calendar before both', () => {
    const history = ['2026-12-03T12:00:00Z', '2026-12-05T12:00:00Z', '2026-12-07T11:00:00Z'];
    expect(decide('2026-12-07T12:00:00Z', history)).toMatchObject({ reason: 'frequency-cap' });
    expect(decide('2026-12-13T12:00:00Z', history)).toMatchObject({ reason: 'outside-business-hours' }); // Sunday
  });

  it('lands on an open instant when a cap frees up outside business hours, whatever the order of history', () => {
    // the window frees on Saturday 12-12 at 21:00 local (closed): next open is Monday 12-14 08:00
    const history = ['2026-12-10T21:00:00Z', '2026-12-06T00:00:00Z', '2026-12-08T15:00:00Z'];
    expect(decide('2026-12-11T15:00:00Z', history)).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-14T11:00:00Z'),
      reason: 'frequency-cap',
    });
  });

  it('keeps pushing until calendar and caps agree', () => {
    // Saturday 13:30 local, last contact Saturday 08:00: the gap ends Sunday 04:00 (closed), next open Monday 08:00
    expect(decide('2026-12-12T16:30:00Z', ['2026-12-12T11:00:00Z'])).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-14T11:00:00Z'),
      reason: 'min-gap',
    });
  });
});

describe("each channel's hours: a stage goes out only when all its channels are open", () => {
  // SMS Mon–Fri 09:00–18:00 only; email keeps businessHours (Mon–Fri 08–20, Sat 08–14)
  const smsNarrow = parseBillingRule({
    ...defaultRuleJson,
    channelHours: {
      sms: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '18:00']]])),
    },
  });
  const send = (now: string, channels: ('email' | 'sms')[], rule = smsNarrow) =>
    evaluateContact({ now: at(now), rule, debtor, history: [], channels });

  it('sends email alone at 19:00 but defers email + SMS to 09:00 the next weekday', () => {
    // Prepare: Monday 2026-12-07 19:00 in São Paulo
    const now = '2026-12-07T22:00:00Z';

    // Act
    const emailOnly = send(now, ['email']);
    const both = send(now, ['email', 'sms']);
    const smsOnly = send(now, ['sms']);

    // Assess
    expect(emailOnly).toEqual({ allowed: true });
    expect(both).toEqual({
      allowed: false,
      nextAllowedAt: at('2026-12-08T12:00:00Z'),
      reason: 'outside-business-hours',
    });
    expect(smsOnly).toEqual(both);
  });

  it('uses businessHours for every channel without its own hours, and when no channels are given', () => {
    expect(send('2026-12-12T12:00:00Z', ['email'])).toEqual({ allowed: true }); // Saturday 09:00
    expect(send('2026-12-12T12:00:00Z', [])).toEqual({ allowed: true });
    expect(evaluateContact({ now: at('2026-12-12T12:00:00Z'), rule: smsNarrow, debtor, history: [] })).toEqual({
      allowed: true,
    });
    expect(send('2026-12-12T12:00:00Z', ['sms'])).toMatchObject({
      nextAllowedAt: at('2026-12-14T12:00:00Z'), // Monday 09:00
      reason: 'outside-business-hours',
    });
  });

  it('intersects the channel hours on DST days too (New York gap 2026-03-08, Lisbon overlap 2026-10-25)', () => {
    // Prepare: Sundays only; email 02:00–04:00, sms 01:30–03:00 → together 02:00–03:00
    const sundays = (timezone: string, country: string) =>
      parseBillingRule({
        ...defaultRuleJson,
        timezone,
        country,
        region: undefined,
        businessHours: { sun: [['02:00', '04:00']] },
        channelHours: { sms: { sun: [['01:30', '03:00']] } },
      });
    const ny = sundays('America/New_York', 'US');
    const lisbon = sundays('Europe/Lisbon', 'PT');
    const ask = (rule: BillingRule, now: string) =>
      evaluateContact({ now: at(now), rule, debtor: {}, history: [], channels: ['email', 'sms'] });

    // Act + Assess
    // New York: 02:00–03:00 does not exist on 2026-03-08 (02:00 EST jumps to 03:00 EDT) → next Sunday 02:00 EDT
    expect(ask(ny, '2026-03-08T05:00:00Z')).toMatchObject({ nextAllowedAt: at('2026-03-15T06:00:00Z') });
    // email alone opens on the gap's end (03:00 EDT)
    expect(
      evaluateContact({ now: at('2026-03-08T05:00:00Z'), rule: ny, debtor: {}, history: [], channels: ['email'] }),
    ).toMatchObject({ nextAllowedAt: at('2026-03-08T07:00:00Z') });
    // Lisbon: 02:00 WEST falls back to 01:00 WET; 02:00–03:00 WET happens once, after the repeated hour
    expect(ask(lisbon, '2026-10-24T23:30:00Z')).toMatchObject({ nextAllowedAt: at('2026-10-25T02:00:00Z') });
    expect(ask(lisbon, '2026-10-25T02:59:00Z')).toEqual({ allowed: true });
    expect(ask(lisbon, '2026-10-25T03:00:00Z')).toMatchObject({ reason: 'outside-business-hours' });
  });
});

describe("the debtor's own public holidays are closed too", () => {
  it("closes the debtor's national holidays: Thanksgiving for a debtor in New York", () => {
    // Prepare: Thursday 2026-11-26 10:00 in New York; the rule is Brazilian
    const newYorker = { timezone: 'America/New_York', country: 'US', region: 'NY' };

    // Act
    const decision = decide('2026-11-26T15:00:00Z', [], defaultRule, newYorker);

    // Assess: Friday 08:00 New York
    expect(decision).toEqual({ allowed: false, nextAllowedAt: at('2026-11-27T13:00:00Z'), reason: 'holiday' });
    expect(decide('2026-11-26T15:00:00Z', [], defaultRule, { timezone: 'America/New_York' })).toEqual({
      allowed: true,
    });
  });

  it("closes the debtor's regional holidays (Rio de Janeiro, São Jorge) on top of the rule's", () => {
    // Thursday 2026-04-23 09:00 in Brazil; the rule's SP calendar is open, RJ is not
    expect(decide('2026-04-23T12:00:00Z')).toEqual({ allowed: true });
    expect(decide('2026-04-23T12:00:00Z', [], defaultRule, { ...debtor, country: 'BR', region: 'RJ' })).toMatchObject({
      reason: 'holiday',
      nextAllowedAt: at('2026-04-24T11:00:00Z'),
    });
    // written as an ISO 3166-2 code, or in lower case
    expect(
      decide('2026-04-23T12:00:00Z', [], defaultRule, { ...debtor, country: 'br', region: 'BR-RJ' }),
    ).toMatchObject({ reason: 'holiday' });
  });

  it("keeps the rule's holidays for a debtor abroad, and ignores a country or region without holiday data", () => {
    const lisbon = { timezone: 'Europe/Lisbon', country: 'PT' };
    // Portugal Day, Wednesday 2026-06-10 10:00 in Lisbon
    expect(decide('2026-06-10T09:00:00Z', [], defaultRule, lisbon)).toMatchObject({ reason: 'holiday' });
    // Christmas is closed by the rule (BR) whatever the debtor's country
    expect(decide('2026-12-25T12:00:00Z', [], defaultRule, { ...lisbon, country: 'JP' })).toMatchObject({
      reason: 'holiday',
    });
    expect(calendarFor(defaultRule, { country: 'ZZ', region: 'Q' }).moreHolidayAreas).toBeUndefined();
    expect(calendarFor(defaultRule, { country: 'BR', region: 'XX' }).moreHolidayAreas).toEqual([{ country: 'BR' }]);
    expect(calendarFor(defaultRule, { country: 'BR', region: 'SP' }).moreHolidayAreas).toBeUndefined();
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ZONES = ['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const FROM = Date.UTC(2025, 0, 1);
const UNTIL = Date.UTC(2028, 11, 31);
const hhmm = (m: number) =>
  m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Business hours: per weekday 0–2 sorted windows on a `grid`-minute grid (at least one open weekday). */
const hoursArb = (grid: number): fc.Arbitrary<BillingRule['businessHours']> =>
  fc
    .tuple(...WEEKDAYS.map(() => fc.uniqueArray(fc.integer({ min: 0, max: 1440 / grid }), { maxLength: 4 })))
    .map((perDay) => {
      const hours: Record<string, [string, string][]> = {};
      perDay.forEach((points, d) => {
        const sorted = [...points].sort((a, b) => a - b).map((p) => p * grid);
        const windows: [string, string][] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2)
          windows.push([hhmm(sorted[i] as number), hhmm(sorted[i + 1] as number)]);
        hours[WEEKDAYS[d] as string] = windows;
      });
      return hours;
    })
    .filter(hasOpenHours);

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
const OFFSETS = new Map(ZONES.map((zone) => [zone, offsetTable(zone)]));

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

function wallClock(t: number, zone: string): WallClock {
  const local = t + offsetAt(t, zone);
  const epochDay = Math.floor(local / DAY);
  return { epochDay, weekday: (((epochDay + 3) % 7) + 7) % 7, minutes: (local - epochDay * DAY) / MINUTE };
}

const holidayAnswers = new Map<string, boolean>();

/** A public holiday of the area on a local date (the calendar's tested lookup, cached here for speed). */
function isHolidayIn(epochDay: number, country: string, region: string | undefined): boolean {
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
function closedAt(t: number, input: ContactDecisionInput): ClosedReason | null {
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

/** Instants over 2025–2028, half of them from 3 days before to 1 day after one of the zone's DST changes. */
const instantArb = (zone: string): fc.Arbitrary<number> => {
  const uniform = fc.integer({ min: FROM, max: UNTIL });
  const changes = (OFFSETS.get(zone)?.changes ?? []).filter((c) => c > FROM && c < UNTIL);
  if (changes.length === 0) return uniform;
  const near = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * DAY, max: DAY }))
    .map(([change, delta]) => change + delta);
  return fc.oneof(uniform, near);
};

/** The channels a stage may send: none given (businessHours), one, or both. */
const channelsArb = fc.constantFrom<MessageChannel[] | undefined>(undefined, ['email'], ['sms'], ['email', 'sms']);
/** Debtors without an address, or living where other public holidays apply. */
const debtorAreaArb = fc.constantFrom<Pick<Debtor, 'country' | 'region'>>(
  {},
  { country: 'BR', region: 'RJ' },
  { country: 'US', region: 'NY' },
  { country: 'US' },
  { country: 'PT' },
);

const policyArb = fc.record({
  maxContacts: fc.integer({ min: 1, max: 4 }),
  windowDays: fc.integer({ min: 1, max: 10 }),
  minHoursBetween: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 72, noNaN: true })),
});

/** Rules around the default one: random business hours, per-channel hours, caps and extra holidays. */
const ruleArb: fc.Arbitrary<BillingRule> = fc
  .record({
    businessHours: fc.oneof(fc.constant(defaultRule.businessHours), hoursArb(15)),
    channelHours: fc.option(fc.record({ email: hoursArb(15), sms: hoursArb(15) }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    contactPolicy: fc.option(policyArb, { nil: undefined }),
    extraHolidays: fc.option(fc.constant<string[]>(['2026-12-24', '2027-03-29', '2027-11-02']), { nil: undefined }),
  })
  .map((fields) => ({ ...defaultRule, ...fields }));

/** A rule, a debtor and the channels of the stage, such that the channels share some open hours. */
const contactScenarioArb = fc
  .record({ rule: ruleArb, zone: fc.constantFrom(...ZONES), area: debtorAreaArb, channels: channelsArb })
  .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)));

/** The constraints an instant violates, computed independently of the policy, in order of precedence. */
function violations(t: number, input: ContactDecisionInput): DeferReason[] {
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

describe('the contact policy, for all rules, channels, debtors, histories and instants (property)', () => {
  it('never allows a contact that breaks a constraint; defers to the earliest instant that keeps them all', () => {
    const scenarioArb = contactScenarioArb.chain((scenario) =>
      fc.record({
        scenario: fc.constant(scenario),
        now: instantArb(scenario.zone),
        ago: fc.array(fc.integer({ min: 0, max: 20 * DAY }), { maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, now, ago }) => {
        // Prepare
        const input: ContactDecisionInput = {
          now: new Date(now),
          rule,
          debtor: { timezone: zone, ...area },
          history: ago.map((a) => new Date(now - a)),
          channels,
        };

        // Act
        const decision = evaluateContact(input);

        // Assess
        const atNow = violations(now, input);
        if (decision.allowed) {
          expect(atNow).toEqual([]);
          return;
        }
        // the reason is the first constraint violated now
        expect(decision.reason).toBe(atNow[0]);
        // the deferred instant is later, keeps everything, is allowed when asked again, and is the earliest such
        const next = decision.nextAllowedAt.getTime();
        expect(next).toBeGreaterThan(now);
        expect(violations(next, input)).toEqual([]);
        expect(evaluateContact({ ...input, now: decision.nextAllowedAt })).toEqual({ allowed: true });
        expect(violations(next - 1, input)).not.toEqual([]);
        // nothing earlier is allowed: an allowed stretch can only start where the calendar opens or where a
        // contact leaves the window or the gap, so checking those points between now and next is enough
        const policy = rule.contactPolicy;
        const releases = policy
          ? input.history.flatMap((h) => [
              h.getTime() + policy.windowDays * DAY,
              Math.ceil(h.getTime() + policy.minHoursBetween * HOUR),
            ])
          : [];
        const cal = calendarFor(rule, input.debtor, channels);
        const starts = [now, ...releases]
          .filter((t) => t >= now && t < next)
          .map((t) => nextOpenInstant(new Date(t), cal).getTime());
        expect(
          [...releases, ...starts].filter((t) => t > now && t < next && violations(t, input).length === 0),
        ).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
  });

  it('nextAllowedAt is the first allowed minute of a brute-force scan (2 days ahead, small calendars)', () => {
    // Everything on whole minutes (30-minute windows, whole-minute zone offsets, history on minutes, gaps in
    // quarter hours, windows in days), so the policy can only change its answer on a UTC minute boundary and a
    // minute-by-minute scan of an independent model finds the earliest allowed instant exactly.
    const HORIZON = 2 * DAY;
    let foundByScan = 0;
    const scanZones = ['America/New_York', 'Europe/Lisbon', 'America/Sao_Paulo', 'Australia/Lord_Howe'];
    const smallRuleArb = fc
      .record({
        businessHours: hoursArb(30),
        channelHours: fc.option(fc.record({ sms: hoursArb(30) }), { nil: undefined }),
        contactPolicy: fc.option(
          fc.record({
            maxContacts: fc.integer({ min: 1, max: 3 }),
            windowDays: fc.integer({ min: 1, max: 2 }),
            minHoursBetween: fc.integer({ min: 0, max: 36 * 4 }).map((quarters) => quarters / 4),
          }),
          { nil: undefined },
        ),
      })
      .map((fields): BillingRule => ({ ...defaultRule, ...fields }));
    const scenarioArb = fc
      .record({ rule: smallRuleArb, zone: fc.constantFrom(...scanZones), area: debtorAreaArb, channels: channelsArb })
      .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)))
      .chain((scenario) =>
        fc.record({
          scenario: fc.constant(scenario),
          now: instantArb(scenario.zone),
          minutesAgo: fc.array(fc.integer({ min: 0, max: 3 * 1440 }), { maxLength: 5 }),
          closedDaysFromNow: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
        }),
      );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, now, minutesAgo, closedDaysFromNow }) => {
        // Prepare
        const minute = Math.floor(now / MINUTE) * MINUTE;
        const extra =
          closedDaysFromNow === undefined
            ? {}
            : {
                extraHolidays: [
                  new Date((wallClock(now, zone).epochDay + closedDaysFromNow) * DAY).toISOString().slice(0, 10),
                ],
              };
        const input: ContactDecisionInput = {
          now: new Date(now),
          rule: { ...rule, ...extra },
          debtor: { timezone: zone, ...area },
          history: minutesAgo.map((m) => new Date(minute - m * MINUTE)),
          channels,
        };
        const allowedAt = minuteModel(input);

        // Act
        const decision = evaluateContact(input);

        // Assess
        expect(decision.allowed).toBe(allowedAt(minute));
        if (decision.allowed) return;
        let first: number | undefined;
        for (let m = minute + MINUTE; m < minute + HORIZON && first === undefined; m += MINUTE) {
          if (allowedAt(m)) first = m;
        }
        if (first === undefined) expect(decision.nextAllowedAt.getTime()).toBeGreaterThanOrEqual(minute + HORIZON);
        else {
          expect(new Date(first)).toEqual(decision.nextAllowedAt);
          foundByScan++;
        }
      }),
      { numRuns: 10_000 },
    );
    // most runs defer to an instant the scan reaches (a property of allowed-at-once runs alone would prove little)
    expect(foundByScan).toBeGreaterThan(4_000);
  });

  it('never exceeds a cap nor contacts out of hours, over any sequence of contact attempts (presets included)', () => {
    let regFAtCap = 0;
    const inLastWeek = (times: number[], at: number) => times.filter((c) => c <= at && c > at - 7 * DAY).length;
    const intPolicyArb = fc.record({
      maxContacts: fc.integer({ min: 1, max: 10 }),
      windowDays: fc.integer({ min: 1, max: 10 }),
      minHoursBetween: fc.integer({ min: 0, max: 48 }),
    });
    // Rules under a preset, with a policy the preset's validation accepts (billing-rule.test.ts proves that it
    // accepts a policy only when maxContactsIn7Days is within the law's cap); parsed once, the policies varied.
    const brSp = parseBillingRule({ id: 'br', preset: 'BR-SP', stages: defaultRuleJson.stages });
    const regF = parseBillingRule({
      id: 'us',
      preset: 'US-RegF',
      timezone: 'America/New_York',
      stages: defaultRuleJson.stages,
    });
    const presetRuleArb = fc.oneof(
      fc.constant(regF),
      intPolicyArb
        .filter((policy) => maxContactsIn7Days(policy) <= 7)
        .map((contactPolicy) => ({ ...regF, contactPolicy })),
      fc.option(intPolicyArb, { nil: undefined }).map((contactPolicy) => ({ ...brSp, contactPolicy })),
    );
    const scenarioArb = fc
      .record({
        rule: fc.oneof(ruleArb, presetRuleArb),
        zone: fc.constantFrom(...ZONES),
        area: debtorAreaArb,
        channels: channelsArb,
      })
      .filter(({ rule, channels }) => hasOpenHours(contactHours(rule, channels)))
      .chain((scenario) =>
        fc.record({
          scenario: fc.constant(scenario),
          start: instantArb(scenario.zone),
          waits: fc.array(fc.integer({ min: 0, max: 2 * DAY }), { minLength: 1, maxLength: 10 }),
        }),
      );
    fc.assert(
      fc.property(scenarioArb, ({ scenario: { rule, zone, area, channels }, start, waits }) => {
        // Prepare
        const debtorHere: Debtor = { timezone: zone, ...area };
        const contacts: Date[] = [];
        let t = start;

        // Act: every attempt is sent now if allowed, else at the instant the policy names
        const refusedAtNamedInstant: number[] = [];
        for (const wait of waits) {
          t += wait;
          const ask = (now: number) =>
            evaluateContact({ now: new Date(now), rule, debtor: debtorHere, history: contacts, channels });
          const decision = ask(t);
          if (!decision.allowed) {
            t = decision.nextAllowedAt.getTime();
            if (!ask(t).allowed) refusedAtNamedInstant.push(t);
          }
          contacts.push(new Date(t));
        }

        // Assess (problems collected, then one assertion: expect() per contact would dominate the run time)
        const times = contacts.map((c) => c.getTime());
        if (rule.preset === 'US-RegF' && times.some((c) => inLastWeek(times, c) === 7)) regFAtCap++;
        const inLast = (days: number, at: number) => times.filter((c) => c <= at && c > at - days * DAY).length;
        const policy = rule.contactPolicy;
        const input = { now: new Date(start), rule, debtor: debtorHere, history: [], channels };
        const problems: string[] = refusedAtNamedInstant.map(
          (c) => `${new Date(c).toISOString()} refused when asked again`,
        );
        times.forEach((c, i) => {
          const when = new Date(c).toISOString();
          const closed = closedAt(c, input);
          if (closed) problems.push(`${when} ${closed}`);
          if (policy && inLast(policy.windowDays, c) > policy.maxContacts) problems.push(`${when} over maxContacts`);
          if (policy && i > 0 && c - (times[i - 1] as number) < policy.minHoursBetween * HOUR)
            problems.push(`${when} under minHoursBetween`);
          const { weekday, minutes, epochDay } = wallClock(c, zone);
          if (rule.preset === 'US-RegF') {
            if (inLastWeek(times, c) > 7) problems.push(`${when} Reg F: more than 7 contacts in 7 days`);
            if (minutes < 8 * 60 || minutes >= 21 * 60) problems.push(`${when} Reg F: outside 08:00-21:00 local`);
          }
          if (rule.preset === 'BR-SP') {
            const closesAt = weekday === 5 ? 14 * 60 : 20 * 60; // Saturday 14:00, weekdays 20:00
            if (weekday === 6 || minutes < 8 * 60 || minutes >= closesAt)
              problems.push(`${when} Lei 15.426: out of hours`);
            if (isHolidayIn(epochDay, 'BR', 'SP')) problems.push(`${when} Lei 15.426: on a holiday`);
          }
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
    // the US-RegF cap is reached (and held) in many runs, not only approached
    expect(regFAtCap).toBeGreaterThan(200);
  });
});

/**
 * An independent model of the policy for instants on whole minutes: the debtor's wall clock from the offset table,
 * open when every channel's windows (as written in the rule) contain the minute, closed on the rule's, the debtor's
 * and extra holidays, and the caps counted from the history.
 */
function minuteModel(input: ContactDecisionInput): (minute: number) => boolean {
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
    for (const perDay of windows) {
      let inside = false;
      for (const [s, e] of perDay[weekday] ?? []) if (minutes >= s && minutes < e) inside = true;
      if (!inside) return false;
    }
    if (extra.has(epochDay) || isHolidayIn(epochDay, rule.country, rule.region)) return false;
    if (who.country !== undefined && isHolidayIn(epochDay, who.country, who.region)) return false;
    if (!policy) return true;
    let inWindow = 0;
    for (const h of history) {
      if (h > t) continue;
      if (h > t - windowMs) inWindow++;
      if (t - h < gapMs) return false;
    }
    return inWindow < policy.maxContacts;
  };
}
