import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BusinessHours, intersectHours, minutesOf, WEEKDAYS } from '../../../functions/calendar/business-hours';
import {
  type BillingRule,
  channelsOf,
  contactHours,
  InvalidBillingRule,
  messageChannelsOf,
  parseBillingRule,
} from '../../../functions/rules/billing-rule';
import { maxContactsIn7Days, PRESETS } from '../../../functions/rules/presets';
import defaultRuleJson from '../../../rules/default.json';

const designExample = {
  id: 'standard',
  timezone: 'America/Sao_Paulo',
  country: 'BR',
  region: 'SP',
  businessHours: {
    mon: [['08:00', '20:00']],
    tue: [['08:00', '20:00']],
    wed: [['08:00', '20:00']],
    thu: [['08:00', '20:00']],
    fri: [['08:00', '20:00']],
    sat: [['08:00', '14:00']],
    sun: [],
  },
  contactPolicy: { maxContacts: 3, windowDays: 7, minHoursBetween: 20 },
  stages: [
    { id: 'D-3', offsetDays: -3, at: '09:00', actions: [{ channel: 'email', template: 'reminder' }] },
    {
      id: 'D0',
      offsetDays: 0,
      at: '09:00',
      actions: [
        { channel: 'email', template: 'due-today' },
        { channel: 'sms', template: 'due-today' },
      ],
    },
    { id: 'D+30', offsetDays: 30, at: '10:00', actions: [{ channel: 'escalate', to: 'collections' }] },
  ],
};

/** The issues of an invalid rule, as "path: issue" lines. */
function issuesOf(rule: unknown): string[] {
  try {
    parseBillingRule(rule);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidBillingRule);
    return (error as InvalidBillingRule).issues.map((i) => `${i.path}: ${i.issue}`);
  }
  throw new Error('expected the rule to be rejected');
}

const withStage = (index: number, patch: Record<string, unknown>) => ({
  ...designExample,
  stages: designExample.stages.map((s, i) => (i === index ? { ...s, ...patch } : s)),
});

describe('billing rule validation accepts valid rules', () => {
  it('accepts the shipped default rule and the docs/formats.md example', () => {
    // Act
    const rule = parseBillingRule(defaultRuleJson);
    const example = parseBillingRule(designExample);
    // Assess
    expect(rule.stages.map((s) => s.id)).toEqual(['D-3', 'D0', 'D+3', 'D+7', 'D+15', 'D+30']);
    expect(rule.contactPolicy).toEqual({ maxContacts: 3, windowDays: 7, minHoursBetween: 20 });
    expect(example.stages).toHaveLength(3);
    expect(example.stages[2]?.actions).toEqual([{ channel: 'escalate', to: 'collections' }]);
  });

  it('accepts optional name, extra holidays, windows ending at 24:00 and several windows a day', () => {
    // Prepare
    const rule = {
      ...designExample,
      name: 'Split shifts',
      extraHolidays: ['2026-12-24', '2026-12-31'],
      businessHours: {
        mon: [
          ['08:00', '12:00'],
          ['12:00', '24:00'],
        ],
        sat: [['09:00', '13:00']],
      },
    };
    // Act
    const parsed = parseBillingRule(rule);
    // Assess
    expect(parsed.businessHours.mon).toEqual([
      ['08:00', '12:00'],
      ['12:00', '24:00'],
    ]);
    expect(parsed.extraHolidays).toEqual(['2026-12-24', '2026-12-31']);
  });

  it('lists the distinct channels of a stage in order', () => {
    const rule = parseBillingRule(defaultRuleJson);
    expect(rule.stages.map(channelsOf)).toEqual([
      ['email'],
      ['email', 'sms'],
      ['sms'],
      ['email', 'sms'],
      ['email'],
      ['escalate'],
    ]);
  });
});

describe('billing rule validation names every bad field and why', () => {
  it('names an unknown template and lists the known ones', () => {
    expect(issuesOf(withStage(0, { actions: [{ channel: 'email', template: 'dunno' }] }))).toEqual([
      'stages.0.actions.0.template: unknown template "dunno"; known: reminder, due-today, overdue, final-notice',
    ]);
    expect(issuesOf(withStage(1, { actions: [{ channel: 'sms' }] }))).toEqual([
      'stages.1.actions.0.template: a message action needs a template; known: reminder, due-today, overdue, final-notice',
    ]);
  });

  it('names a bad time of day, a bad time zone and a bad country', () => {
    expect(issuesOf(withStage(1, { at: '9am' }))).toEqual(['stages.1.at: must be HH:MM (24h), got "9am"']);
    expect(issuesOf(withStage(1, { at: '24:00' }))).toEqual(['stages.1.at: must be HH:MM (24h), got "24:00"']);
    expect(issuesOf({ ...designExample, timezone: 'Brasil/SaoPaulo' })).toEqual([
      'timezone: must be an IANA time zone like "America/Sao_Paulo", got "Brasil/SaoPaulo"',
    ]);
    expect(issuesOf({ ...designExample, country: 'br' })).toEqual([
      'country: must be an ISO 3166 alpha-2 code like "BR" (uppercase), got "br"',
    ]);
  });

  it('rejects a region or country without holiday data (holidays would silently be ignored)', () => {
    expect(issuesOf({ ...designExample, region: 'XX' })).toEqual([
      expect.stringMatching(/^region: unknown region "XX" for BR; known: AC, AL, .*SP, TO$/),
    ]);
    expect(issuesOf({ ...designExample, country: 'ZZ', region: undefined })).toEqual([
      'country: no public-holiday data for "ZZ" in the holiday table (from date-holidays): holidays could not be respected',
    ]);
  });

  it('rejects overlapping windows, a window ending before it starts, and a week with no open hours', () => {
    const hours = (mon: unknown) => ({ ...designExample, businessHours: { ...designExample.businessHours, mon } });
    expect(
      issuesOf(
        hours([
          ['08:00', '12:00'],
          ['11:00', '14:00'],
        ]),
      ),
    ).toEqual([
      'businessHours.mon.1: windows must be sorted and must not overlap: 11:00-14:00 starts before 08:00-12:00 ends',
    ]);
    expect(issuesOf(hours([['20:00', '08:00']]))).toEqual(['businessHours.mon.0: window must start before it ends']);
    expect(issuesOf(hours([['08:00']]))).toEqual([
      'businessHours.mon.0: a window is a pair like ["08:00", "20:00"], got ["08:00"]',
    ]);
    expect(issuesOf({ ...designExample, businessHours: { sun: [] } })).toEqual([
      'businessHours: businessHours has no open hours: no message could ever be sent',
    ]);
  });

  it('rejects stages out of time order and duplicate stage ids', () => {
    expect(issuesOf(withStage(1, { offsetDays: -5 }))).toEqual([
      'stages.1.offsetDays: stages must be in strictly increasing time order (offsetDays, at): "D0" (-5d 09:00) is not after "D-3" (-3d 09:00)',
    ]);
    // same day, same time: not strictly after
    expect(issuesOf(withStage(1, { offsetDays: -3 }))).toEqual([
      expect.stringMatching(/^stages\.1\.offsetDays: stages must be in strictly/),
    ]);
    expect(issuesOf(withStage(2, { id: 'D0' }))).toEqual(['stages.2.id: duplicate stage id "D0"']);
  });

  it('rejects out-of-range offsets, bad stage ids and a channel twice in a stage', () => {
    expect(issuesOf(withStage(2, { offsetDays: 400 }))).toEqual([
      'stages.2.offsetDays: must be a whole number of days from -90 to 365',
    ]);
    expect(issuesOf(withStage(2, { offsetDays: 1.5 }))).toEqual([
      'stages.2.offsetDays: must be a whole number of days from -90 to 365',
    ]);
    expect(issuesOf(withStage(0, { id: 'D minus 3' }))).toEqual([
      'stages.0.id: must be 1-20 letters, digits or + - _ . (like "D+7"), got "D minus 3"',
    ]);
    const twice = [
      { channel: 'email', template: 'due-today' },
      { channel: 'email', template: 'overdue' },
    ];
    expect(issuesOf(withStage(1, { actions: twice }))).toEqual([
      'stages.1.actions.1.channel: duplicate channel "email" in one stage (each channel at most once per stage)',
    ]);
  });

  it('rejects unknown keys at any level, suggesting the key that was probably meant', () => {
    expect(issuesOf({ ...designExample, bussinessHours: {} })).toEqual([
      '(root): unknown key "bussinessHours" (did you mean "businessHours"?); allowed: id, name, preset, timezone, country, region, businessHours, channelHours, contactPolicy, extraHolidays, lateFee, promiseGraceDays, stages',
    ]);
    expect(issuesOf(withStage(0, { offsetdays: -3 }))).toEqual([
      'stages.0: unknown key "offsetdays" (did you mean "offsetDays"?); allowed: id, offsetDays, at, actions, offer',
    ]);
  });

  it('rejects empty stages, a stage without actions, an unknown channel and escalate without "to"', () => {
    expect(issuesOf({ ...designExample, stages: [] })).toEqual(['stages: a billing rule needs at least one stage']);
    expect(issuesOf(withStage(0, { actions: [] }))).toEqual(['stages.0.actions: a stage needs at least one action']);
    expect(issuesOf(withStage(0, { actions: [{ channel: 'fax', template: 'reminder' }] }))).toEqual([
      'stages.0.actions.0.channel: channel must be one of email, sms, escalate, got "fax"',
    ]);
    const needsTo = 'escalate needs "to": the operators\' queue or team to notify, e.g. "collections"';
    expect(issuesOf(withStage(2, { actions: [{ channel: 'escalate' }] }))).toEqual([
      `stages.2.actions.0.to: ${needsTo}`,
    ]);
    expect(issuesOf(withStage(2, { actions: [{ channel: 'escalate', to: ' ' }] }))).toEqual([
      `stages.2.actions.0.to: ${needsTo}`,
    ]);
  });

  it('rejects a bad contact policy and extra holidays that are not real dates', () => {
    expect(
      issuesOf({ ...designExample, contactPolicy: { maxContacts: 0, windowDays: 7, minHoursBetween: -1 } }),
    ).toEqual([
      'contactPolicy.maxContacts: must be a whole number of contacts from 1 to 1000',
      'contactPolicy.minHoursBetween: must be a number of hours from 0 to 8760',
    ]);
    expect(issuesOf({ ...designExample, extraHolidays: ['2026-02-30', '24/12/2026'] })).toEqual([
      'extraHolidays.0: not a real date: "2026-02-30"',
      'extraHolidays.1: must be a date YYYY-MM-DD, got "24/12/2026"',
    ]);
  });

  it('puts every issue, as "path: issue", in the error message', () => {
    // Prepare
    const bad = { ...withStage(1, { at: '9am' }), country: 'brazil', id: '' };
    // Act
    const act = () => parseBillingRule(bad);
    // Assess
    expect(act).toThrow(InvalidBillingRule);
    expect(act).toThrow(/- id: must be a slug/);
    expect(act).toThrow('- country: must be an ISO 3166 alpha-2 code like "BR" (uppercase), got "brazil"');
    expect(act).toThrow('- stages.1.at: must be HH:MM (24h), got "9am"');
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */

const weekdayHours = (window: [string, string], sat?: [string, string]): Record<string, [string, string][]> => ({
  mon: [window],
  tue: [window],
  wed: [window],
  thu: [window],
  fri: [window],
  ...(sat ? { sat: [sat] } : {}),
});

describe('per-channel hours replace businessHours for their channel', () => {
  it('accepts channelHours for sms and email and keeps them as written', () => {
    // Prepare
    const rule = {
      ...designExample,
      channelHours: { sms: weekdayHours(['09:00', '18:00']), email: weekdayHours(['07:00', '22:00']) },
    };

    // Act
    const parsed = parseBillingRule(rule);

    // Assess
    expect(parsed.channelHours?.sms?.mon).toEqual([['09:00', '18:00']]);
    expect(parsed.channelHours?.email?.fri).toEqual([['07:00', '22:00']]);
  });

  it('opens a stage only when every message channel is open: the intersection of their hours', () => {
    // Prepare
    const rule = parseBillingRule({
      ...designExample,
      channelHours: {
        sms: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '21:00'],
          ],
          sat: [['10:00', '11:00']],
        },
      },
    });

    // Act
    const both = contactHours(rule, ['email', 'sms']);
    const emailOnly = contactHours(rule, ['email']);
    const none = contactHours(rule);

    // Assess: email uses businessHours (Mon 08–20, Sat 08–14), sms its own hours
    expect(both.mon).toEqual([
      ['09:00', '12:00'],
      ['13:00', '20:00'],
    ]);
    expect(both.sat).toEqual([['10:00', '11:00']]);
    expect(both.tue).toEqual([]);
    expect(emailOnly).toBe(rule.businessHours);
    expect(none).toBe(rule.businessHours);
  });

  it('intersects windows that touch as closed, and lists the message channels of a stage without escalate', () => {
    expect(intersectHours({ mon: [['08:00', '12:00']] }, { mon: [['12:00', '13:00']] }).mon).toEqual([]);
    expect(intersectHours({ sun: [['00:00', '24:00']] }, { sun: [['23:00', '24:00']] }).sun).toEqual([
      ['23:00', '24:00'],
    ]);
    const rule = parseBillingRule(defaultRuleJson);
    expect(rule.stages.map(messageChannelsOf)).toEqual([
      ['email'],
      ['email', 'sms'],
      ['sms'],
      ['email', 'sms'],
      ['email'],
      [],
    ]);
  });

  it('rejects an unknown channel, empty channel hours and a stage whose channels are never open together', () => {
    expect(issuesOf({ ...designExample, channelHours: { fax: weekdayHours(['09:00', '18:00']) } })).toEqual([
      'channelHours: unknown key "fax"; allowed: email, sms',
    ]);
    expect(issuesOf({ ...designExample, channelHours: { sms: { sun: [] } } })).toEqual([
      'channelHours.sms: channelHours.sms has no open hours: no message could ever be sent',
    ]);
    expect(issuesOf({ ...designExample, channelHours: { sms: { sun: [['10:00', '12:00']] } } })).toEqual([
      'stages.1.actions: email and sms are never open at the same time (businessHours (email) vs channelHours.sms): all actions of a stage go out together, so this stage could never be sent',
    ]);
  });
});

describe('late fees are a fine and monthly interest, in percent with bounds', () => {
  it('accepts a fine and a monthly interest rate with up to 4 decimals', () => {
    const parsed = parseBillingRule({ ...designExample, lateFee: { finePercent: 2, monthlyInterestPercent: 0.0333 } });
    expect(parsed.lateFee).toEqual({ finePercent: 2, monthlyInterestPercent: 0.0333 });
  });

  it('rejects negative, too high, too precise and missing rates, naming each field', () => {
    const fine = 'must be a percentage from 0 to 20 with at most 4 decimal places, e.g. 2 or 0.033';
    const interest = 'must be a percentage from 0 to 10 with at most 4 decimal places, e.g. 2 or 0.033';
    expect(issuesOf({ ...designExample, lateFee: { finePercent: -1, monthlyInterestPercent: 11 } })).toEqual([
      `lateFee.finePercent: ${fine}`,
      `lateFee.monthlyInterestPercent: ${interest}`,
    ]);
    expect(issuesOf({ ...designExample, lateFee: { finePercent: 2.00001, monthlyInterestPercent: '1' } })).toEqual([
      `lateFee.finePercent: ${fine}`,
      `lateFee.monthlyInterestPercent: ${interest}`,
    ]);
    expect(issuesOf({ ...designExample, lateFee: { finePercent: 2 } })).toEqual([
      `lateFee.monthlyInterestPercent: ${interest}`,
    ]);
  });
});

describe('a promise to pay may get grace days', () => {
  it('accepts 0 to 30 whole days, and a rule without it has none', () => {
    expect(parseBillingRule({ ...designExample, promiseGraceDays: 3 }).promiseGraceDays).toBe(3);
    expect(parseBillingRule(designExample).promiseGraceDays).toBeUndefined();
  });

  it('rejects negative, fractional and too many days, naming the field', () => {
    for (const days of [-1, 1.5, 31, '2']) {
      expect(issuesOf({ ...designExample, promiseGraceDays: days })[0], String(days)).toMatch(/^promiseGraceDays: /);
    }
  });
});

const brSp = { id: 'sp', preset: 'BR-SP', stages: designExample.stages };
const regF = { id: 'us', preset: 'US-RegF', timezone: 'America/New_York', stages: designExample.stages };

describe('a preset supplies the defaults a rule leaves out', () => {
  it('BR-SP: São Paulo zone, BR/SP holidays, Mon–Fri 08–20 and Sat 08–14, no contact policy', () => {
    // Act
    const rule = parseBillingRule(brSp);

    // Assess
    expect(rule).toMatchObject({ preset: 'BR-SP', timezone: 'America/Sao_Paulo', country: 'BR', region: 'SP' });
    expect(rule.businessHours).toEqual({ ...weekdayHours(['08:00', '20:00'], ['08:00', '14:00']), sun: [] });
    expect(rule.contactPolicy).toBeUndefined();
    expect(rule.lateFee).toBeUndefined();
  });

  it('US-RegF: US holidays, 08:00–21:00 every day, at most 7 contacts in 7 days', () => {
    const rule = parseBillingRule(regF);
    expect(rule).toMatchObject({ preset: 'US-RegF', timezone: 'America/New_York', country: 'US' });
    expect(Object.values(rule.businessHours)).toEqual(Array(7).fill([['08:00', '21:00']]));
    expect(rule.contactPolicy).toEqual({ maxContacts: 7, windowDays: 7, minHoursBetween: 0 });
  });

  it('keeps what the rule sets when it is within the preset, and a parsed rule parses again to itself', () => {
    // Prepare
    const strict = {
      ...brSp,
      businessHours: weekdayHours(['09:00', '18:00']),
      channelHours: { sms: weekdayHours(['10:00', '17:00']) },
      lateFee: { finePercent: 2, monthlyInterestPercent: 1 },
      extraHolidays: ['2026-12-24'],
    };

    // Act
    const parsed = [parseBillingRule(strict), parseBillingRule(regF), parseBillingRule(designExample)];

    // Assess
    expect(parsed[0]?.businessHours).toEqual(weekdayHours(['09:00', '18:00']));
    expect(parsed[0]?.lateFee).toEqual({ finePercent: 2, monthlyInterestPercent: 1 });
    for (const rule of parsed) expect(parseBillingRule(JSON.parse(JSON.stringify(rule)))).toEqual(rule);
  });

  it('leaves a rule without a preset exactly as written (no defaults, no preset key)', () => {
    expect(parseBillingRule(designExample)).toEqual(designExample);
  });

  it('rejects an unknown preset, listing the known ones', () => {
    expect(issuesOf({ ...designExample, preset: 'BR-RJ' })).toEqual([
      'preset: unknown preset "BR-RJ"; known: BR-SP, US-RegF',
    ]);
  });
});

describe('a rule looser than its preset is rejected, naming the field and the limit', () => {
  it('BR-SP: no Sundays, weekday and Saturday windows within the law, also per channel', () => {
    const hours = { ...weekdayHours(['07:00', '20:00'], ['08:00', '15:00']), sun: [['10:00', '12:00']] };
    const sms = { ...weekdayHours(['09:00', '18:00']), sun: [['09:00', '10:00']] };
    expect(issuesOf({ ...brSp, businessHours: hours, channelHours: { sms } })).toEqual([
      'businessHours.mon.0: BR-SP allows contact on Mondays only 08:00–20:00, got 07:00–20:00',
      'businessHours.tue.0: BR-SP allows contact on Tuesdays only 08:00–20:00, got 07:00–20:00',
      'businessHours.wed.0: BR-SP allows contact on Wednesdays only 08:00–20:00, got 07:00–20:00',
      'businessHours.thu.0: BR-SP allows contact on Thursdays only 08:00–20:00, got 07:00–20:00',
      'businessHours.fri.0: BR-SP allows contact on Fridays only 08:00–20:00, got 07:00–20:00',
      'businessHours.sat.0: BR-SP allows contact on Saturdays only 08:00–14:00, got 08:00–15:00',
      'businessHours.sun: BR-SP forbids contact on Sundays',
      'channelHours.sms.sun: BR-SP forbids contact on Sundays',
    ]);
  });

  it('BR-SP: caps the fine at 2% and keeps the São Paulo holidays', () => {
    expect(issuesOf({ ...brSp, lateFee: { finePercent: 5, monthlyInterestPercent: 1 } })).toEqual([
      'lateFee.finePercent: BR-SP caps the fine at 2%, got 5',
    ]);
    expect(issuesOf({ ...brSp, country: 'BR', region: 'RJ' })).toEqual([
      'region: BR-SP requires region "SP", got "RJ"',
    ]);
    expect(issuesOf({ ...brSp, country: 'PT' })).toEqual(['country: BR-SP requires country "BR", got "PT"']);
  });

  it('US-RegF: 08:00–21:00 only, and no contact policy allowing more than 7 contacts in 7 days', () => {
    expect(issuesOf({ ...regF, businessHours: { sat: [['07:30', '10:00']], sun: [['20:00', '21:30']] } })).toEqual([
      'businessHours.sat.0: US-RegF allows contact on Saturdays only 08:00–21:00, got 07:30–10:00',
      'businessHours.sun.0: US-RegF allows contact on Sundays only 08:00–21:00, got 20:00–21:30',
    ]);
    expect(issuesOf({ ...regF, contactPolicy: { maxContacts: 8, windowDays: 7, minHoursBetween: 0 } })).toEqual([
      'contactPolicy.maxContacts: US-RegF allows at most 7 contacts in 7 days, got 8',
    ]);
    expect(issuesOf({ ...regF, contactPolicy: { maxContacts: 3, windowDays: 3, minHoursBetween: 0 } })).toEqual([
      'contactPolicy.windowDays: US-RegF allows at most 7 contacts in 7 days; 3 per 3 days allow up to 9',
    ]);
    // 3 per 3 days but a day apart: at most 7 in any 7 days
    expect(
      parseBillingRule({ ...regF, contactPolicy: { maxContacts: 3, windowDays: 3, minHoursBetween: 24 } })
        .contactPolicy,
    ).toEqual({ maxContacts: 3, windowDays: 3, minHoursBetween: 24 });
    expect(issuesOf({ ...regF, country: 'BR' })).toEqual(['country: US-RegF requires country "US", got "BR"']);
  });

  it('reports preset limits together with the other problems of the rule', () => {
    const bad = {
      ...brSp,
      businessHours: { sun: [['10:00', '12:00']] },
      stages: [{ ...designExample.stages[0], at: '9am' }],
    };
    expect(issuesOf(bad)).toEqual([
      'stages.0.at: must be HH:MM (24h), got "9am"',
      'businessHours.sun: BR-SP forbids contact on Sundays',
    ]);
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */

const hhmm = (m: number) =>
  m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Per weekday 0–2 sorted windows on a 30-minute grid within [from, to] half hours; may be empty on every day. */
const hoursArb = (from: number, to: number): fc.Arbitrary<BusinessHours> =>
  fc
    .tuple(...WEEKDAYS.map(() => fc.uniqueArray(fc.integer({ min: from, max: to }), { maxLength: 4 })))
    .map((perDay) => {
      const hours: Record<string, [string, string][]> = {};
      perDay.forEach((points, d) => {
        const sorted = [...points].sort((a, b) => a - b).map((p) => p * 30);
        const windows: [string, string][] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2)
          windows.push([hhmm(sorted[i] as number), hhmm(sorted[i + 1] as number)]);
        hours[WEEKDAYS[d] as string] = windows;
      });
      return hours;
    });

/**
 * Hours derived from a law's, one integer per weekday deciding how: mostly each window shrunk by 0–3 half hours at
 * each end; now and then started or ended half an hour outside it, the day dropped, or a one-hour window put
 * anywhere. About half the rules built from them pass validation. (Plain integers: cheap to generate.)
 */
function nearLaw(law: BusinessHours, seeds: readonly number[]): BusinessHours {
  return Object.fromEntries(
    WEEKDAYS.map((day, d) => {
      const seed = seeds[d] ?? 0;
      const mode = seed % 96;
      if (mode === 0) return [day, []];
      if (mode === 1) {
        const start = ((seed >> 7) % 47) * 30;
        return [day, [[hhmm(start), hhmm(start + 60)]]];
      }
      const early = mode === 2 ? 1 : 0;
      const late = mode === 3 ? 1 : 0;
      const windows = (law[day] ?? [])
        .map(([s, e]) => [
          minutesOf(s) + (((seed >> 7) % 4) - early) * 30,
          minutesOf(e) - (((seed >> 9) % 4) - late) * 30,
        ])
        .filter(([s, e]) => (s as number) >= 0 && (e as number) <= 1440 && (s as number) < (e as number))
        .map(([s, e]) => [hhmm(s as number), hhmm(e as number)]);
      return [day, windows];
    }),
  );
}

/** The half hours of the week a set of hours is open at, by weekday (minutesOf read once per window). */
function openHalfHours(hours: BusinessHours): boolean[][] {
  return WEEKDAYS.map((day) => {
    const slots = Array<boolean>(48).fill(false);
    for (const [s, e] of hours[day] ?? []) for (let m = minutesOf(s); m < minutesOf(e); m += 30) slots[m / 30] = true;
    return slots;
  });
}

describe('a rule accepted under a preset is never open when the law is closed (property)', () => {
  it('for any business, email and sms hours, and any contact policy', () => {
    const seedsArb = fc.array(fc.nat(), { minLength: 7, maxLength: 7 });
    const hoursFor = (law: BusinessHours) =>
      fc.oneof(
        { weight: 1, arbitrary: hoursArb(0, 48) },
        { weight: 8, arbitrary: seedsArb.map((seeds) => nearLaw(law, seeds)) },
      );
    const scenarioArb = fc.constantFrom(brSp, regF).chain((base) => {
      const hours = hoursFor(PRESETS[base.preset as keyof typeof PRESETS].hours);
      return fc.tuple(fc.constant(base), hours, hours, hours);
    });
    const policyArb = fc.record({
      maxContacts: fc.integer({ min: 1, max: 10 }),
      windowDays: fc.integer({ min: 1, max: 10 }),
      minHoursBetween: fc.integer({ min: 0, max: 48 }),
    });
    const lawSlots = new Map(Object.values(PRESETS).map((p) => [p.name, openHalfHours(p.hours)]));
    let accepted = 0;
    fc.assert(
      fc.property(scenarioArb, policyArb, ([base, business, email, sms], policy) => {
        // Prepare
        const raw = { ...base, businessHours: business, channelHours: { email, sms }, contactPolicy: policy };
        let rule: BillingRule;
        try {
          // Act
          rule = parseBillingRule(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidBillingRule);
          return;
        }
        // Assess: every channel combination a stage can send is open only when the law is, half hour by half hour
        accepted++;
        const law = PRESETS[rule.preset ?? 'BR-SP'];
        const allowed = lawSlots.get(law.name) ?? [];
        const openWhenLawIsClosed: string[] = [];
        for (const channels of [[], ['email'], ['sms'], ['email', 'sms']] as const) {
          openHalfHours(contactHours(rule, channels)).forEach((slots, d) => {
            slots.forEach((isOpen, slot) => {
              if (isOpen && !allowed[d]?.[slot])
                openWhenLawIsClosed.push(`${channels.join('+')} ${WEEKDAYS[d]} ${hhmm(slot * 30)}`);
            });
          });
        }
        expect(openWhenLawIsClosed).toEqual([]);
        if (law.maxContactsPer7Days !== undefined && rule.contactPolicy)
          expect(maxContactsIn7Days(rule.contactPolicy)).toBeLessThanOrEqual(law.maxContactsPer7Days);
      }),
      { numRuns: 10_000 },
    );
    // a property over rejected rules only would prove nothing
    expect(accepted).toBeGreaterThan(2_500);
  });
});
