import { localDaysBetween } from '../../calendar/local-date';
import { earlyPaymentOffer } from '../../invoices/early-payment';
import type { Customer, EarlyPaymentOffer, Invoice } from '../../invoices/invoice';
import type { CompanyIdentity, MessageContext, MessageOffer, OtherInvoice } from '../../messages';
import { OFFER_TEMPLATES, type TemplateName } from '../../messages/template-names';
import { log } from '../../platform/logger';
import type { BillingRule, Stage } from '../../rules/billing-rule';
import { lateFees, lateFeeTermsOf } from '../../rules/late-fee';
import { statementLinkFor } from '../../statements/statement-links';
import type { Companion } from '../consolidation';
import { unsubscribeLinkToken } from '../unsubscribe-token';
import type { SendDeps } from './send-deps';

/**
 * What the templates need for one stage's messages, made once per step: the parts every message shares, and the
 * parts an action adds right before its provider call (see {@link actionContext}).
 */
export interface StageMessages {
  /** What every message of the stage says (without the statement link, the offer and the listed invoices). */
  readonly context: MessageContext;
  /** The stage's early-payment offer, for the templates that state one. */
  readonly offer?: MessageOffer;
  /** The customer's statement link, made on the first call (the secret's one write the first time ever). */
  readonly statementLink: () => Promise<string | undefined>;
  /** How a listed invoice appears in the message (with its own stage's offer). */
  readonly otherInvoice: (companion: Companion) => OtherInvoice;
}

export interface StageMessagesInput {
  readonly invoice: Invoice;
  readonly customer: Customer;
  readonly rule: BillingRule;
  readonly stage: Stage;
  readonly timezone: string;
  readonly now: Date;
}

/** The stage's {@link StageMessages}. Pure but for the statement link, which is made (lazily) on its first call. */
export function stageMessages(input: StageMessagesInput, deps: SendDeps): StageMessages {
  const { invoice, customer, rule, stage, timezone, now } = input;
  const unsubscribeUrl = unsubscribeUrlOf(customer, deps.unsubscribeBaseUrl);
  const context = messageContext(invoice, customer, deps.company, timezone, now, rule, unsubscribeUrl);
  const otherInvoice = ({ invoice: other, stageId: otherStageId }: Companion): OtherInvoice => {
    const otherStage = rule.stages.find((s) => s.id === otherStageId);
    const offer = otherStage && earlyPaymentOffer(otherStage, other, timezone, now);
    return {
      invoiceId: other.invoiceId,
      balance: { minor: other.balanceMinor, currency: other.amount.currency },
      dueDate: other.dueDate,
      daysFromDue: localDaysBetween(other.dueDate, now, timezone),
      ...(other.paymentUrl ? { paymentUrl: other.paymentUrl } : {}),
      ...(offer ? { offer: messageOffer(offer, other.amount.currency) } : {}),
    };
  };
  const offer = earlyPaymentOffer(stage, invoice, timezone, now);
  return {
    context,
    ...(offer ? { offer: messageOffer(offer, invoice.amount.currency) } : {}),
    statementLink: once(() => statementLinkOf(customer, deps)),
    otherInvoice,
  };
}

/**
 * What one message says: the stage's shared context, the statement link, the offer (only for the templates that
 * state one) and the other invoices it lists (a consolidated message).
 */
export function actionContext(
  messages: StageMessages,
  template: TemplateName | undefined,
  statementUrl: string | undefined,
  listed: readonly Companion[],
): MessageContext {
  const offer = template && OFFER_TEMPLATES.includes(template) ? messages.offer : undefined;
  return {
    ...messages.context,
    ...(statementUrl ? { statementUrl } : {}),
    ...(offer ? { offer } : {}),
    ...(listed.length > 0 ? { others: listed.map((c) => messages.otherInvoice(c)) } : {}),
  };
}

/** The customer's one-click unsubscribe link, when the API's public URL is known and the customer has a secret. */
function unsubscribeUrlOf(customer: Customer, baseUrl: string | undefined): string | undefined {
  if (!baseUrl || !customer.unsubscribeToken) return undefined;
  const token = unsubscribeLinkToken(customer.customerId, customer.unsubscribeToken);
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe/${token}`;
}

/**
 * The customer's statement link for this step's messages, or undefined (no public base URL). A failure to make it
 * (the secret's first write) leaves the link out rather than holding the messages back: it is logged.
 */
async function statementLinkOf(customer: Customer, deps: SendDeps): Promise<string | undefined> {
  try {
    return await statementLinkFor(customer, deps.unsubscribeBaseUrl, deps);
  } catch (error) {
    log.warn('statement link left out of the messages', {
      customerId: customer.customerId,
      error: (error as Error).name,
    });
    return undefined;
  }
}

/** `make` called at most once; later calls get the first call's promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/** An offer as a message states it. */
function messageOffer(offer: EarlyPaymentOffer, currency: string): MessageOffer {
  return {
    discountPercent: offer.discountPercent,
    discounted: { minor: offer.payMinor, currency },
    payBy: offer.payBy,
  };
}

/**
 * What the messages say. With a rule that charges late fees, once the invoice is late (whole days in the debtor's
 * zone), the fees to date and the updated amount; the post-due templates show them.
 */
function messageContext(
  invoice: Invoice,
  customer: Customer,
  company: CompanyIdentity,
  timezone: string,
  now: Date,
  rule: BillingRule,
  unsubscribeUrl: string | undefined,
): MessageContext {
  const balance = { minor: invoice.balanceMinor, currency: invoice.amount.currency };
  const daysFromDue = localDaysBetween(invoice.dueDate, now, timezone);
  const terms = lateFeeTermsOf(rule);
  const fees = terms && daysFromDue > 0 ? lateFees(balance, daysFromDue, terms) : undefined;
  return {
    company,
    customer: { name: customer.name },
    invoice: {
      invoiceId: invoice.invoiceId,
      amount: invoice.amount,
      balance,
      dueDate: invoice.dueDate,
      ...(invoice.paymentUrl ? { paymentUrl: invoice.paymentUrl } : {}),
      ...(invoice.description ? { description: invoice.description } : {}),
    },
    daysFromDue,
    ...(fees ? { lateFees: { fine: fees.fine, interest: fees.interest, total: fees.total } } : {}),
    optOut: unsubscribeUrl ? { unsubscribeUrl } : {},
  };
}
