import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { amountDue, checkAgreement, type InstalmentRequest } from '../../../functions/invoices/agreement';
import { lateFees } from '../../../functions/rules/late-fee';
import type { RuleTerms } from '../../../functions/rules/rule-terms';
import { formatDecimalAmount, parseDecimalAmount } from '../../../functions/values/money';
import { invoiceFixture } from '../../support/fixtures';

const SAO_PAULO = 'America/Sao_Paulo';
const NO_FEES: RuleTerms = { timezone: SAO_PAULO, lastStageOffsetDays: 30 };
const FEES = { finePercent: 2, monthlyInterestPercent: 1, fineCapPercent: 2 };
const WITH_FEES: RuleTerms = { timezone: SAO_PAULO, lateFee: FEES, lastStageOffsetDays: 30 };

/** `count` due dates, one a month from `from` (YYYY-MM-DD), as YYYY-MM-DD. */
function monthly(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => DateTime.fromISO(from).plus({ months: i }).toISODate() ?? '');
}

/** Cuts `total` minor units into the parts between the sorted cut points. */
function split(total: number, cuts: readonly number[]): number[] {
  const points = [0, ...[...cuts].sort((a, b) => a - b), total];
  return points.slice(1).map((p, i) => p - (points[i] ?? 0));
}

describe('what an agreement must add up to (pure)', () => {
  it('is the balance plus the late fees to date of the rule, counted in whole days in the debtor zone (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: -40, max: 400 }),
        fc.boolean(),
        (balanceMinor, days, charges) => {
          // Prepare: due 2026-12-10; now = 12:00 local, `days` days after it
          const invoice = invoiceFixture({ balanceMinor, dueDate: '2026-12-10' });
          const now = DateTime.fromISO('2026-12-10T12:00', { zone: SAO_PAULO }).plus({ days }).toJSDate();
          const terms = charges ? WITH_FEES : NO_FEES;

          // Act
          const due = amountDue(invoice, terms, SAO_PAULO, now);

          // Assess
          const late = Math.max(0, days);
          const fees = charges && late > 0 ? lateFees({ minor: balanceMinor, currency: 'BRL' }, late, FEES) : undefined;
          return (
            due.daysLate === late &&
            due.fineMinor === (fees?.fine.minor ?? 0) &&
            due.interestMinor === (fees?.interest.minor ?? 0) &&
            due.totalMinor === balanceMinor + due.fineMinor + due.interestMinor
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('checking an agreement (pure)', () => {
  const now = new Date('2026-12-20T15:00:00.000Z'); // Sun 20th, 12:00 in São Paulo; due 10th: 10 days late
  const context = { terms: WITH_FEES, timezone: SAO_PAULO, now };

  /**
   * Invoices with any balance, and instalments cutting exactly what is due into 1-11 parts, a month apart from
   * tomorrow (an 11th month would end its walk, 30 days after its due date, more than a year from now).
   */
  const exactAgreements = fc
    .record({ balanceMinor: fc.integer({ min: 24, max: 10_000_000_000 }), count: fc.integer({ min: 1, max: 11 }) })
    .chain(({ balanceMinor, count }) => {
      const invoice = invoiceFixture({ balanceMinor, dueDate: '2026-12-10', ruleId: 'with-fees' });
      const total = amountDue(invoice, WITH_FEES, SAO_PAULO, now).totalMinor;
      return fc
        .uniqueArray(fc.integer({ min: 1, max: total - 1 }), { minLength: count - 1, maxLength: count - 1 })
        .map((cuts) => {
          const dates = monthly('2026-12-21', count);
          const requests: InstalmentRequest[] = split(total, cuts).map((minor, i) => ({
            dueDate: dates[i] ?? '',
            amount: formatDecimalAmount(minor, 'BRL'),
          }));
          return { invoice, total, requests };
        });
    });

  it('accepts any cut of exactly the balance plus fees into future, increasing instalments (property)', () => {
    fc.assert(
      fc.property(exactAgreements, ({ invoice, total, requests }) => {
        const check = checkAgreement(invoice, requests, context);
        return (
          check.ok &&
          check.instalments.reduce((sum, i) => sum + i.amountMinor, 0) === total &&
          new Set(check.instalments.map((i) => i.invoiceId)).size === requests.length
        );
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the same cut with any one amount off by any number of minor units, naming `instalments` only (property)', () => {
    fc.assert(
      fc.property(
        exactAgreements,
        fc.nat(),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        ({ invoice, requests }, pick, delta, up) => {
          // Prepare: one amount moved away from the exact cut (kept above 0)
          const index = pick % requests.length;
          const request = requests[index] as InstalmentRequest;
          const parsed = parseDecimalAmount(request.amount, 'BRL');
          const minor = parsed.ok ? parsed.minor : 0;
          const moved = up ? minor + delta : minor - delta;
          fc.pre(moved > 0);
          const spoiled = requests.map((r, i) =>
            i === index ? { ...r, amount: formatDecimalAmount(moved, 'BRL') } : r,
          );

          // Act
          const check = checkAgreement(invoice, spoiled, context);

          // Assess
          return !check.ok && check.issues.length === 1 && check.issues[0]?.path === 'instalments';
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the total it expected and how it is made of the balance and the fees', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' }); // 1234.50 BRL

    const check = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1234.50' }], context);

    // 2% fine = 24.69; 1% a month over 10 days = 4.115 → 4.12 (half-up): 1263.31
    expect(check).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'instalments',
          issue:
            'must add up to 1263.31 BRL: the balance 1234.50 BRL plus the late fees to date (fine 24.69 BRL, ' +
            'interest 4.12 BRL, 10 days late); got 1234.50 BRL',
        },
      ],
    });
  });

  it('wants the balance alone under a rule without late fees, whatever the delay', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' });

    const exact = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1234.50' }], {
      ...context,
      terms: NO_FEES,
    });
    const more = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1263.31' }], {
      ...context,
      terms: NO_FEES,
    });

    expect(exact.ok).toBe(true);
    expect(more).toMatchObject({
      ok: false,
      issues: [{ path: 'instalments', issue: 'must add up to the balance 1234.50 BRL, got 1263.31 BRL' }],
    });
  });

  it('refuses due dates that are today or past for the debtor, not increasing, unreal or too far ahead, each by field', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10', balanceMinor: 50000 });
    const requests = [
      { dueDate: '2026-12-20', amount: '100.00' }, // today in São Paulo
      { dueDate: '2027-02-01', amount: '100.00' },
      { dueDate: '2027-01-15', amount: '100.00' }, // before the previous one
      { dueDate: '2027-02-30', amount: '100.00' },
      { dueDate: '2027-11-21', amount: '100.00' }, // 20th + 365 − 30 days = 2027-11-20 at the latest
    ];

    const check = checkAgreement(invoice, requests, { ...context, terms: NO_FEES });

    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.issues.map((i) => `${i.path}: ${i.issue}`)).toEqual([
      'instalments.0.dueDate: must be in the future (after 2026-12-20, today for the debtor), got 2026-12-20',
      'instalments.2.dueDate: must be after the due date of instalments.1 (2027-02-01): due dates increase, got 2027-01-15',
      'instalments.3.dueDate: must be a real date YYYY-MM-DD, got "2027-02-30"',
      'instalments.4.dueDate: is too far ahead: an instalment is dunned until 30 days after its due date and a walk lasts at most 365 days, so the latest due date is 2027-11-20, got 2027-11-21',
    ]);
  });

  it('refuses amounts that are not money of the currency, or not more than 0, by field', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' });

    const check = checkAgreement(
      invoice,
      [
        { dueDate: '2027-01-10', amount: '1,234.50' },
        { dueDate: '2027-02-10', amount: '0.00' },
        { dueDate: '2027-03-10', amount: '1.234' },
      ],
      context,
    );

    expect(check.ok ? [] : check.issues.map((i) => i.path)).toEqual([
      'instalments.0.amount',
      'instalments.1.amount',
      'instalments.2.amount',
    ]);
  });
});
