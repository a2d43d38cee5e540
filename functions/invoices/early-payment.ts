import { atTimeOfDay, plusDays, startOfDate } from '../calendar/zoned-time';
import type { Stage } from '../rules/billing-rule';
import { divideHalfUp, isOfferPercent, MAX_DISCOUNT_PERCENT, PERCENT_SCALE, percentUnits } from '../values/percent';
import { type EarlyPaymentOffer, type Invoice, isContactable } from './invoice';

/**
 * Early-payment incentive (issue #5, item 7): a stage before the due date may offer a discount
 * (`"offer": { "discountPercent": 5 }`). When that stage's message goes out the offer is recorded on the invoice:
 * paying the discounted amount before the end of the due date, in the debtor's zone, settles the invoice. After the
 * due date the whole balance is owed. Pure: money in integer minor units, time from arguments.
 */

/**
 * The discounted amount of `balanceMinor` at `discountPercent`: balance × (100 − percent) / 100, rounded half-up to
 * the minor unit (exact integer arithmetic), and the discount it leaves out (balance − pay).
 * @throws RangeError for a balance that is not a non-negative safe integer or a percentage outside (0, 50].
 */
export function discountedAmount(
  balanceMinor: number,
  discountPercent: number,
): { readonly payMinor: number; readonly discountMinor: number } {
  if (!Number.isSafeInteger(balanceMinor) || balanceMinor < 0) {
    throw new RangeError(`balance must be a non-negative whole number of minor units, got ${balanceMinor}`);
  }
  if (!isOfferPercent(discountPercent)) {
    throw new RangeError(
      `discountPercent must be more than 0 and at most ${MAX_DISCOUNT_PERCENT}, got ${discountPercent}`,
    );
  }
  const hundred = 100n * PERCENT_SCALE;
  const kept = hundred - percentUnits(discountPercent, 'discountPercent');
  const payMinor = Number(divideHalfUp(BigInt(balanceMinor) * kept, hundred));
  return { payMinor, discountMinor: balanceMinor - payMinor };
}

/** When an offer valid through `dueDate` ends: the start of the next day in the debtor's zone. */
export function offerDeadline(dueDate: string, timezone: string): Date {
  const day = startOfDate(dueDate, timezone);
  if (!day) throw new Error(`Invalid due date "${dueDate}" or time zone "${timezone}"`);
  return new Date(atTimeOfDay(plusDays(day, 1), 0).ms);
}

/**
 * The offer `stage` makes to `invoice` at `now` — what the send step records once the stage's message went out (and
 * what a message may state) — or undefined: the stage offers nothing, the invoice cannot be contacted or owes
 * nothing, or the due date has already ended in the debtor's zone (a stage deferred past it offers nothing).
 */
export function earlyPaymentOffer(
  stage: Pick<Stage, 'id' | 'offsetDays' | 'offer'>,
  invoice: Pick<Invoice, 'status' | 'balanceMinor' | 'dueDate'>,
  timezone: string,
  now: Date,
): EarlyPaymentOffer | undefined {
  if (!stage.offer || stage.offsetDays >= 0) return undefined;
  if (!isContactable(invoice.status) || invoice.balanceMinor <= 0) return undefined;
  const validUntil = offerDeadline(invoice.dueDate, timezone);
  if (now.getTime() >= validUntil.getTime()) return undefined;
  const { payMinor, discountMinor } = discountedAmount(invoice.balanceMinor, stage.offer.discountPercent);
  if (discountMinor <= 0) return undefined;
  return {
    stageId: stage.id,
    discountPercent: stage.offer.discountPercent,
    balanceMinor: invoice.balanceMinor,
    discountMinor,
    payMinor,
    offeredAt: now.toISOString(),
    payBy: invoice.dueDate,
    validUntil: validUntil.toISOString(),
  };
}

/**
 * The discount a payment of `amountMinor` made at `paidAt` (ISO instant) earns under `offer`: what is left of the
 * balance when the payment is at least the balance less the offered discount (what was paid since the offer counts
 * towards it) and it was made before the offer ended. Undefined when it earns none: no offer, too late, too little,
 * or enough to pay the whole balance anyway.
 */
export function earnedDiscount(
  offer: EarlyPaymentOffer | undefined,
  balanceMinor: number,
  amountMinor: number,
  paidAt: string,
): number | undefined {
  if (!offer || amountMinor >= balanceMinor) return undefined;
  if (Date.parse(paidAt) >= Date.parse(offer.validUntil)) return undefined;
  const discountMinor = balanceMinor - amountMinor;
  return discountMinor <= offer.discountMinor ? discountMinor : undefined;
}

/** What settles the invoice now under its offer (balance less the discount), or undefined when no offer stands. */
export function amountToSettleEarly(
  invoice: Pick<Invoice, 'balanceMinor' | 'earlyPayment'>,
  now: Date,
): number | undefined {
  const offer = invoice.earlyPayment;
  if (!offer || invoice.balanceMinor <= 0 || now.getTime() >= Date.parse(offer.validUntil)) return undefined;
  return Math.max(0, invoice.balanceMinor - offer.discountMinor);
}
