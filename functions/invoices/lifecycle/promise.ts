import { atTimeOfDay, plusDays, startOfDate } from '../../calendar/zoned-time';
import type { Invoice } from '../invoice';
import {
  byOf,
  CONTACTABLE,
  type CommandOf,
  change,
  type Decision,
  type NoChange,
  type Refuse,
  resumeStatusOf,
} from './decision';

/**
 * A promise to pay: the invoice is PAUSED until the promised date (plus the rule's grace days). Payments reaching the
 * promised amount keep it (./payment.ts); the deadline passing with less paid breaks it and dunning resumes.
 */

/** Records a promise (replacing a pending one). */
export function decidePromise(invoice: Invoice, command: CommandOf<'promise'>, at: string, refuse: Refuse): Decision {
  const { status } = invoice;
  const pendingPromise = status === 'PAUSED' && invoice.hold?.kind === 'promise';
  if (!CONTACTABLE.includes(status) && !pendingPromise) {
    refuse('a promise needs OPEN or ESCALATED (or PAUSED by an earlier promise, which it replaces)');
  }
  const by = byOf(command);
  const amountMinor = command.amountMinor ?? invoice.balanceMinor;
  return change(
    {
      status: 'PAUSED',
      hold: {
        kind: 'promise',
        reason: 'promise to pay',
        since: at,
        resumeTo: resumeStatusOf(invoice),
        ...by,
        promise: { date: command.date, amountMinor, paidMinor: 0 },
      },
    },
    [
      {
        type: 'promised',
        detail: {
          date: command.date,
          amountMinor,
          ...by,
          ...(pendingPromise ? { replaces: invoice.hold?.promise?.date ?? '' } : {}),
        },
      },
    ],
    'changed',
  );
}

/** The workflow says the promise's deadline passed: a promise still pending is broken (any other: no change). */
export function decidePromiseDeadline(invoice: Invoice): Decision | NoChange {
  const promise = invoice.status === 'PAUSED' && invoice.hold?.kind === 'promise' ? invoice.hold.promise : undefined;
  if (!promise) return { kind: 'no-change', why: 'not-applicable' };
  return change(
    { status: resumeStatusOf(invoice), hold: null },
    [
      {
        type: 'promise-broken',
        detail: { date: promise.date, amountMinor: promise.amountMinor, paidMinor: promise.paidMinor },
      },
    ],
    undefined,
  );
}

/**
 * When a promise to pay is broken: the start of the day after `date + graceDays`, in the debtor's time zone — the
 * debtor has the whole promised day and every grace day to pay.
 */
export function promiseDeadline(date: string, graceDays: number, timezone: string): Date {
  const day = startOfDate(date, timezone);
  if (!day) throw new Error(`Invalid promise date "${date}" or time zone "${timezone}"`);
  return new Date(atTimeOfDay(plusDays(day, graceDays + 1), 0).ms);
}
