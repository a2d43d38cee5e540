import type { LocaleCatalog, MessageFacts } from './catalog';
import { companyShortName } from './company-name';
import type { MessageContext, RenderedSms } from './context';
import { prepareMessage, type UrlValue } from './facts';
import { toGsm7 } from './gsm7';
import type { TemplateName } from './template-names';

/** The length an SMS aims to stay within: 2 parts of the GSM-7 alphabet (306 characters). */
export const SMS_TARGET_LENGTH = 300;

/**
 * Renders a dunning SMS: who is writing, the invoice, balance (with late fees: the updated amount and its
 * breakdown) and due date, an early-payment offer (short), for a consolidated message how many other invoices it
 * stands for and the total, the payment link if any, the link to the debtor's statement, "if you already paid,
 * disregard", and the STOP instruction in the debtor's language (fallback `en`). The text is in the GSM-7 alphabet
 * (`toGsm7`: accents it lacks folded, `ã` → `a`, `ç` → `c`; other spaces plain), so that it goes out in 2 parts
 * rather than the 5 one character outside it would cost (UCS-2).
 *
 * Everything but three optional parts always goes out. When the message would pass {@link SMS_TARGET_LENGTH}
 * characters, they are given up in this order, the first candidate that fits winning (else the last, most shortened):
 * 1. the statement link, when the SMS carries the invoice's payment link (the email carries the statement link);
 * 2. the tax id, then the legal form, of the company's name (`Exemplo Cobranças Ltda (CNPJ …)` → `Exemplo Cobranças
 *    Ltda` → `Exemplo Cobranças`);
 * 3. a consolidated message's total (the count of the other invoices stays), with the company named fully again;
 * 4. the statement link of an SMS without a payment link (there it is the way to pay online, so it goes last).
 * The offer is never given up: a stage that makes one states it in every message.
 * Throws `InvalidMessageContext` naming each bad field.
 */
export function renderSms(template: TemplateName, locale: string | undefined, ctx: MessageContext): RenderedSms {
  const { catalog, wording, facts, payment, statement, others } = prepareMessage(template, locale, ctx);
  const link = (lead: string, url: UrlValue) => `${lead} ${url.kind === 'link' ? url.url : url.text}`;
  const compose = (sender: string, othersSuffix: string | undefined, withStatement: boolean) =>
    [
      `${sender}:`,
      wording.sms(smsFacts(facts, catalog)),
      ...(facts.offer === undefined ? [] : [catalog.shortOffer(facts.offer)]),
      ...(othersSuffix === undefined ? [] : [othersSuffix]),
      ...(payment ? [link(catalog.smsPayLead, payment)] : []),
      ...(withStatement && statement ? [link(catalog.smsStatementLead, statement)] : []),
      catalog.smsAlreadyPaid,
      catalog.smsStop,
    ].join(' ');
  // A consolidated message names how many other invoices it stands for, with their total when that fits.
  const suffixes = others
    ? [catalog.smsOthers(others.items.length, others.total), catalog.smsOthers(others.items.length)]
    : [undefined];
  const senders = senderCandidates(facts);
  const shortenings = (withStatement: boolean) =>
    suffixes.flatMap((suffix) => senders.map((sender) => compose(sender, suffix, withStatement)));
  const candidates = !statement
    ? shortenings(false)
    : payment
      ? [compose(senders[0] as string, suffixes[0], true), ...shortenings(false)]
      : [...shortenings(true), ...shortenings(false)];
  return { locale: catalog.locale, text: firstThatFits(candidates) };
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

/** The first candidate within the target length once written in GSM-7, else the last (the most shortened). */
function firstThatFits(candidates: readonly string[]): string {
  let text = '';
  for (const candidate of candidates) {
    text = toGsm7(candidate);
    if (text.length <= SMS_TARGET_LENGTH) return text;
  }
  return text;
}
