import type { Instalment, Invoice, InvoiceHold, InvoiceStatus } from '../invoice';

/**
 * What the lifecycle decides about (a command) and what it decides (a change of the invoice item with its audit
 * events, or no change), with the helpers every decision shares. The decisions themselves: `decide` in ../lifecycle.ts.
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
   * An operator recorded a renegotiation agreement: the instalments replace the invoice (see `../agreement.ts`,
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

/** One kind of command. */
export type CommandOf<T extends InvoiceCommandType> = Extract<InvoiceCommand, { readonly type: T }>;

/** Throws InvalidTransition for the invoice and command being decided, saying why. */
export type Refuse = (why: string) => never;

/** Statuses the walk is still running in (it waits for a stage, or on hold). */
export const ACTIVE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED', 'PAUSED', 'DISPUTED'];
export const CONTACTABLE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED'];

/** Refuses the command unless the invoice's status is one of `allowed`. */
export function requireStatus(
  invoice: Invoice,
  command: InvoiceCommandType,
  allowed: readonly InvoiceStatus[],
  refuse: Refuse,
): void {
  if (!allowed.includes(invoice.status)) refuse(`${command} needs ${allowed.join(', ')}`);
}

/** Who gave the command, for the hold and the event: `{ by }` when known, else nothing. */
export function byOf(command: InvoiceCommand): { by?: string } & Record<string, string> {
  return 'by' in command && command.by ? { by: command.by } : {};
}

export function change(
  invoiceChange: InvoiceChange,
  events: readonly LifecycleEvent[],
  interrupt: Decision['interrupt'],
): Decision {
  return { kind: 'change', change: invoiceChange, events, ...(interrupt ? { interrupt } : {}) };
}

/** Where dunning goes back to when the current hold ends (or, for a new hold, where it is now). */
export function resumeStatusOf(invoice: Invoice): 'OPEN' | 'ESCALATED' {
  if (invoice.hold) return invoice.hold.resumeTo;
  return invoice.status === 'ESCALATED' ? 'ESCALATED' : 'OPEN';
}
