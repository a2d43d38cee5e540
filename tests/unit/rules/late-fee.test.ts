import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBillingRule } from '../../../functions/rules/billing-rule';
import { daysLate, type LateFeeTerms, lateFees, lateFeeTermsOf } from '../../../functions/rules/late-fee';
import defaultRuleJson from '../../../rules/default.json';

const brl = (minor: number) => ({ minor, currency: 'BRL' });
const terms: LateFeeTerms = { finePercent: 2, monthlyInterestPercent: 1 };

describe('late fees: a fine once from day one, simple interest pro rata die, in minor units', () => {
  it('charges 2% and 1% a month on R$ 1.234,50 after 15 days: R$ 24,69 + R$ 6,17', () => {
    // Act
    const fees = lateFees(brl(123_450), 15, terms);

    // Assess: 123450 × 2% = 2469; 123450 × 1% × 15/30 = 617.25 → 617
    expect(fees).toEqual({
      daysLate: 15,
      balance: brl(123_450),
      fine: brl(2_469),
      interest: brl(617),
      total: brl(126_536),
    });
  });

  it('charges nothing before or on the due date, and the fine from the first day late', () => {
    expect(lateFees(brl(10_000), -3, terms)).toMatchObject({ daysLate: 0, fine: brl(0), interest: brl(0) });
    expect(lateFees(brl(10_000), 0, terms)).toMatchObject({ fine: brl(0), interest: brl(0), total: brl(10_000) });
    // day 1: fine 200, interest 10000 × 1% / 30 = 3.33 → 3
    expect(lateFees(brl(10_000), 1, terms)).toMatchObject({ fine: brl(200), interest: brl(3), total: brl(10_203) });
  });

  it('rounds half-up on the minor unit, once over all the days', () => {
    // 25 × 2% = 0.5 → 1; 150 × 1% × 1/30 = 0.05 → 0; × 10 days = 0.5 → 1 (not 10 × 0)
    expect(lateFees(brl(25), 1, terms).fine).toEqual(brl(1));
    expect(lateFees(brl(150), 1, terms).interest).toEqual(brl(0));
    expect(lateFees(brl(150), 10, terms).interest).toEqual(brl(1));
    // 24 × 2% = 0.48 → 0
    expect(lateFees(brl(24), 1, terms).fine).toEqual(brl(0));
  });

  it('never lets rounding push the fine above a legal cap (BR-SP: 2%)', () => {
    // 25 × 2% = 0.5: half-up would charge 1, more than 2% of 25
    expect(lateFees(brl(25), 1, { ...terms, fineCapPercent: 2 }).fine).toEqual(brl(0));
    expect(lateFees(brl(75), 1, { ...terms, fineCapPercent: 2 }).fine).toEqual(brl(1)); // 1.5 → cap 1
  });

  it('works in any currency: no minor unit (JPY) and three (KWD)', () => {
    expect(lateFees({ minor: 5_000, currency: 'JPY' }, 30, terms)).toMatchObject({
      fine: { minor: 100, currency: 'JPY' },
      interest: { minor: 50, currency: 'JPY' },
      total: { minor: 5_150, currency: 'JPY' },
    });
    expect(
      lateFees({ minor: 1_234_567, currency: 'KWD' }, 7, { finePercent: 0.5, monthlyInterestPercent: 0.0333 }),
    ).toMatchObject({ fine: { minor: 6_173 }, interest: { minor: 96 } }); // 6172.835 → 6173; 95.91... → 96
  });

  it('refuses inputs that would make a wrong amount', () => {
    expect(() => lateFees(brl(12.5), 1, terms)).toThrow(RangeError);
    expect(() => lateFees(brl(-1), 1, terms)).toThrow('balance must be a non-negative whole number of minor units');
    expect(() => lateFees(brl(100), 1.5, terms)).toThrow('daysLate must be a whole number, got 1.5');
    expect(() => lateFees(brl(100), 1, { ...terms, finePercent: 0.00001 })).toThrow(
      'finePercent must be a non-negative percentage with at most 4 decimal places, got 0.00001',
    );
    expect(() => lateFees(brl(Number.MAX_SAFE_INTEGER), 365, terms)).toThrow('total is too large');
  });

  it("counts the days late in the debtor's zone, by calendar date", () => {
    // 2026-12-11 01:00Z is still the 10th in São Paulo (due date): not late yet; in Lisbon it is the 11th
    expect(daysLate('2026-12-10', new Date('2026-12-11T01:00:00Z'), 'America/Sao_Paulo')).toBe(0);
    expect(daysLate('2026-12-10', new Date('2026-12-11T01:00:00Z'), 'Europe/Lisbon')).toBe(1);
    expect(daysLate('2026-12-10', new Date('2026-12-01T12:00:00Z'), 'Europe/Lisbon')).toBe(0);
  });

  it("reads the rule's terms, with the cap of its preset", () => {
    expect(lateFeeTermsOf(parseBillingRule(defaultRuleJson))).toBeUndefined();
    const lateFee = { finePercent: 2, monthlyInterestPercent: 1 };
    expect(lateFeeTermsOf(parseBillingRule({ ...defaultRuleJson, lateFee }))).toEqual(lateFee);
    expect(lateFeeTermsOf(parseBillingRule({ ...defaultRuleJson, preset: 'BR-SP', lateFee }))).toEqual({
      ...lateFee,
      fineCapPercent: 2,
    });
  });
});

/* ---------------------------------------------------------------------------------------------------------------- */

/** A percentage with at most 4 decimal places, as a rule would hold it. */
const percentArb = (max: number) => fc.integer({ min: 0, max: max * 10_000 }).map((units) => units / 10_000);
const termsArb: fc.Arbitrary<LateFeeTerms> = fc.record(
  {
    finePercent: percentArb(20),
    monthlyInterestPercent: percentArb(10),
    fineCapPercent: percentArb(20),
  },
  { requiredKeys: ['finePercent', 'monthlyInterestPercent'] },
);
const balanceArb = fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 10_000_000_000_000 }));
const daysArb = fc.integer({ min: -30, max: 3_650 });
const currencyArb = fc.constantFrom('BRL', 'USD', 'JPY', 'KWD', 'EUR');

/** The exact rational of a percentage, as ten-thousandths of a percent (fast-check's values are exact by design). */
const units = (percent: number) => BigInt(Math.round(percent * 10_000));

describe('late fees, for all balances, days and terms (property)', () => {
  it('are whole, non-negative minor units in the balance currency, and total = balance + fine + interest', () => {
    fc.assert(
      fc.property(balanceArb, daysArb, termsArb, currencyArb, (minor, days, t, currency) => {
        // Act
        const fees = lateFees({ minor, currency }, days, t);

        // Assess
        for (const money of [fees.fine, fees.interest, fees.total]) {
          expect(Number.isSafeInteger(money.minor)).toBe(true);
          expect(money.minor).toBeGreaterThanOrEqual(0);
          expect(money.currency).toBe(currency);
        }
        expect(fees.total.minor).toBe(minor + fees.fine.minor + fees.interest.minor);
        if (days <= 0) expect(fees.total.minor).toBe(minor);
      }),
      { numRuns: 10_000 },
    );
  });

  it('round the exact amounts half-up, the fine never above its cap', () => {
    fc.assert(
      fc.property(balanceArb, daysArb, termsArb, (minor, days, t) => {
        // Act
        const fees = lateFees(brl(minor), days, t);

        // Assess, in exact rationals: r is x = n / d rounded half-up iff r - 1/2 <= x < r + 1/2
        const isHalfUp = (r: bigint, n: bigint, d: bigint) => 2n * r * d - d <= 2n * n && 2n * n < 2n * r * d + d;
        const late = BigInt(Math.max(0, days));
        const b = BigInt(minor);
        const fine = BigInt(fees.fine.minor);
        expect(
          isHalfUp(BigInt(fees.interest.minor), b * units(t.monthlyInterestPercent) * late, 30n * 1_000_000n),
        ).toBe(true);
        if (late === 0n) {
          expect(fine).toBe(0n);
        } else if (t.fineCapPercent === undefined) {
          expect(isHalfUp(fine, b * units(t.finePercent), 1_000_000n)).toBe(true);
        } else {
          // fine <= balance × cap / 100, exactly; and it is the half-up fine unless that is above the cap
          const capTimesD = b * units(t.fineCapPercent);
          expect(fine * 1_000_000n).toBeLessThanOrEqual(capTimesD);
          if ((fine + 1n) * 1_000_000n <= capTimesD)
            expect(isHalfUp(fine, b * units(t.finePercent), 1_000_000n)).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('never decrease as days pass, and the fine is charged once', () => {
    fc.assert(
      fc.property(balanceArb, daysArb, fc.integer({ min: 0, max: 400 }), termsArb, (minor, days, more, t) => {
        // Act
        const earlier = lateFees(brl(minor), days, t);
        const later = lateFees(brl(minor), days + more, t);

        // Assess
        expect(later.interest.minor).toBeGreaterThanOrEqual(earlier.interest.minor);
        expect(later.total.minor).toBeGreaterThanOrEqual(earlier.total.minor);
        if (days >= 1) expect(later.fine).toEqual(earlier.fine);
        else expect(later.fine.minor).toBeGreaterThanOrEqual(earlier.fine.minor);
      }),
      { numRuns: 10_000 },
    );
  });
});
