import { expect } from 'vitest';
import { InvalidBillingRule, parseBillingRule } from '../../functions/rules/billing-rule';

/** The billing rules the rule tests start from, and how they read a rejected rule's issues. */

/** The example rule of docs/formats.md. */
export const designExample = {
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
export function issuesOf(rule: unknown): string[] {
  try {
    parseBillingRule(rule);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidBillingRule);
    return (error as InvalidBillingRule).issues.map((i) => `${i.path}: ${i.issue}`);
  }
  throw new Error('expected the rule to be rejected');
}

/** Weekday windows (and Saturday's, when given), as a rule's hours. */
export const weekdayHours = (window: [string, string], sat?: [string, string]): Record<string, [string, string][]> => ({
  mon: [window],
  tue: [window],
  wed: [window],
  thu: [window],
  fri: [window],
  ...(sat ? { sat: [sat] } : {}),
});

/** Rules that name a preset and leave the rest to it. */
export const brSp = { id: 'sp', preset: 'BR-SP', stages: designExample.stages };
export const regF = { id: 'us', preset: 'US-RegF', timezone: 'America/New_York', stages: designExample.stages };
