import { describe, expect, it } from 'vitest';
import { calendarFor, type Debtor, evaluateContact } from '../../../../functions/contact/contact-policy';
import { type BillingRule, parseBillingRule } from '../../../../functions/rules/billing-rule';
import defaultRuleJson from '../../../../rules/default.json';

// When the contact policy (functions/contact/contact-policy.ts) allows a contact, and to when it defers one: the
// business hours, the frequency caps, each channel's hours and the debtor's own public holidays, by example. The same
// policy against an independent model: decision-properties.test.ts, sequence-property.test.ts.

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
