import { earnedDiscount } from '../early-payment';
import type { Invoice, InvoiceHold, PromiseToPay } from '../invoice';
import {
  ACTIVE,
  type CommandOf,
  change,
  type Decision,
  type InvoiceChange,
  type LifecycleEvent,
  type NoChange,
  type Refuse,
} from './decision';

/**
 * The payment decision. A payment lowers the balance, never below 0: whatever is paid beyond it is kept as credit
 * (`creditMinor`) for an operator to refund or apply, and recorded in the event (`excessMinor`). A payment reaching 0
 * makes the invoice PAID and ends the walk. While a promise to pay is pending, payments count towards it: once they
 * reach the promised amount the promise is kept and dunning goes on for what is left (if anything). Paused and
 * disputed invoices take payments too (the money arrived); a PAID invoice takes an explicit amount as credit. A
 * reference already applied makes the payment a duplicate.
 */
export function decidePayment(
  invoice: Invoice,
  command: CommandOf<'payment'>,
  at: string,
  refuse: Refuse,
): Decision | NoChange {
  const { status } = invoice;
  if (!ACTIVE.includes(status) && status !== 'PAID') refuse(`a ${status} invoice takes no payments`);
  if (command.reference !== undefined && invoice.paymentRefs?.includes(command.reference)) {
    return { kind: 'no-change', why: 'duplicate-payment' };
  }
  const balance = Math.max(0, invoice.balanceMinor);
  if (command.amountMinor === undefined && balance === 0) refuse('nothing is owed: give the amount to record it');
  const payment = applyPayment(invoice, command, at, balance);
  const money = paymentDetail(invoice, command, payment);
  const { balanceMinor } = payment;
  const base = paymentChange(invoice, command, payment);

  if (status === 'PAID') {
    return change({ status, ...base }, [{ type: 'overpaid', detail: money }], undefined);
  }
  const promise = invoice.hold?.kind === 'promise' ? invoice.hold.promise : undefined;
  if (balanceMinor === 0) {
    const events: LifecycleEvent[] = [{ type: 'paid', detail: money }];
    if (promise) events.push({ type: 'promise-kept', detail: { date: promise.date, resumed: false } });
    return change({ status: 'PAID', ...base, hold: null, paidAt: command.paidAt ?? at }, events, 'paid');
  }
  const events: LifecycleEvent[] = [{ type: 'partially-paid', detail: money }];
  if (status !== 'PAUSED' || !promise || !invoice.hold) return change({ status, ...base }, events, undefined);
  return towardsPromise(invoice.hold, promise, payment.applied, { status, ...base }, events);
}

/** What a payment does to the money: how much of it applies, is forgiven (an early-payment offer) or is left over. */
interface AppliedPayment {
  readonly amountMinor: number;
  /** The early-payment discount the payment earned, if any. */
  readonly discountMinor: number | undefined;
  /** What lowers the balance. */
  readonly applied: number;
  /** What is paid beyond the balance (kept as credit). */
  readonly excessMinor: number;
  readonly balanceMinor: number;
  readonly creditMinor: number;
}

function applyPayment(invoice: Invoice, command: CommandOf<'payment'>, at: string, balance: number): AppliedPayment {
  const amountMinor = command.amountMinor ?? balance;
  // An early-payment offer: paid in time (the payer's instant, unless it is after the recording one), the discounted
  // amount settles the invoice and the rest is forgiven.
  const paidInstant = command.paidAt !== undefined && command.paidAt < at ? command.paidAt : at;
  const discountMinor =
    invoice.status === 'PAID' ? undefined : earnedDiscount(invoice.earlyPayment, balance, amountMinor, paidInstant);
  const applied = Math.min(amountMinor, balance);
  const excessMinor = amountMinor - applied;
  const balanceMinor = balance - applied - (discountMinor ?? 0);
  const creditMinor = (invoice.creditMinor ?? 0) + excessMinor;
  return { amountMinor, discountMinor, applied, excessMinor, balanceMinor, creditMinor };
}

/** The detail of the payment's event (`paid`, `partially-paid`, `overpaid`). */
function paymentDetail(
  invoice: Invoice,
  command: CommandOf<'payment'>,
  { amountMinor, balanceMinor, excessMinor, creditMinor, discountMinor }: AppliedPayment,
): LifecycleEvent['detail'] {
  return {
    amountMinor,
    balanceMinor,
    ...(excessMinor > 0 ? { excessMinor, creditMinor } : {}),
    ...(discountMinor !== undefined
      ? { discountMinor, discountPercent: invoice.earlyPayment?.discountPercent ?? 0 }
      : {}),
    ...(command.reference !== undefined ? { reference: command.reference } : {}),
    ...(command.paidAt !== undefined ? { paidAt: command.paidAt } : {}),
  };
}

/** The fields every payment writes: the balance, the credit when it grew, the references applied (the last 200). */
function paymentChange(
  invoice: Invoice,
  command: CommandOf<'payment'>,
  { balanceMinor, excessMinor, creditMinor }: AppliedPayment,
): Omit<InvoiceChange, 'status'> {
  const paymentRefs =
    command.reference === undefined ? undefined : [...(invoice.paymentRefs ?? []), command.reference].slice(-200);
  return {
    balanceMinor,
    ...(excessMinor > 0 ? { creditMinor } : {}),
    ...(paymentRefs ? { paymentRefs } : {}),
  };
}

/** A part payment while a promise is pending: it counts towards the promise, which is kept once paid in full. */
function towardsPromise(
  hold: InvoiceHold,
  promise: PromiseToPay,
  applied: number,
  partial: InvoiceChange,
  events: LifecycleEvent[],
): Decision {
  const paidMinor = promise.paidMinor + applied;
  if (paidMinor < promise.amountMinor) {
    return change({ ...partial, hold: { ...hold, promise: { ...promise, paidMinor } } }, events, undefined);
  }
  events.push({ type: 'promise-kept', detail: { date: promise.date, resumed: true } });
  return change({ ...partial, status: hold.resumeTo, hold: null }, events, 'changed');
}
