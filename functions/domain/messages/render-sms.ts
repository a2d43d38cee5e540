import type { TemplateName } from '../template-names';
import type { LocaleCatalog, MessageFacts } from './catalog';
import { companyShortName } from './company-name';
import type { MessageContext, RenderedSms } from './context';
import { prepareMessage } from './facts';

/** The length an SMS aims to stay within (a few concatenated segments). */
export const SMS_TARGET_LENGTH = 300;

/**
 * Renders a dunning SMS: who is writing, the invoice, balance (with late fees: the updated amount and its
 * breakdown) and due date, for a consolidated message how many other invoices it stands for and the total, the
 * payment link if any, "if you already paid, disregard", and the STOP instruction in the debtor's language
 * (fallback `en`).
 * The sender is named by legal name and tax id; when that would push the message past
 * {@link SMS_TARGET_LENGTH} characters it falls back to the legal name, then to the short name, and then (a
 * consolidated message) leaves the total out, keeping the count.
 * Throws `InvalidMessageContext` naming each bad field.
 */
export function renderSms(template: TemplateName, locale: string | undefined, ctx: MessageContext): RenderedSms {
  const { catalog, wording, facts, payment, others } = prepareMessage(template, locale, ctx);
  const rest = (othersSuffix: string | undefined) =>
    [
      wording.sms(smsFacts(facts, catalog)),
      ...(othersSuffix === undefined ? [] : [othersSuffix]),
      ...(payment ? [`${catalog.smsPayLead} ${payment.kind === 'link' ? payment.url : payment.text}`] : []),
      catalog.smsAlreadyPaid,
      catalog.smsStop,
    ].join(' ');
  // A consolidated message names how many other invoices it stands for, with their total when that fits.
  const suffixes = others
    ? [catalog.smsOthers(others.items.length, others.total), catalog.smsOthers(others.items.length)]
    : [undefined];
  const candidates = suffixes.flatMap((suffix) =>
    senderCandidates(facts).map((sender) => `${sender}: ${rest(suffix)}`),
  );
  const text = candidates.find((candidate) => candidate.length <= SMS_TARGET_LENGTH) ?? (candidates.at(-1) as string);
  return { locale: catalog.locale, text };
}

/**
 * With late fees (post-due templates of a rule that charges them), the amount the SMS states is the updated one,
 * followed by its breakdown: `R$ 1.265,36 (saldo 1.234,50 + multa 24,69 + juros 6,17)`.
 */
function smsFacts(facts: MessageFacts, catalog: LocaleCatalog): MessageFacts {
  if (facts.lateFees === undefined) return facts;
  return { ...facts, balance: `${facts.lateFees.total} ${catalog.smsLateFees(facts.lateFees)}` };
}

/** From the most to the least complete way of naming the company. */
function senderCandidates(facts: MessageFacts): string[] {
  return [`${facts.companyName} (${facts.taxId})`, facts.companyName, companyShortName(facts.companyName)];
}
