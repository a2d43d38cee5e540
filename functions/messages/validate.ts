import { dayNumber, parseCalendarDate } from '../calendar/calendar-date';
import { discountedAmount } from '../invoices/early-payment';
import type { FieldIssue } from '../values/field-issue';
import { isKnownCurrency, type Money, totalsByCurrency } from '../values/money';
import { isOfferPercent, MAX_DISCOUNT_PERCENT } from '../values/percent';
import type { MessageContext, MessageOffer } from './context';
import { isTemplateName, OFFER_TEMPLATES, TEMPLATE_NAMES } from './template-names';

/** A message cannot be rendered from this context; `issues` names each bad field and why. */
export class InvalidMessageContext extends Error {
  override readonly name = 'InvalidMessageContext';

  constructor(readonly issues: readonly FieldIssue[]) {
    super(`Cannot render message: ${issues.map((i) => `${i.path} ${i.issue}`).join('; ')}`);
  }
}

/** Every problem that would make a message wrong or unrenderable (empty list when the context is fine). */
export function messageContextIssues(template: string, ctx: MessageContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const requireText = (path: string, value: string) => requireNonBlank(path, value, issues);
  if (!isTemplateName(template)) {
    issues.push({ path: 'template', issue: `must be one of ${TEMPLATE_NAMES.join(', ')}, got "${template}"` });
  }
  requireText('company.legalName', ctx.company.legalName);
  requireText('company.taxId', ctx.company.taxId);
  requireText('invoice.invoiceId', ctx.invoice.invoiceId);
  moneyIssues('invoice.amount', ctx.invoice.amount, issues);
  moneyIssues('invoice.balance', ctx.invoice.balance, issues);
  if (parseCalendarDate(ctx.invoice.dueDate) === undefined) {
    issues.push({ path: 'invoice.dueDate', issue: `must be a calendar date YYYY-MM-DD, got "${ctx.invoice.dueDate}"` });
  }
  if (ctx.lateFees) lateFeeIssues(ctx.lateFees, ctx.invoice.balance, issues);
  if (!Number.isSafeInteger(ctx.daysFromDue)) {
    issues.push({ path: 'daysFromDue', issue: `must be a whole number of days, got ${ctx.daysFromDue}` });
  }
  if (ctx.others) otherInvoiceIssues(ctx.others, ctx.invoice, issues);
  if (ctx.offer) {
    if (!(OFFER_TEMPLATES as readonly string[]).includes(template)) {
      issues.push({
        path: 'offer',
        issue: `only the templates sent before the due date (${OFFER_TEMPLATES.join(', ')}) state an offer, got "${template}"`,
      });
    }
    offerIssues('offer', ctx.offer, { ...ctx.invoice, daysFromDue: ctx.daysFromDue }, issues);
  }
  return issues;
}

/**
 * An early-payment offer the message can state truthfully: a percentage the rule allows; the discounted amount in the
 * balance currency, less than the balance and exactly the balance less the discount (half-up); a real last day, from
 * the day the message is sent (due date + days from it) to the due date. Skips what the invoice's own issues make
 * uncheckable (a bad balance or due date).
 */
function offerIssues(
  path: string,
  offer: MessageOffer,
  invoice: { readonly balance: Money; readonly dueDate: string; readonly daysFromDue: number },
  issues: FieldIssue[],
): void {
  const percentOk = isOfferPercent(offer.discountPercent);
  if (!percentOk) {
    issues.push({
      path: `${path}.discountPercent`,
      issue: `must be a percentage more than 0 and at most ${MAX_DISCOUNT_PERCENT} with at most 4 decimal places, got ${offer.discountPercent}`,
    });
  }
  const before = issues.length;
  moneyIssues(`${path}.discounted`, offer.discounted, issues);
  const { balance } = invoice;
  const balanceOk = Number.isSafeInteger(balance.minor) && balance.minor >= 0;
  if (issues.length === before && balanceOk) {
    if (offer.discounted.currency !== balance.currency) {
      issues.push({
        path: `${path}.discounted.currency`,
        issue: `must be the balance currency ${balance.currency}, got "${offer.discounted.currency}"`,
      });
    } else if (offer.discounted.minor >= balance.minor) {
      issues.push({
        path: `${path}.discounted.minor`,
        issue: `must be less than the balance ${balance.minor}, got ${offer.discounted.minor}`,
      });
    } else if (percentOk) {
      const { payMinor } = discountedAmount(balance.minor, offer.discountPercent);
      if (offer.discounted.minor !== payMinor) {
        issues.push({
          path: `${path}.discounted.minor`,
          issue: `must be the balance less ${offer.discountPercent}% = ${payMinor} (rounded half-up), got ${offer.discounted.minor}`,
        });
      }
    }
  }
  const payBy = parseCalendarDate(offer.payBy);
  if (payBy === undefined) {
    issues.push({ path: `${path}.payBy`, issue: `must be a calendar date YYYY-MM-DD, got "${offer.payBy}"` });
    return;
  }
  const dueDate = parseCalendarDate(invoice.dueDate);
  if (dueDate === undefined || !Number.isSafeInteger(invoice.daysFromDue)) return;
  if (dayNumber(payBy) > dayNumber(dueDate)) {
    issues.push({
      path: `${path}.payBy`,
      issue: `must not be after the due date ${invoice.dueDate} (an offer runs until the due date), got ${offer.payBy}`,
    });
  } else if (dayNumber(payBy) < dayNumber(dueDate) + invoice.daysFromDue) {
    issues.push({
      path: `${path}.payBy`,
      issue: `must not be before the day the message is sent (${invoice.daysFromDue} days from the due date), got ${offer.payBy}`,
    });
  }
}

/**
 * The other invoices of a consolidated message: each a real invoice (id, balance, due date, days), listed once and
 * not the invoice's own; their balances (with the invoice's, per currency) add up to a total that stays exact.
 */
function otherInvoiceIssues(
  others: NonNullable<MessageContext['others']>,
  invoice: MessageContext['invoice'],
  issues: FieldIssue[],
): void {
  const before = issues.length;
  const seen = new Set([invoice.invoiceId.trim()]);
  others.forEach((other, i) => {
    const path = `others.${i}`;
    requireNonBlank(`${path}.invoiceId`, other.invoiceId, issues);
    const id = other.invoiceId.trim();
    if (id !== '' && seen.has(id)) {
      issues.push({
        path: `${path}.invoiceId`,
        issue: `must list each invoice once, "${id}" is already in the message`,
      });
    }
    seen.add(id);
    moneyIssues(`${path}.balance`, other.balance, issues);
    if (parseCalendarDate(other.dueDate) === undefined) {
      issues.push({ path: `${path}.dueDate`, issue: `must be a calendar date YYYY-MM-DD, got "${other.dueDate}"` });
    }
    if (!Number.isSafeInteger(other.daysFromDue)) {
      issues.push({ path: `${path}.daysFromDue`, issue: `must be a whole number of days, got ${other.daysFromDue}` });
    }
    if (other.offer) offerIssues(`${path}.offer`, other.offer, other, issues);
  });
  if (issues.length > before) return;
  for (const total of totalsByCurrency([invoice.balance, ...others.map((o) => o.balance)])) {
    if (!Number.isSafeInteger(total.minor)) {
      issues.push({
        path: 'others',
        issue: `the balances in ${total.currency} add up to more than can be stated exactly`,
      });
    }
  }
}

function requireNonBlank(path: string, value: string, issues: FieldIssue[]): void {
  if (value.trim() === '') issues.push({ path, issue: 'must not be empty' });
}

/** Fees in the balance currency that add up: total = balance + fine + interest. */
function lateFeeIssues(fees: NonNullable<MessageContext['lateFees']>, balance: Money, issues: FieldIssue[]): void {
  const before = issues.length;
  moneyIssues('lateFees.fine', fees.fine, issues);
  moneyIssues('lateFees.interest', fees.interest, issues);
  moneyIssues('lateFees.total', fees.total, issues);
  if (issues.length > before) return;
  for (const part of ['fine', 'interest', 'total'] as const) {
    if (fees[part].currency !== balance.currency) {
      issues.push({
        path: `lateFees.${part}.currency`,
        issue: `must be the balance currency ${balance.currency}, got "${fees[part].currency}"`,
      });
    }
  }
  const sum = balance.minor + fees.fine.minor + fees.interest.minor;
  if (fees.total.minor !== sum) {
    issues.push({
      path: 'lateFees.total.minor',
      issue: `must be balance + fine + interest = ${sum}, got ${fees.total.minor}`,
    });
  }
}

function moneyIssues(path: string, money: Money, issues: FieldIssue[]): void {
  if (!Number.isSafeInteger(money.minor) || money.minor < 0) {
    issues.push({
      path: `${path}.minor`,
      issue: `must be a non-negative whole number of minor units, got ${money.minor}`,
    });
  }
  if (!isKnownCurrency(money.currency)) {
    issues.push({ path: `${path}.currency`, issue: `must be an ISO-4217 currency code, got "${money.currency}"` });
  }
}
