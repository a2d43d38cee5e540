import { type CalendarDate, parseCalendarDate } from '../calendar/calendar-date';
import { formatAmount, formatMoney, totalsByCurrency } from '../values/money';
import type {
  LateFeeFacts,
  LocaleCatalog,
  MessageFacts,
  OfferFacts,
  OtherInvoiceFacts,
  TemplateWording,
} from './catalog';
import { CATALOGS } from './catalogs';
import type { MessageContext, MessageOffer } from './context';
import { linkableUrl } from './html';
import { resolveLocale } from './locale';
import { singleLine } from './plain-text';
import type { TemplateName } from './template-names';
import { InvalidMessageContext, messageContextIssues } from './validate';

/** A supplied URL: a link when it is http(s), otherwise text shown as is (never an href). */
export type UrlValue =
  | { readonly kind: 'link'; readonly url: string }
  | { readonly kind: 'text'; readonly text: string };

/** The templates sent after the due date: they show the late fees (and the updated amount) when there are any. */
export const LATE_FEE_TEMPLATES: readonly TemplateName[] = ['overdue', 'final-notice'];

/** Everything the email and SMS renderers need, decided once. */
export interface PreparedMessage {
  readonly catalog: LocaleCatalog;
  readonly wording: TemplateWording;
  readonly facts: MessageFacts;
  readonly payment?: UrlValue;
  readonly unsubscribe?: UrlValue;
  /** The debtor's statement. */
  readonly statement?: UrlValue;
  /** A consolidated message: the other invoices it lists, and what all of them add up to. */
  readonly others?: OtherInvoicesFacts;
}

/** The other invoices of a consolidated message, formatted. */
export interface OtherInvoicesFacts {
  readonly items: readonly (OtherInvoiceFacts & { readonly payment?: UrlValue })[];
  /** The balances of every invoice of the message (its own included), one total per currency: `R$ 60,00 + US$ 5.00`. */
  readonly total: string;
  /** How many invoices the message stands for, its own included. */
  readonly count: number;
}

/**
 * Validates the context, resolves the language and formats the facts (balance, due date, relative due phrase)
 * for it. Throws {@link InvalidMessageContext} listing every bad field.
 */
export function prepareMessage(
  template: TemplateName,
  locale: string | undefined,
  ctx: MessageContext,
): PreparedMessage {
  const issues = messageContextIssues(template, ctx);
  const dueDate = parseCalendarDate(ctx.invoice.dueDate);
  if (issues.length > 0 || dueDate === undefined) throw new InvalidMessageContext(issues);
  const catalog = CATALOGS[resolveLocale(locale)];
  const { invoice } = ctx;
  const balance = formatMoney(invoice.balance, catalog.locale);
  const amount = formatMoney(invoice.amount, catalog.locale);
  const description = optionalLine(invoice.description);
  const supportContact = optionalLine(ctx.company.supportContact);
  const lateFees: LateFeeFacts | undefined =
    ctx.lateFees && LATE_FEE_TEMPLATES.includes(template)
      ? {
          fine: formatMoney(ctx.lateFees.fine, catalog.locale),
          interest: formatMoney(ctx.lateFees.interest, catalog.locale),
          total: formatMoney(ctx.lateFees.total, catalog.locale),
          numbers: {
            balance: formatAmount(invoice.balance, catalog.locale),
            fine: formatAmount(ctx.lateFees.fine, catalog.locale),
            interest: formatAmount(ctx.lateFees.interest, catalog.locale),
          },
        }
      : undefined;
  const facts: MessageFacts = {
    customerName: singleLine(ctx.customer.name),
    companyName: singleLine(ctx.company.legalName),
    taxId: singleLine(ctx.company.taxId),
    invoiceId: singleLine(invoice.invoiceId),
    balance,
    ...(amount === balance ? {} : { originalAmount: amount }),
    ...(lateFees === undefined ? {} : { lateFees }),
    dueDate: catalog.formatDate(dueDate),
    whenDue: catalog.whenDue(ctx.daysFromDue),
    ...(description === undefined ? {} : { description }),
    ...(supportContact === undefined ? {} : { supportContact }),
    ...(ctx.offer === undefined ? {} : { offer: offerFacts(ctx.offer, catalog) }),
  };
  const payment = urlValue(invoice.paymentUrl);
  const unsubscribe = urlValue(ctx.optOut.unsubscribeUrl);
  const statement = urlValue(ctx.statementUrl);
  const others = ctx.others?.length ? otherInvoicesFacts(ctx, catalog) : undefined;
  return {
    catalog,
    wording: catalog.templates[template],
    facts,
    ...(payment === undefined ? {} : { payment }),
    ...(unsubscribe === undefined ? {} : { unsubscribe }),
    ...(statement === undefined ? {} : { statement }),
    ...(others === undefined ? {} : { others }),
  };
}

/** An offer as the debtor reads it (context validated): the discounted amount, the percentage, the last day. */
function offerFacts(offer: MessageOffer, catalog: LocaleCatalog): OfferFacts {
  return {
    discounted: formatMoney(offer.discounted, catalog.locale),
    percent: new Intl.NumberFormat(catalog.locale, { maximumFractionDigits: 4 }).format(offer.discountPercent),
    payBy: catalog.formatDate(parseCalendarDate(offer.payBy) as CalendarDate),
  };
}

/** Each other invoice as the debtor reads it (its own currency), and the total per currency. Context validated. */
function otherInvoicesFacts(ctx: MessageContext, catalog: LocaleCatalog): OtherInvoicesFacts {
  const others = ctx.others ?? [];
  const items = others.map((other) => {
    const payment = urlValue(other.paymentUrl);
    return {
      invoiceId: singleLine(other.invoiceId),
      balance: formatMoney(other.balance, catalog.locale),
      dueDate: catalog.formatDate(parseCalendarDate(other.dueDate) as CalendarDate),
      whenDue: catalog.whenDue(other.daysFromDue),
      ...(other.offer === undefined ? {} : { offer: offerFacts(other.offer, catalog) }),
      ...(payment === undefined ? {} : { payment }),
    };
  });
  const totals = totalsByCurrency([ctx.invoice.balance, ...others.map((o) => o.balance)]);
  return {
    items,
    total: totals.map((money) => formatMoney(money, catalog.locale)).join(' + '),
    count: others.length + 1,
  };
}

/** `Exemplo Cobranças Ltda — CNPJ 12.345.678/0001-90`: who is writing, in every email. */
export function senderIdentity(facts: MessageFacts): string {
  return `${facts.companyName} — ${facts.taxId}`;
}

function optionalLine(text: string | undefined): string | undefined {
  const line = singleLine(text ?? '');
  return line === '' ? undefined : line;
}

function urlValue(text: string | undefined): UrlValue | undefined {
  const line = optionalLine(text);
  if (line === undefined) return undefined;
  const url = linkableUrl(line);
  return url === undefined ? { kind: 'text', text: line } : { kind: 'link', url };
}
