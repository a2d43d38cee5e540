import { localDaysBetween } from '../calendar/local-date';
import type { Money } from '../values/money';
import { divideHalfUp, PERCENT_SCALE, percentUnits } from '../values/percent';
import type { BillingRule } from './billing-rule';
import { PRESETS } from './presets';

/** What a rule charges on an overdue balance: a one-off fine and simple monthly interest, in percent. */
export interface LateFeeTerms {
  /** Charged once, from the first day late, on the balance (e.g. 2). At most 4 decimal places. */
  readonly finePercent: number;
  /** Simple interest per 30 days on the balance, pro rata die (monthly / 30 per day). At most 4 decimal places. */
  readonly monthlyInterestPercent: number;
  /** A legal ceiling on the fine (percent of the balance): the fine never exceeds it, not even by rounding. */
  readonly fineCapPercent?: number | undefined;
}

/** The fees on a balance after some days late, every amount in integer minor units of the balance's currency. */
export interface LateFeeBreakdown {
  readonly daysLate: number;
  readonly balance: Money;
  readonly fine: Money;
  readonly interest: Money;
  /** balance + fine + interest. */
  readonly total: Money;
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} is too large: ${value} minor units`);
  return Number(value);
}

/**
 * Late fees on `balance` after `daysLate` whole calendar days (in the debtor's zone; 0 or less: not late, no fees).
 * Integer arithmetic on minor units throughout, never a float in the result:
 * - fine = balance × finePercent / 100, rounded half-up to the minor unit, charged once from day 1;
 *   with a `fineCapPercent`, never more than balance × fineCapPercent / 100 rounded down (so the cap holds exactly);
 * - interest = balance × monthlyInterestPercent / 100 × daysLate / 30 (simple, pro rata die, on the balance only),
 *   computed over all the days at once and rounded half-up to the minor unit;
 * - total = balance + fine + interest.
 * @throws RangeError on a balance that is not a non-negative safe integer, a fractional number of days, a bad
 *   percentage, or a result beyond Number.MAX_SAFE_INTEGER minor units.
 */
export function lateFees(balance: Money, daysLate: number, terms: LateFeeTerms): LateFeeBreakdown {
  if (!Number.isSafeInteger(balance.minor) || balance.minor < 0) {
    throw new RangeError(`balance must be a non-negative whole number of minor units, got ${balance.minor}`);
  }
  if (!Number.isSafeInteger(daysLate)) throw new RangeError(`daysLate must be a whole number, got ${daysLate}`);
  const fineRate = percentUnits(terms.finePercent, 'finePercent');
  const interestRate = percentUnits(terms.monthlyInterestPercent, 'monthlyInterestPercent');
  const days = BigInt(Math.max(0, daysLate));
  const minor = BigInt(balance.minor);
  const perHundred = 100n * PERCENT_SCALE;

  let fine = days > 0n ? divideHalfUp(minor * fineRate, perHundred) : 0n;
  if (terms.fineCapPercent !== undefined) {
    const cap = (minor * percentUnits(terms.fineCapPercent, 'fineCapPercent')) / perHundred; // rounded down
    if (fine > cap) fine = cap;
  }
  const interest = divideHalfUp(minor * interestRate * days, perHundred * 30n);
  const money = (value: bigint, what: string): Money => ({
    minor: toSafeNumber(value, what),
    currency: balance.currency,
  });
  return {
    daysLate: Math.max(0, daysLate),
    balance,
    fine: money(fine, 'fine'),
    interest: money(interest, 'interest'),
    total: money(minor + fine + interest, 'total'),
  };
}

/** The late-fee terms of a rule (with its preset's fine cap), or undefined when the rule charges none. */
export function lateFeeTermsOf(rule: Pick<BillingRule, 'lateFee' | 'preset'>): LateFeeTerms | undefined {
  if (!rule.lateFee) return undefined;
  const cap = rule.preset ? PRESETS[rule.preset].fineCapPercent : undefined;
  return { ...rule.lateFee, ...(cap === undefined ? {} : { fineCapPercent: cap }) };
}

/** Whole calendar days an invoice due on `dueDate` (YYYY-MM-DD) is late at `now` in `timezone`; 0 until the day after. */
export function daysLate(dueDate: string, now: Date, timezone: string): number {
  return Math.max(0, localDaysBetween(dueDate, now, timezone));
}
