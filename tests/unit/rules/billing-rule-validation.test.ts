import { describe, expect, it } from 'vitest';
import { channelsOf, InvalidBillingRule, parseBillingRule } from '../../../functions/rules/billing-rule';
import defaultRuleJson from '../../../rules/default.json';
import { designExample, issuesOf } from '../../support/billing-rules';

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
