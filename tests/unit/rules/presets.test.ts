import { describe, expect, it } from 'vitest';
import { parseBillingRule } from '../../../functions/rules/billing-rule';
import { brSp, designExample, issuesOf, regF, weekdayHours } from '../../support/billing-rules';

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
