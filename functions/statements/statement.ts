import { localDaysBetween } from '../calendar/local-date';
import { localDate } from '../calendar/zoned-time';
import { amountToSettleEarly } from '../invoices/early-payment';
import type { Customer, Invoice, InvoiceStatus } from '../invoices/invoice';
import { linkableUrl } from '../messages/html';
import { resolveLocale, type SupportedLocale } from '../messages/locale';
import { lateFees } from '../rules/late-fee';
import type { RuleTerms } from '../rules/rule-terms';
import { debtorTimezone } from '../rules/schedule';
import type { Money } from '../values/money';

/**
 * A debtor's statement (issue #5, item 8): what the debtor owes now, invoice by invoice — balance, late fees to date
 * per the invoice's rule, what settles it early under a standing offer, where to pay — and the totals per currency.
 * Only the debtor's own open invoices; nothing internal (stages, tokens, operators' notes). Pure.
 */

/** Statuses a debtor still owes on (a renegotiated invoice is owed through its instalments, listed themselves). */
const OWED: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED', 'PAUSED', 'DISPUTED'];

export interface StatementInvoice {
  readonly invoiceId: string;
  readonly description?: string;
  /** `disputed` while the debtor's dispute is being looked at; `open` otherwise. */
  readonly state: 'open' | 'disputed';
  /** YYYY-MM-DD */
  readonly dueDate: string;
  /** Calendar days from the due date in the debtor's zone (negative before it). */
  readonly daysFromDue: number;
  readonly amount: Money;
  readonly balance: Money;
  /** Late fees to date (the invoice's rule), once it is late and the rule charges them. */
  readonly lateFees?: { readonly daysLate: number; readonly fine: Money; readonly interest: Money };
  /** balance + late fees to date. */
  readonly totalDue: Money;
  /** A standing early-payment offer: paying `pay` by `payBy` settles the invoice. */
  readonly earlyPayment?: {
    readonly pay: Money;
    readonly discount: Money;
    readonly discountPercent: number;
    readonly payBy: string;
    readonly validUntil: string;
  };
  /** Only an http(s) link. */
  readonly paymentUrl?: string;
  /** An instalment of a renegotiation: the invoice it replaced. */
  readonly agreementOf?: string;
}

export interface Statement {
  readonly customerName: string;
  readonly locale: SupportedLocale;
  /** The debtor's zone: what `today` and the days late are counted in. */
  readonly timezone: string;
  /** ISO instant the statement was made. */
  readonly asOf: string;
  /** The debtor's calendar date at `asOf`. */
  readonly today: string;
  /** ISO instant the link stops working. */
  readonly expiresAt: string;
  readonly invoices: readonly StatementInvoice[];
  /** Per currency, in the order they first appear: the balances and the totals due. */
  readonly totals: readonly { readonly currency: string; readonly balance: Money; readonly totalDue: Money }[];
}

/**
 * The statement of `customer` at `now` from the customer's invoices (any status; the open ones of this very customer
 * are kept), each with the terms of its own rule (`termsOf`).
 */
export function buildStatement(input: {
  readonly customer: Customer;
  readonly invoices: readonly Invoice[];
  readonly termsOf: (ruleId: string) => RuleTerms;
  /** The zone when the customer names no valid one: the default rule's. */
  readonly defaultTimezone: string;
  readonly now: Date;
  readonly expiresAtEpochSeconds: number;
}): Statement {
  const { customer, now } = input;
  const timezone = debtorTimezone({ timezone: input.defaultTimezone }, customer);
  const lines = input.invoices
    .filter((i) => i.customer.customerId === customer.customerId && OWED.includes(i.status) && i.balanceMinor > 0)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.invoiceId.localeCompare(b.invoiceId))
    .map((invoice) => statementLine(invoice, customer, input.termsOf(invoice.ruleId), now));
  const totals = new Map<string, { balance: number; totalDue: number }>();
  for (const line of lines) {
    const sum = totals.get(line.balance.currency) ?? { balance: 0, totalDue: 0 };
    sum.balance += line.balance.minor;
    sum.totalDue += line.totalDue.minor;
    totals.set(line.balance.currency, sum);
  }
  return {
    customerName: customer.name,
    locale: resolveLocale(customer.locale),
    timezone,
    asOf: now.toISOString(),
    today: localDate(now.getTime(), timezone) ?? '',
    expiresAt: new Date(input.expiresAtEpochSeconds * 1000).toISOString(),
    invoices: lines,
    totals: [...totals].map(([currency, sum]) => ({
      currency,
      balance: { minor: sum.balance, currency },
      totalDue: { minor: sum.totalDue, currency },
    })),
  };
}

function statementLine(invoice: Invoice, customer: Customer, terms: RuleTerms, now: Date): StatementInvoice {
  const currency = invoice.amount.currency;
  const money = (minor: number): Money => ({ minor, currency });
  const timezone = debtorTimezone(terms, customer);
  const daysFromDue = localDaysBetween(invoice.dueDate, now, timezone);
  const balance = money(invoice.balanceMinor);
  const fees = terms.lateFee && daysFromDue > 0 ? lateFees(balance, daysFromDue, terms.lateFee) : undefined;
  const settle = amountToSettleEarly(invoice, now);
  const offer = invoice.earlyPayment;
  const paymentUrl = invoice.paymentUrl ? linkableUrl(invoice.paymentUrl) : undefined;
  return {
    invoiceId: invoice.invoiceId,
    ...(invoice.description ? { description: invoice.description } : {}),
    state: invoice.status === 'DISPUTED' ? 'disputed' : 'open',
    dueDate: invoice.dueDate,
    daysFromDue,
    amount: invoice.amount,
    balance,
    ...(fees && fees.fine.minor + fees.interest.minor > 0
      ? { lateFees: { daysLate: fees.daysLate, fine: fees.fine, interest: fees.interest } }
      : {}),
    totalDue: fees ? fees.total : balance,
    ...(settle !== undefined && offer
      ? {
          earlyPayment: {
            pay: money(settle),
            discount: money(invoice.balanceMinor - settle),
            discountPercent: offer.discountPercent,
            payBy: offer.payBy,
            validUntil: offer.validUntil,
          },
        }
      : {}),
    ...(paymentUrl ? { paymentUrl } : {}),
    ...(invoice.agreementOf ? { agreementOf: invoice.agreementOf } : {}),
  };
}
