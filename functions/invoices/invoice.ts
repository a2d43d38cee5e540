import type { InterruptOutput } from '../contracts/step-result';
import type { Money } from '../values/money';

/** Lifecycle of an invoice. Only OPEN (and ESCALATED) invoices may be contacted. */
export const INVOICE_STATUSES = [
  'OPEN',
  'PAID',
  'PAUSED',
  'DISPUTED',
  'RENEGOTIATED',
  'ESCALATED',
  'WRITTEN_OFF',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export function isContactable(status: InvoiceStatus): boolean {
  return status === 'OPEN' || status === 'ESCALATED';
}

/** Whether the invoice's walk should be under way: contactable, or on hold waiting to resume (PAUSED, DISPUTED). */
export function walkShouldRun(status: InvoiceStatus): boolean {
  return isContactable(status) || status === 'PAUSED' || status === 'DISPUTED';
}

/** A debtor as the dunning needs it. Contact fields are optional: a missing one skips that channel. */
export interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email?: string;
  /** E.164, e.g. +5511987654321 */
  readonly phone?: string;
  /** IANA time zone of the debtor; the rule's time zone applies when missing. */
  readonly timezone?: string;
  readonly locale?: string;
  /** ISO 3166-1 alpha-2 */
  readonly country?: string;
  readonly region?: string;
  /** Channels the debtor opted out of. */
  readonly optOuts?: readonly string[];
  /** The customer's segment (`vip`, `smb`…): rule files with segments choose the billing rule by it. */
  readonly segment?: string;
  /** A risk score from 0 to 1000, for the same purpose. */
  readonly riskScore?: number;
  /**
   * The contacts the frequency caps count (docs/formats.md: stages in which a message went out), across all of the
   * customer's invoices, oldest first, kept as long as a cap looks back. Written with `contactsVersion` as an
   * optimistic lock, so two invoices of one customer can never both take the last free slot.
   */
  readonly recentContacts?: readonly RecentContact[];
  /** Bumped by every change of `recentContacts` (absent = 0). */
  readonly contactsVersion?: number;
  /** Random secret of the customer's email unsubscribe link (set on first registration). */
  readonly unsubscribeToken?: string;
  /**
   * Random secret that signs the customer's statement links (`GET /statements/{token}`), made when the first link is
   * built. Not the unsubscribe secret: that one travels in clear inside the unsubscribe link, and whoever read it
   * could otherwise sign statement links of any expiry.
   */
  readonly statementSecret?: string;
}

/** One contact with a customer: the stage of an invoice in which at least one message went out. */
export interface RecentContact {
  /** ISO instant */
  readonly at: string;
  readonly invoiceId: string;
  readonly stageId: string;
  /**
   * Other invoices of the customer whose stage, due at the same time, this contact's message lists (one consolidated
   * message instead of several): each of those stages is done by it, and is part of this one contact.
   */
  readonly covers?: readonly InvoiceStage[];
}

/** A stage of one invoice's walk. */
export interface InvoiceStage {
  readonly invoiceId: string;
  readonly stageId: string;
}

/** The contact whose consolidated message covered `stage` of `invoiceId`, if one did. */
export function coveringContact(
  contacts: readonly RecentContact[],
  invoiceId: string,
  stageId: string,
): RecentContact | undefined {
  return contacts.find((c) => c.covers?.some((s) => s.invoiceId === invoiceId && s.stageId === stageId));
}

/** What a registration (API, S3 drop) carries, after validation. */
export interface InvoiceRegistration {
  readonly invoiceId: string;
  readonly customer: Customer;
  readonly amount: Money;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  /** ISO instant; defaults to the moment of registration. */
  readonly registeredAt?: string;
  readonly paymentUrl?: string;
  readonly description?: string;
  /** An instalment of a renegotiation: the id of the invoice it replaces (which lists it in `instalments`). */
  readonly agreementOf?: string;
}

/** The stored invoice (DynamoDB `INVOICE#<id>`). */
export interface Invoice extends InvoiceRegistration {
  readonly status: InvoiceStatus;
  /** Outstanding balance in minor units of amount.currency. */
  readonly balanceMinor: number;
  readonly ruleId: string;
  readonly currentStage?: string;
  readonly taskToken?: string;
  /**
   * What the parked `taskToken` is still to be told (`SendTaskSuccess`), written with the change that interrupts the
   * wait and removed once Step Functions took it (or the token was found stale): a resume that failed (throttled,
   * 5xx) is delivered again by the next change or by the reconciler, so the walk is never left parked.
   */
  readonly pendingResume?: InterruptOutput;
  readonly executionArn?: string;
  /**
   * Which execution of the invoice's walk `executionArn` is: absent for the first; 2, 3, … for a walk continued before
   * an execution's one-year limit or restarted by the reconciler (docs/architecture.md "Workflow").
   */
  readonly walk?: number;
  readonly lastError?: string;
  /** Why dunning is on hold (status PAUSED or DISPUTED); absent otherwise. */
  readonly hold?: InvoiceHold;
  /** Paid beyond the balance (overpayment), minor units: the balance never goes below 0. */
  readonly creditMinor?: number;
  /** References of the payments applied (a payment repeating one is a duplicate, not applied twice). */
  readonly paymentRefs?: readonly string[];
  /** ISO instant the balance reached 0. */
  readonly paidAt?: string;
  /** ISO instant the running wait ends (the stage's send time, or a promise's deadline); absent when none. */
  readonly waitUntil?: string;
  /** RENEGOTIATED: the instalments that replace this invoice, each an invoice of its own (`agreementOf` this one). */
  readonly instalments?: readonly Instalment[];
  /** The early-payment discount a pre-due stage offered (see `invoices/early-payment.ts`); the latest offer. */
  readonly earlyPayment?: EarlyPaymentOffer;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One instalment of a renegotiation agreement, as the original invoice records it. */
export interface Instalment {
  readonly invoiceId: string;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  readonly amountMinor: number;
  readonly paymentUrl?: string;
}

/**
 * A discount for paying early, offered by a stage before the due date: paying `payMinor` (or more), counting what is
 * paid from the offer on, before `validUntil` settles the invoice.
 */
export interface EarlyPaymentOffer {
  /** The stage whose message made the offer. */
  readonly stageId: string;
  readonly discountPercent: number;
  /** The balance the discount was computed on. */
  readonly balanceMinor: number;
  /** What is forgiven: balanceMinor − payMinor. */
  readonly discountMinor: number;
  /** The discounted amount: balanceMinor × (100 − discountPercent) / 100, rounded half-up to the minor unit. */
  readonly payMinor: number;
  /** ISO instant the offer was made. */
  readonly offeredAt: string;
  /** The due date (YYYY-MM-DD) the offer runs to, inclusive, in the debtor's zone. */
  readonly payBy: string;
  /** ISO instant the offer ends: the start of the day after the due date, in the debtor's zone. */
  readonly validUntil: string;
}

/** Kinds of hold: an operator's pause and a promise to pay keep the invoice PAUSED, a dispute keeps it DISPUTED. */
export const HOLD_KINDS = ['pause', 'promise', 'dispute'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

/** Why and since when dunning is on hold, and where it goes back to when the hold ends. */
export interface InvoiceHold {
  readonly kind: HoldKind;
  /** The operator's reason (free text). */
  readonly reason: string;
  /** ISO instant the hold began. */
  readonly since: string;
  /** The status dunning returns to when the hold ends (resume, resolve, a kept or broken promise). */
  readonly resumeTo: 'OPEN' | 'ESCALATED';
  /** Who put it on hold (the IAM caller, when known). */
  readonly by?: string;
  /** kind `promise`: what was promised. */
  readonly promise?: PromiseToPay;
}

/** A debtor's promise to pay `amountMinor` by `date` (the debtor's calendar date). */
export interface PromiseToPay {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly amountMinor: number;
  /** Paid since the promise was made: the promise is kept once this reaches `amountMinor`. */
  readonly paidMinor: number;
}

/** A registered invoice as it is first stored: OPEN, owing its whole amount, version 1. */
export function newInvoice(registration: InvoiceRegistration, ruleId: string, at: string): Invoice {
  return {
    ...registration,
    status: 'OPEN',
    balanceMinor: registration.amount.minor,
    ruleId,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}
