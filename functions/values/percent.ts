/**
 * Percentages as exact decimals: at most 4 decimal places, held as integers in 1/10 000 of a percent, so fee and
 * discount maths on money never touches a float. Shared by the rule's late-fee terms, its early-payment offers and
 * the message context that states them.
 */

/** Percentages are exact decimals with at most 4 places, so they are held as integers in 1/10 000 of a percent. */
export const PERCENT_SCALE = 10_000n;
const PERCENT_DECIMALS = /^\d+(?:\.\d{1,4})?$/;

/** True for a finite, non-negative percentage with at most 4 decimal places (`2`, `0.5`, `1.0333`). */
export function isExactPercent(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && PERCENT_DECIMALS.test(String(value));
}

/** `2.5` → 25 000n (ten-thousandths of a percent), exactly: read from the number's shortest decimal string. */
export function percentUnits(value: number, what: string): bigint {
  if (!isExactPercent(value)) {
    throw new RangeError(`${what} must be a non-negative percentage with at most 4 decimal places, got ${value}`);
  }
  const [whole = '0', fraction = ''] = String(value).split('.');
  return BigInt(whole) * PERCENT_SCALE + BigInt(fraction.padEnd(4, '0'));
}

/** numerator / denominator rounded half-up (ties away from zero), for non-negative numerators. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/** The highest discount a rule may offer for early payment (percent). */
export const MAX_DISCOUNT_PERCENT = 50;

/** A discount percentage a rule may offer: more than 0, at most 50, at most 4 decimal places. */
export function isOfferPercent(value: number): boolean {
  return isExactPercent(value) && value > 0 && value <= MAX_DISCOUNT_PERCENT;
}
