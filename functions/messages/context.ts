import type { Money } from '../values/money';
import type { SupportedLocale } from './locale';

/** Who is writing (the deployment's `COMPANY_*` settings, read in `functions/wiring/company.ts`). */
export interface CompanyIdentity {
  readonly legalName: string;
  readonly taxId: string;
  readonly supportContact?: string;
}

/** Everything a message says, as supplied by the company (all strings are untrusted data). */
export interface MessageContext {
  /** Every message names who is writing: legal name + tax id (e.g. `CNPJ 12.345.678/0001-90`). */
  readonly company: CompanyIdentity;
  readonly customer: { name: string };
  readonly invoice: {
    invoiceId: string;
    amount: Money;
    /** What is still owed: the figure every message shows. */
    balance: Money;
    /** YYYY-MM-DD, a calendar date (no time zone). */
    dueDate: string;
    /** Becomes a link only when it is an http(s) URL; anything else is shown as text. */
    paymentUrl?: string;
    description?: string;
  };
  /**
   * Late fees to date, only when the billing rule charges them: `overdue` and `final-notice` then show the updated
   * amount with its breakdown (other templates leave it out). Same currency as the balance, and
   * total = balance + fine + interest.
   */
  readonly lateFees?: { fine: Money; interest: Money; total: Money };
  /** Calendar days from the due date: negative before it (-3), 0 on the day, positive after (7). */
  readonly daysFromDue: number;
  /** Email: a link when there is an unsubscribe URL, else a "reply with …" instruction. SMS always says STOP. */
  readonly optOut: { unsubscribeUrl?: string };
  /**
   * Other open invoices of the customer this one message also stands for (a consolidated message): the email lists
   * each (id, balance, due date and how far from it, payment link) after the invoice's own details, with the total
   * owed across all of them (one total per currency when they differ); the SMS adds a short count and total.
   * Each with its own currency; ids distinct and not the invoice's own.
   */
  readonly others?: readonly OtherInvoice[];
  /**
   * The debtor's statement (`GET /statements/{token}`: every open invoice, with its payment link). The email shows it
   * next to the payment link; the SMS only while it stays within the length target. A link only when http(s).
   */
  readonly statementUrl?: string;
  /**
   * An early-payment offer this message makes (a rule stage's `offer`): paying `discounted` by `payBy` settles the
   * invoice. Only the pre-due templates (`reminder`, `due-today`) state one; any other template refuses it.
   */
  readonly offer?: MessageOffer;
}

/**
 * An early-payment discount as a message states it (from `earlyPaymentOffer`): in the balance currency,
 * `discounted` = balance × (100 − discountPercent) / 100 rounded half-up to the minor unit, less than the balance.
 */
export interface MessageOffer {
  /** More than 0 and at most 50, at most 4 decimals (the billing rule's limits). */
  readonly discountPercent: number;
  /** What settles the invoice when paid in time. */
  readonly discounted: Money;
  /**
   * YYYY-MM-DD: the last day the offer holds, inclusive, in the debtor's zone (the due date); not before the day the
   * message is sent (due date + daysFromDue) nor after the due date.
   */
  readonly payBy: string;
}

/** Another open invoice listed in a consolidated message. */
export interface OtherInvoice {
  readonly invoiceId: string;
  /** What is still owed on it. */
  readonly balance: Money;
  /** YYYY-MM-DD, a calendar date. */
  readonly dueDate: string;
  /** Calendar days from its due date (negative before it). */
  readonly daysFromDue: number;
  /** Becomes a link only when it is an http(s) URL. */
  readonly paymentUrl?: string;
  /** Its own early-payment offer (its stage's), stated in the email's list; checked like the invoice's own. */
  readonly offer?: MessageOffer;
}

export interface RenderedEmail {
  readonly locale: SupportedLocale;
  /** Neutral: names the invoice id, never the amount. */
  readonly subject: string;
  readonly html: string;
  /** Plain-text alternative with the same content as `html`. */
  readonly text: string;
}

export interface RenderedSms {
  readonly locale: SupportedLocale;
  readonly text: string;
}
