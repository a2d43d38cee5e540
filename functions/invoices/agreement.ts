import { createHash } from 'node:crypto';
import { parseCalendarDate } from '../calendar/calendar-date';
import { atTimeOfDay, isoDateOf, plusDays, zonedTime } from '../calendar/zoned-time';
import { daysLate, lateFees } from '../rules/late-fee';
import type { RuleTerms } from '../rules/rule-terms';
import type { FieldIssue } from '../values/field-issue';
import { formatDecimalAmount, parseDecimalAmount } from '../values/money';
import { MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH } from './input/limits';
import type { Instalment, Invoice } from './invoice';

/**
 * Renegotiation into instalments (issue #5, item 3), as pure rules: what the instalments must add up to (the balance
 * plus the late fees to date, per the invoice's rule), when they may fall due, and the ids of the invoices they
 * become. Money in integer minor units; `now` is an argument.
 */

/** The most instalments one agreement may have. */
export const MAX_INSTALMENTS = 24;

/** A Standard Step Functions execution lives at most a year: an instalment's walk, to its last stage, must fit. */
export const MAX_WALK_DAYS = 365;

/** One instalment as an operator asks for it: its due date (YYYY-MM-DD) and amount (decimal text). */
export interface InstalmentRequest {
  readonly dueDate: string;
  readonly amount: string;
  /** Where the debtor pays this instalment (http or https); the original's link is for the whole amount. */
  readonly paymentUrl?: string | undefined;
}

/** What an agreement replaces: the balance and the late fees to date, all in minor units of the invoice's currency. */
export interface AmountDue {
  readonly balanceMinor: number;
  readonly fineMinor: number;
  readonly interestMinor: number;
  /** balance + fine + interest: what the instalments must add up to. */
  readonly totalMinor: number;
  /** Whole calendar days late in the debtor's zone (0 until the day after the due date). */
  readonly daysLate: number;
}

/** The balance plus the late fees to date (`late-fee.ts`, the rule's terms) at `now`, days counted in `timezone`. */
export function amountDue(
  invoice: Pick<Invoice, 'balanceMinor' | 'dueDate' | 'amount'>,
  terms: RuleTerms,
  timezone: string,
  now: Date,
): AmountDue {
  const late = daysLate(invoice.dueDate, now, timezone);
  const balance = { minor: invoice.balanceMinor, currency: invoice.amount.currency };
  const fees = terms.lateFee && late > 0 ? lateFees(balance, late, terms.lateFee) : undefined;
  const fineMinor = fees?.fine.minor ?? 0;
  const interestMinor = fees?.interest.minor ?? 0;
  return {
    balanceMinor: invoice.balanceMinor,
    fineMinor,
    interestMinor,
    totalMinor: invoice.balanceMinor + fineMinor + interestMinor,
    daysLate: late,
  };
}

/**
 * The id of instalment `n` (1-based) of `count` of the invoice `originalId`: `<original>-<n>of<count>` (`INV-7-2of3`),
 * which passes the invoice-id rules whenever the original did (no spaces, no formula start, the original's first
 * character). An original too long for the suffix is cut and a hash of it added, so two long ids never share
 * instalment ids.
 */
export function instalmentId(originalId: string, n: number, count: number): string {
  const suffix = `-${n}of${count}`;
  if (originalId.length + suffix.length <= MAX_ID_LENGTH) return `${originalId}${suffix}`;
  const hash = createHash('sha256').update(originalId, 'utf8').digest('hex').slice(0, 8);
  return `${originalId.slice(0, MAX_ID_LENGTH - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/** The description of instalment `n` of `count`: `2/3 · <the original's description, or its id>`. */
export function instalmentDescription(original: Pick<Invoice, 'invoiceId' | 'description'>, n: number, count: number) {
  return `${n}/${count} · ${original.description ?? original.invoiceId}`.slice(0, MAX_DESCRIPTION_LENGTH);
}

export type InstalmentsResult =
  | { readonly ok: true; readonly instalments: readonly Instalment[] }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * The instalments as the invoice records them (ids, dates, amounts in minor units), or the issues of the amounts
 * (each named `instalments.<i>.amount`). No rule about dates or the total: see {@link checkAgreement}.
 */
export function parseInstalments(
  invoice: Pick<Invoice, 'invoiceId' | 'amount'>,
  requests: readonly InstalmentRequest[],
): InstalmentsResult {
  const { currency } = invoice.amount;
  const issues: FieldIssue[] = [];
  const instalments: Instalment[] = [];
  requests.forEach((request, index) => {
    const parsed = parseDecimalAmount(request.amount, currency);
    if (!parsed.ok) {
      issues.push({ path: `instalments.${index}.amount`, issue: parsed.issue });
      return;
    }
    if (parsed.minor <= 0) {
      issues.push({ path: `instalments.${index}.amount`, issue: 'must be greater than 0' });
      return;
    }
    instalments.push({
      invoiceId: instalmentId(invoice.invoiceId, index + 1, requests.length),
      dueDate: request.dueDate,
      amountMinor: parsed.minor,
      ...(request.paymentUrl !== undefined ? { paymentUrl: request.paymentUrl } : {}),
    });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, instalments };
}

export type AgreementCheck =
  | { readonly ok: true; readonly instalments: readonly Instalment[]; readonly due: AmountDue }
  | { readonly ok: false; readonly issues: readonly FieldIssue[]; readonly due: AmountDue };

/**
 * Checks an agreement for `invoice` at `now`, every problem named by field:
 * - `instalments.<i>.dueDate`: a real date, after today in the debtor's zone, after the previous instalment's, and
 *   early enough for the instalment's whole walk (to the rule's last stage) to fit in a year;
 * - `instalments.<i>.amount`: more than 0, in the invoice's currency;
 * - `instalments`: their sum is exactly the balance plus the late fees to date (`amountDue`).
 */
export function checkAgreement(
  invoice: Pick<Invoice, 'invoiceId' | 'balanceMinor' | 'dueDate' | 'amount'>,
  requests: readonly InstalmentRequest[],
  context: { readonly terms: RuleTerms; readonly timezone: string; readonly now: Date },
): AgreementCheck {
  const { terms, timezone, now } = context;
  const due = amountDue(invoice, terms, timezone, now);
  const zonedNow = zonedTime(now.getTime(), timezone);
  const today = zonedNow && atTimeOfDay(zonedNow, 0);
  const todayText = today ? isoDateOf(today) : '';
  const latest = today ? isoDateOf(plusDays(today, MAX_WALK_DAYS - Math.max(0, terms.lastStageOffsetDays))) : '';
  const issues: FieldIssue[] = [];
  let previous: string | undefined;
  requests.forEach((request, index) => {
    const path = `instalments.${index}.dueDate`;
    const date = request.dueDate;
    if (!parseCalendarDate(date)) {
      issues.push({ path, issue: `must be a real date YYYY-MM-DD, got ${JSON.stringify(date)}` });
      return;
    }
    if (date <= todayText) {
      issues.push({ path, issue: `must be in the future (after ${todayText}, today for the debtor), got ${date}` });
    } else if (previous !== undefined && date <= previous) {
      issues.push({
        path,
        issue: `must be after the due date of instalments.${index - 1} (${previous}): due dates increase, got ${date}`,
      });
    } else if (date > latest) {
      issues.push({
        path,
        issue:
          `is too far ahead: an instalment is dunned until ${terms.lastStageOffsetDays} days after its due date and ` +
          `a walk lasts at most ${MAX_WALK_DAYS} days, so the latest due date is ${latest}, got ${date}`,
      });
    }
    previous = date;
  });
  const parsed = parseInstalments(invoice, requests);
  if (!parsed.ok) issues.push(...parsed.issues);
  else {
    const sum = parsed.instalments.reduce((total, i) => total + i.amountMinor, 0);
    if (sum !== due.totalMinor)
      issues.push({ path: 'instalments', issue: sumIssue(due, sum, invoice.amount.currency) });
  }
  if (issues.length > 0 || !parsed.ok) return { ok: false, issues, due };
  return { ok: true, instalments: parsed.instalments, due };
}

function sumIssue(due: AmountDue, sum: number, currency: string): string {
  const money = (minor: number) => `${formatDecimalAmount(minor, currency)} ${currency}`;
  if (due.fineMinor + due.interestMinor === 0) {
    return `must add up to the balance ${money(due.balanceMinor)}, got ${money(sum)}`;
  }
  const days = `${due.daysLate} day${due.daysLate === 1 ? '' : 's'} late`;
  return (
    `must add up to ${money(due.totalMinor)}: the balance ${money(due.balanceMinor)} plus the late fees to date ` +
    `(fine ${money(due.fineMinor)}, interest ${money(due.interestMinor)}, ${days}); got ${money(sum)}`
  );
}
