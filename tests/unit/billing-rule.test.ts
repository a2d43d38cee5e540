import { describe, expect, it } from 'vitest';
import defaultRuleJson from '../../rules/default.json';
import { InvalidBillingRule, parseBillingRule } from '../../functions/domain/billing-rule';

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

describe('billing rule validation', () => {
  it('accepts the shipped default rule and the DESIGN example', () => {
    const rule = parseBillingRule(defaultRuleJson);
    expect(rule.stages.map((s) => s.id)).toEqual(['D-3', 'D0', 'D+3', 'D+7', 'D+15', 'D+30']);
    expect(parseBillingRule(designExample).stages).toHaveLength(3);
  });

  it('names an unknown template and lists the known ones', () => {
    expect(issuesOf(withStage(0, { actions: [{ channel: 'email', template: 'dunno' }] }))).toEqual([
      'stages.0.actions.0.template: unknown template "dunno"; known: reminder, due-today, overdue, final-notice',
    ]);
  });

  it('names a bad time of day and a bad time zone', () => {
    expect(issuesOf(withStage(1, { at: '9am' }))).toEqual(['stages.1.at: must be HH:MM (24h), got "9am"']);
    expect(issuesOf({ ...designExample, timezone: 'Brasil/SaoPaulo' })).toEqual([
      'timezone: must be an IANA time zone like "America/Sao_Paulo", got "Brasil/SaoPaulo"',
    ]);
  });

  it('rejects overlapping windows, a window ending before it starts, and a week with no open hours', () => {
    const hours = (mon: unknown) => ({ ...designExample, businessHours: { ...designExample.businessHours, mon } });
    expect(issuesOf(hours([['08:00', '12:00'], ['11:00', '14:00']]))).toEqual([
      'businessHours.mon.1: windows must be sorted and must not overlap',
    ]);
    expect(issuesOf(hours([['20:00', '08:00']]))).toEqual(['businessHours.mon.0: window must start before it ends']);
    expect(issuesOf({ ...designExample, businessHours: { sun: [] } })).toEqual([
      'businessHours: businessHours has no open hours: no message could ever be sent',
    ]);
  });

  it('rejects stages out of time order and duplicate stage ids', () => {
    expect(issuesOf(withStage(1, { offsetDays: -5 }))).toEqual([
      'stages.1.offsetDays: stages must be in time order: "D0" is not after "D-3"',
    ]);
    expect(issuesOf(withStage(2, { id: 'D0' }))).toEqual(['stages.2.id: duplicate stage id "D0"']);
  });

  it('rejects unknown keys (typos must not pass silently), empty stages and escalate without "to"', () => {
    expect(issuesOf({ ...designExample, bussinessHours: {} })).toEqual(['(root): Unrecognized key: "bussinessHours"']);
    expect(issuesOf({ ...designExample, stages: [] })).toEqual(['stages: a billing rule needs at least one stage']);
    expect(issuesOf(withStage(2, { actions: [{ channel: 'escalate', to: ' ' }] }))).toEqual([
      'stages.2.actions.0.to: escalate needs a "to"',
    ]);
  });

  it('puts every issue in the error message', () => {
    expect(() => parseBillingRule({ ...designExample, country: 'brazil', id: '' })).toThrow(
      /id: must be a slug[\s\S]*country: must be an ISO 3166 alpha-2 code like "BR", got "brazil"/,
    );
  });
});
