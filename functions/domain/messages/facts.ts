import { formatAmount, formatMoney } from '../money';
import type { TemplateName } from '../template-names';
import { parseCalendarDate } from './calendar-date';
import type { LateFeeFacts, LocaleCatalog, MessageFacts, TemplateWording } from './catalog';
import { CATALOGS } from './catalogs';
import type { MessageContext } from './context';
import { linkableUrl } from './html';
import { resolveLocale } from './locale';
import { singleLine } from './plain-text';
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
  };
  const payment = urlValue(invoice.paymentUrl);
  const unsubscribe = urlValue(ctx.optOut.unsubscribeUrl);
  return {
    catalog,
    wording: catalog.templates[template],
    facts,
    ...(payment === undefined ? {} : { payment }),
    ...(unsubscribe === undefined ? {} : { unsubscribe }),
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
