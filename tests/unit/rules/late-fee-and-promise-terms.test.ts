import { describe, expect, it } from 'vitest';
import { parseBillingRule } from '../../../functions/rules/billing-rule';
import { designExample, issuesOf } from '../../support/billing-rules';

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
