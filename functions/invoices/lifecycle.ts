import { atTimeOfDay, plusDays, startOfDate } from '../calendar/zoned-time';
import { ApiError } from '../contracts/errors';
import type { FieldIssue } from '../values/field-issue';
import { earnedDiscount } from './early-payment';
import type { Instalment, Invoice, InvoiceHold, InvoiceStatus } from './invoice';

/**
 * The invoice lifecycle as pure decisions: given the stored invoice and what happened (an operator's action, a
 * payment, a promise's deadline), what the invoice becomes, which audit events record it and what a waiting workflow
 * step must be told. No I/O: the services read the invoice, call {@link decide}, write the change with optimistic
 * locking (one conditional write of the invoice item) and retry on a concurrent change.
 *
 *   OPEN / ESCALATED ── pause ──► PAUSED ── resume ──► back (OPEN / ESCALATED)
 *   OPEN / ESCALATED ── promise ─► PAUSED (promise) ── paid the promised amount / deadline passed ──► back
 *   OPEN / ESCALATED / PAUSED ── dispute ──► DISPUTED ── resolve ──► back
 *   OPEN / ESCALATED / PAUSED / DISPUTED ── write-off ──► WRITTEN_OFF (the walk ends)
 *   OPEN / ESCALATED / PAUSED ── renegotiate ──► RENEGOTIATED (the walk ends; each instalment is an invoice of its own)
 *   any of those ── payment of the whole balance ──► PAID (the walk ends); a PAID invoice takes more as credit
 *   any of those ── the discounted amount before an early-payment offer ends ──► PAID, the discount recorded
 */

/** What an operator, a payment or the workflow asks of an invoice. `by`: who (the IAM caller), when known. */
export type InvoiceCommand =
  | { readonly type: 'pause'; readonly reason: string; readonly by?: string }
  | { readonly type: 'resume'; readonly reason: string; readonly by?: string }
  | { readonly type: 'dispute'; readonly reason: string; readonly by?: string }
  | { readonly type: 'resolve'; readonly reason: string; readonly by?: string }
  | { readonly type: 'promise'; readonly date: string; readonly amountMinor?: number; readonly by?: string }
  | { readonly type: 'write-off'; readonly reason: string; readonly by?: string }
  | {
      readonly type: 'escalate';
      readonly reason: string;
      readonly to: string;
      readonly by?: string;
      /** The operators' topic message id of the escalation notice, recorded in the event. */
      readonly notificationId?: string;
    }
  | {
      readonly type: 'payment';
      /** The whole balance when omitted. */
      readonly amountMinor?: number;
      /** Makes the payment idempotent: a second payment with the same reference is a duplicate. */
      readonly reference?: string;
      /** When the money was paid, as the payer says (the audit event is at the moment it is recorded). */
      readonly paidAt?: string;
    }
  /** The workflow: the promise's date plus the rule's grace days passed. */
  | { readonly type: 'promise-deadline' }
  /**
   * An operator recorded a renegotiation agreement: the instalments replace the invoice (see `domain/agreement.ts`,
   * which checks them). `due` is what they were checked against: the balance they replace and the late fees to date.
   */
  | {
      readonly type: 'renegotiate';
      readonly instalments: readonly Instalment[];
      readonly due: {
        readonly balanceMinor: number;
        readonly fineMinor: number;
        readonly interestMinor: number;
        readonly daysLate: number;
      };
      readonly by?: string;
    };

export type InvoiceCommandType = InvoiceCommand['type'];

/** Audit events of the lifecycle (besides `registered`, `execution-started`, `failed`, `completed`). */
export const LIFECYCLE_EVENT_TYPES = [
  'paused',
  'resumed',
  'disputed',
  'resolved',
  'promised',
  'promise-kept',
  'promise-broken',
  'paid',
  'partially-paid',
  'overpaid',
  'written-off',
  'escalated',
  /** Replaced by instalments (a renegotiation agreement). */
  'renegotiated',
  /** A stage before the due date offered a discount for paying by then (recorded by the send step). */
  'early-payment-offered',
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

export interface LifecycleEvent {
  readonly type: LifecycleEventType;
  readonly detail: Readonly<Record<string, string | number | boolean>>;
}

/** The fields of the invoice item a decision writes (everything else stays as it is). */
export interface InvoiceChange {
  readonly status: InvoiceStatus;
  readonly balanceMinor?: number;
  readonly creditMinor?: number;
  /** The new hold; `null` removes it. Undefined leaves it as it is. */
  readonly hold?: InvoiceHold | null;
  readonly paymentRefs?: readonly string[];
  readonly paidAt?: string;
  /** RENEGOTIATED: the instalments that replace the invoice. */
  readonly instalments?: readonly Instalment[];
}

export interface Decision {
  readonly kind: 'change';
  readonly change: InvoiceChange;
  readonly events: readonly LifecycleEvent[];
  /**
   * What the waiting workflow step is told (SendTaskSuccess): `paid` ends the walk in `Invoice paid`, `changed`
   * makes it plan again from the invoice as it now is. Undefined: the walk need not hear about it.
   */
  readonly interrupt?: 'paid' | 'changed';
}

/** The command changes nothing: a payment already applied (same reference), a deadline that no longer applies. */
export interface NoChange {
  readonly kind: 'no-change';
  readonly why: 'duplicate-payment' | 'not-applicable' | 'duplicate-agreement';
}

/** The invoice's status does not allow the command (HTTP 409). */
export class InvalidTransition extends ApiError {
  override readonly name = 'InvalidTransition';
  readonly statusCode = 409;
  /** The API error code: `InvoiceNotOpen` for payments (as before), `InvalidTransition` for the rest. */
  readonly code: 'InvalidTransition' | 'InvoiceNotOpen';
  constructor(
    readonly invoiceId: string,
    readonly status: InvoiceStatus,
    readonly command: InvoiceCommandType,
    why: string,
  ) {
    super(`Invoice ${invoiceId} is ${status}: cannot ${describeCommand(command)} (${why})`);
    this.code = command === 'payment' ? 'InvoiceNotOpen' : 'InvalidTransition';
  }
  override get details(): readonly FieldIssue[] {
    return [{ path: '(status)', issue: `is ${this.status}` }];
  }
}

function describeCommand(type: InvoiceCommandType): string {
  switch (type) {
    case 'promise':
      return 'record a promise to pay';
    case 'payment':
      return 'record a payment';
    case 'promise-deadline':
      return 'end a promise';
    case 'write-off':
      return 'write it off';
    case 'renegotiate':
      return 'renegotiate it';
    default:
      return `${type} it`;
  }
}

/** Statuses the walk is still running in (it waits for a stage, or on hold). */
const ACTIVE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED', 'PAUSED', 'DISPUTED'];
const CONTACTABLE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED'];
/** Statuses an agreement may replace: a disputed debt is resolved first (the debtor contests it). */
export const RENEGOTIABLE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED', 'PAUSED'];

/**
 * What `command` does to `invoice` at `at` (ISO instant).
 * @throws InvalidTransition when the invoice's status does not allow it.
 */
export function decide(invoice: Invoice, command: InvoiceCommand, at: string): Decision | NoChange {
  const { status } = invoice;
  const refuse = (why: string): never => {
    throw new InvalidTransition(invoice.invoiceId, status, command.type, why);
  };
  const needs = (allowed: readonly InvoiceStatus[]) => {
    if (!allowed.includes(status)) refuse(`${command.type} needs ${allowed.join(', ')}`);
  };
  const by: { by?: string } & Record<string, string> = 'by' in command && command.by ? { by: command.by } : {};
  const resumeTo = resumeStatusOf(invoice);

  switch (command.type) {
    case 'pause':
      needs(CONTACTABLE);
      return change(
        { status: 'PAUSED', hold: { kind: 'pause', reason: command.reason, since: at, resumeTo, ...by } },
        [{ type: 'paused', detail: { reason: command.reason, ...by } }],
        'changed',
      );

    case 'resume':
      if (status !== 'PAUSED') refuse(status === 'DISPUTED' ? 'a dispute ends with resolve' : 'resume needs PAUSED');
      return change(
        { status: resumeTo, hold: null },
        [
          {
            type: 'resumed',
            detail: {
              reason: command.reason,
              ...by,
              ...(invoice.hold?.kind === 'promise' ? { cancelledPromise: invoice.hold.promise?.date ?? '' } : {}),
            },
          },
        ],
        'changed',
      );

    case 'dispute':
      needs(['OPEN', 'ESCALATED', 'PAUSED']);
      return change(
        { status: 'DISPUTED', hold: { kind: 'dispute', reason: command.reason, since: at, resumeTo, ...by } },
        [{ type: 'disputed', detail: { reason: command.reason, ...by } }],
        'changed',
      );

    case 'resolve':
      needs(['DISPUTED']);
      return change(
        { status: resumeTo, hold: null },
        [{ type: 'resolved', detail: { reason: command.reason, ...by } }],
        'changed',
      );

    case 'promise': {
      const pendingPromise = status === 'PAUSED' && invoice.hold?.kind === 'promise';
      if (!CONTACTABLE.includes(status) && !pendingPromise) {
        refuse('a promise needs OPEN or ESCALATED (or PAUSED by an earlier promise, which it replaces)');
      }
      const amountMinor = command.amountMinor ?? invoice.balanceMinor;
      return change(
        {
          status: 'PAUSED',
          hold: {
            kind: 'promise',
            reason: 'promise to pay',
            since: at,
            resumeTo,
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

    case 'write-off':
      needs(ACTIVE);
      return change(
        { status: 'WRITTEN_OFF', hold: null },
        [{ type: 'written-off', detail: { reason: command.reason, balanceMinor: invoice.balanceMinor, ...by } }],
        'changed',
      );

    case 'escalate':
      needs(CONTACTABLE);
      return change(
        { status: 'ESCALATED' },
        [
          {
            type: 'escalated',
            detail: {
              reason: command.reason,
              to: command.to,
              manual: true,
              ...by,
              ...(command.notificationId ? { notificationId: command.notificationId } : {}),
            },
          },
        ],
        undefined,
      );

    case 'payment':
      return decidePayment(invoice, command, at, refuse);

    case 'renegotiate':
      return decideRenegotiation(invoice, command, refuse);

    case 'promise-deadline': {
      const promise = status === 'PAUSED' && invoice.hold?.kind === 'promise' ? invoice.hold.promise : undefined;
      if (!promise) return { kind: 'no-change', why: 'not-applicable' };
      return change(
        { status: resumeTo, hold: null },
        [
          {
            type: 'promise-broken',
            detail: { date: promise.date, amountMinor: promise.amountMinor, paidMinor: promise.paidMinor },
          },
        ],
        undefined,
      );
    }
  }
}

/**
 * A payment lowers the balance, never below 0: whatever is paid beyond it is kept as credit (`creditMinor`) for an
 * operator to refund or apply, and recorded in the event (`excessMinor`). A payment reaching 0 makes the invoice PAID
 * and ends the walk. While a promise to pay is pending, payments count towards it: once they reach the promised
 * amount the promise is kept and dunning goes on for what is left (if anything). Paused and disputed invoices take
 * payments too (the money arrived); a PAID invoice takes an explicit amount as credit. A reference already applied
 * makes the payment a duplicate.
 */
function decidePayment(
  invoice: Invoice,
  command: Extract<InvoiceCommand, { type: 'payment' }>,
  at: string,
  refuse: (why: string) => never,
): Decision | NoChange {
  const { status } = invoice;
  if (!ACTIVE.includes(status) && status !== 'PAID') refuse(`a ${status} invoice takes no payments`);
  if (command.reference !== undefined && invoice.paymentRefs?.includes(command.reference)) {
    return { kind: 'no-change', why: 'duplicate-payment' };
  }
  const balance = Math.max(0, invoice.balanceMinor);
  if (command.amountMinor === undefined && balance === 0) refuse('nothing is owed: give the amount to record it');
  const amountMinor = command.amountMinor ?? balance;
  // An early-payment offer: paid in time (the payer's instant, unless it is after the recording one), the discounted
  // amount settles the invoice and the rest is forgiven.
  const paidInstant = command.paidAt !== undefined && command.paidAt < at ? command.paidAt : at;
  const discountMinor =
    status === 'PAID' ? undefined : earnedDiscount(invoice.earlyPayment, balance, amountMinor, paidInstant);
  const applied = Math.min(amountMinor, balance);
  const excessMinor = amountMinor - applied;
  const balanceMinor = balance - applied - (discountMinor ?? 0);
  const creditMinor = (invoice.creditMinor ?? 0) + excessMinor;
  const paymentRefs =
    command.reference === undefined ? undefined : [...(invoice.paymentRefs ?? []), command.reference].slice(-200);
  const money = {
    amountMinor,
    balanceMinor,
    ...(excessMinor > 0 ? { excessMinor, creditMinor } : {}),
    ...(discountMinor !== undefined
      ? { discountMinor, discountPercent: invoice.earlyPayment?.discountPercent ?? 0 }
      : {}),
    ...(command.reference !== undefined ? { reference: command.reference } : {}),
    ...(command.paidAt !== undefined ? { paidAt: command.paidAt } : {}),
  };
  const base = {
    balanceMinor,
    ...(excessMinor > 0 ? { creditMinor } : {}),
    ...(paymentRefs ? { paymentRefs } : {}),
  };

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
  const paidMinor = promise.paidMinor + applied;
  if (paidMinor < promise.amountMinor) {
    return change(
      { status, ...base, hold: { ...invoice.hold, promise: { ...promise, paidMinor } } },
      events,
      undefined,
    );
  }
  events.push({ type: 'promise-kept', detail: { date: promise.date, resumed: true } });
  return change({ status: invoice.hold.resumeTo, ...base, hold: null }, events, 'changed');
}

/**
 * A renegotiation replaces the invoice by its instalments: RENEGOTIATED, the hold (if any) ended, the walk told to stop.
 * The balance stays as it was (what the agreement replaced, as a write-off keeps what was written off). The same
 * instalments again are a duplicate; other ones, on a renegotiated invoice, a conflict. The agreement must have been
 * checked against the balance the invoice still has: a payment in between refuses it (check and send it again).
 */
function decideRenegotiation(
  invoice: Invoice,
  command: Extract<InvoiceCommand, { type: 'renegotiate' }>,
  refuse: (why: string) => never,
): Decision | NoChange {
  if (invoice.status === 'RENEGOTIATED') {
    if (sameInstalments(invoice.instalments ?? [], command.instalments)) {
      return { kind: 'no-change', why: 'duplicate-agreement' };
    }
    refuse(`it was renegotiated already, into ${(invoice.instalments ?? []).map((i) => i.invoiceId).join(', ')}`);
  }
  const refusal = renegotiationRefusal(invoice.status);
  if (refusal) refuse(refusal);
  if (invoice.balanceMinor !== command.due.balanceMinor) {
    refuse('the balance changed while the agreement was being recorded (a payment?): check it and send it again');
  }
  const { balanceMinor, fineMinor, interestMinor, daysLate } = command.due;
  const totalMinor = command.instalments.reduce((sum, i) => sum + i.amountMinor, 0);
  return change(
    { status: 'RENEGOTIATED', hold: null, instalments: command.instalments },
    [
      {
        type: 'renegotiated',
        detail: {
          instalments: command.instalments.length,
          instalmentIds: command.instalments.map((i) => i.invoiceId).join(','),
          balanceMinor,
          fineMinor,
          interestMinor,
          daysLate,
          totalMinor,
          ...(command.by ? { by: command.by } : {}),
        },
      },
    ],
    'changed',
  );
}

/** Why an invoice of `status` cannot be renegotiated, or undefined when it can (a renegotiated one: see decide). */
export function renegotiationRefusal(status: InvoiceStatus): string | undefined {
  if (RENEGOTIABLE.includes(status)) return undefined;
  return status === 'DISPUTED' ? 'resolve the dispute first' : `renegotiate needs ${RENEGOTIABLE.join(', ')}`;
}

/** The same agreement: the same instalments (ids, due dates, amounts, payment links) in the same order. */
export function sameInstalments(a: readonly Instalment[], b: readonly Instalment[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return (
        y !== undefined &&
        x.invoiceId === y.invoiceId &&
        x.dueDate === y.dueDate &&
        x.amountMinor === y.amountMinor &&
        (x.paymentUrl ?? '') === (y.paymentUrl ?? '')
      );
    })
  );
}

function change(
  invoiceChange: InvoiceChange,
  events: readonly LifecycleEvent[],
  interrupt: Decision['interrupt'],
): Decision {
  return { kind: 'change', change: invoiceChange, events, ...(interrupt ? { interrupt } : {}) };
}

/** Where dunning goes back to when the current hold ends (or, for a new hold, where it is now). */
function resumeStatusOf(invoice: Invoice): 'OPEN' | 'ESCALATED' {
  if (invoice.hold) return invoice.hold.resumeTo;
  return invoice.status === 'ESCALATED' ? 'ESCALATED' : 'OPEN';
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
