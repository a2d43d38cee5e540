import type { CalendarDate } from '../calendar/calendar-date';
import type { SupportedLocale } from './locale';
import type { TemplateName } from './template-names';

/**
 * What a message states, already formatted for the locale. Supplied strings are single-lined but NOT
 * HTML-escaped: catalogs produce plain text, and the HTML renderer escapes whole paragraphs.
 */
export interface MessageFacts {
  /** Empty when the customer has no usable name. */
  readonly customerName: string;
  readonly companyName: string;
  readonly taxId: string;
  readonly invoiceId: string;
  /** Outstanding balance, e.g. `R$ 1.234,50`. */
  readonly balance: string;
  /** The invoice's original amount, only when it differs from the balance (partly paid). */
  readonly originalAmount?: string;
  /** Late fees to date with the updated amount, e.g. `R$ 24,69`; only for the post-due templates of a rule that charges them. */
  readonly lateFees?: LateFeeFacts;
  /** Due date for people, e.g. `10/12/2026`, `December 10, 2026`. */
  readonly dueDate: string;
  /** Relative due phrase with its verb: `vence em 3 dias`, `is due today`, `venció hace 7 días`. */
  readonly whenDue: string;
  readonly description?: string;
  readonly supportContact?: string;
  /** An early-payment offer the message makes (pre-due templates only). */
  readonly offer?: OfferFacts;
}

/** An early-payment offer, formatted: `R$ 1.172,78`, `5` (or `2,5`), `10/12/2026`. */
export interface OfferFacts {
  /** What settles the invoice when paid by `payBy`. */
  readonly discounted: string;
  /** The percentage as a number for the language, without the `%` sign. */
  readonly percent: string;
  /** The last day the offer holds, for people (as {@link MessageFacts.dueDate}). */
  readonly payBy: string;
}

/** The late fees and the updated amount (balance + fine + interest), formatted. */
export interface LateFeeFacts {
  readonly fine: string;
  readonly interest: string;
  readonly total: string;
  /** The same parts as plain numbers without the currency (`1.234,50`), for the short SMS breakdown. */
  readonly numbers: { readonly balance: string; readonly fine: string; readonly interest: string };
}

/** Another open invoice a consolidated message lists, formatted (see {@link MessageFacts} for each field's shape). */
export interface OtherInvoiceFacts {
  readonly invoiceId: string;
  readonly balance: string;
  readonly dueDate: string;
  readonly whenDue: string;
  readonly offer?: OfferFacts;
}

/** The wording of one template in one language. */
export interface TemplateWording {
  /** Neutral subject: the invoice id and at most when it is due — never the amount or the word "debt". */
  subject(facts: MessageFacts): string;
  /** Email body paragraphs, between the greeting and the invoice details. */
  paragraphs(facts: MessageFacts): readonly string[];
  /** SMS sentence that follows `<company>: `. */
  sms(facts: MessageFacts): string;
}

/** All texts of one language. Plain text only: no markup (the renderers add it). */
export interface LocaleCatalog {
  readonly locale: SupportedLocale;
  formatDate(date: CalendarDate): string;
  /** `daysFromDue` → relative phrase with its verb (see {@link MessageFacts.whenDue}). */
  whenDue(daysFromDue: number): string;
  greeting(customerName: string): string;
  readonly templates: Readonly<Record<TemplateName, TemplateWording>>;
  readonly labels: {
    readonly invoice: string;
    readonly balance: string;
    readonly originalAmount: string;
    readonly dueDate: string;
    readonly description: string;
    readonly fine: string;
    readonly interest: string;
    readonly updatedAmount: string;
  };
  /** Email: the sentence stating the late fees and the updated amount. */
  lateFees(fees: LateFeeFacts): string;
  /** SMS: the breakdown that follows the updated amount, short: `(saldo 1.234,50 + multa 24,69 + juros 6,17)`. */
  smsLateFees(fees: LateFeeFacts): string;
  readonly payButton: string;
  /** Followed by the payment link or reference. */
  readonly payLead: string;
  readonly alreadyPaid: string;
  support(contact: string): string;
  readonly signOff: string;
  /** Followed by the unsubscribe link. */
  readonly optOutLead: string;
  /** Used when there is no unsubscribe link. */
  readonly optOutReply: string;
  /** SMS: followed by the payment link or reference. */
  readonly smsPayLead: string;
  readonly smsAlreadyPaid: string;
  readonly smsStop: string;
  /** Email: introduces the list of the `count` other open invoices of a consolidated message. */
  othersLead(count: number): string;
  /** Email: one line of that list (followed by `payLead` and the invoice's payment link, when it has one). */
  otherInvoice(facts: OtherInvoiceFacts): string;
  /** Email: label of the total owed across all `count` invoices of the message (the invoice's own included). */
  totalLabel(count: number): string;
  /** SMS: the other invoices, `+2 outras faturas, total R$ 60,00.`; without `total` only the count (to stay short). */
  smsOthers(count: number, total?: string): string;
  /** Email: the sentence stating an early-payment offer (the discounted amount, the percentage, the last day). */
  offer(offer: OfferFacts): string;
  /** SMS, and an other invoice's line in a consolidated email: the offer, short. */
  shortOffer(offer: OfferFacts): string;
  /** Email: followed by the link to the debtor's statement (all open invoices, pay online). */
  readonly statementLead: string;
  /** SMS: followed by the link to the debtor's statement. */
  readonly smsStatementLead: string;
}
