import type { MessageContext, RenderedEmail } from './context';
import { type EmailBlock, emailHtml, emailText } from './email-blocks';
import { type PreparedMessage, prepareMessage, senderIdentity } from './facts';
import type { TemplateName } from './template-names';

/**
 * Renders a dunning email — neutral subject, inline-styled HTML and a plain-text alternative with the same
 * content — in the debtor's language (fallback `en`). Supplied values are HTML-escaped in the HTML, kept on one
 * line everywhere, and only http(s) URLs become links. The post-due templates state the late fees and the updated
 * amount when the context has them; the pre-due templates an early-payment offer. The link to the debtor's statement
 * follows the payment link (and a consolidated message's list). The subject never states an amount.
 * Throws `InvalidMessageContext` naming each bad field.
 */
export function renderEmail(template: TemplateName, locale: string | undefined, ctx: MessageContext): RenderedEmail {
  const message = prepareMessage(template, locale, ctx);
  const subject = message.wording.subject(message.facts);
  const blocks = emailBlocks(message);
  return {
    locale: message.catalog.locale,
    subject,
    html: emailHtml(blocks, { lang: message.catalog.locale, title: subject }),
    text: emailText(blocks),
  };
}

/**
 * The template's paragraphs, with the late fees (post-due templates) or the early-payment offer (pre-due templates)
 * stated right after the first one when there are any.
 */
function bodyParagraphs({ catalog, wording, facts }: PreparedMessage): readonly string[] {
  const paragraphs = wording.paragraphs(facts);
  const added = [
    ...(facts.lateFees === undefined ? [] : [catalog.lateFees(facts.lateFees)]),
    ...(facts.offer === undefined ? [] : [catalog.offer(facts.offer)]),
  ];
  if (added.length === 0) return paragraphs;
  return [...paragraphs.slice(0, 1), ...added, ...paragraphs.slice(1)];
}

function emailBlocks(message: PreparedMessage): EmailBlock[] {
  const { catalog, facts, payment, unsubscribe, statement } = message;
  const { labels } = catalog;
  const details: [string, string][] = [
    [labels.invoice, facts.invoiceId],
    [labels.balance, facts.balance],
    ...(facts.lateFees === undefined
      ? []
      : ([
          [labels.fine, facts.lateFees.fine],
          [labels.interest, facts.lateFees.interest],
          [labels.updatedAmount, facts.lateFees.total],
        ] as [string, string][])),
    ...(facts.originalAmount === undefined ? [] : [[labels.originalAmount, facts.originalAmount] as [string, string]]),
    [labels.dueDate, facts.dueDate],
    ...(facts.description === undefined ? [] : [[labels.description, facts.description] as [string, string]]),
  ];
  return [
    { kind: 'paragraph', text: catalog.greeting(facts.customerName) },
    ...bodyParagraphs(message).map((text): EmailBlock => ({ kind: 'paragraph', text })),
    { kind: 'details', rows: details },
    ...(payment?.kind === 'link' ? [{ kind: 'button', label: catalog.payButton, url: payment.url } as const] : []),
    ...(payment ? [{ kind: 'paragraph', text: catalog.payLead, url: payment, tone: 'muted' } as const] : []),
    ...otherInvoiceBlocks(message),
    ...(statement ? [{ kind: 'paragraph', text: catalog.statementLead, url: statement, tone: 'muted' } as const] : []),
    { kind: 'paragraph', text: catalog.alreadyPaid, tone: 'muted' },
    ...(facts.supportContact === undefined
      ? []
      : [{ kind: 'paragraph', text: catalog.support(facts.supportContact) } as const]),
    { kind: 'lines', lines: [catalog.signOff, senderIdentity(facts)] },
    { kind: 'rule' },
    unsubscribe
      ? { kind: 'paragraph', text: catalog.optOutLead, url: unsubscribe, tone: 'small' }
      : { kind: 'paragraph', text: catalog.optOutReply, tone: 'small' },
  ];
}

/**
 * A consolidated message: after the invoice's own details and payment, the other open invoices (each with its
 * balance, due date, how far from it, its early-payment offer, and its payment link) and the total owed across all of
 * them.
 */
function otherInvoiceBlocks({ catalog, others }: PreparedMessage): EmailBlock[] {
  if (others === undefined) return [];
  return [
    { kind: 'paragraph', text: catalog.othersLead(others.items.length) },
    {
      kind: 'list',
      items: others.items.map(({ payment, ...facts }) => {
        const line = [catalog.otherInvoice(facts), ...(facts.offer ? [catalog.shortOffer(facts.offer)] : [])];
        return payment ? { text: [...line, catalog.payLead].join(' '), url: payment } : { text: line.join(' ') };
      }),
    },
    { kind: 'details', rows: [[catalog.totalLabel(others.count), others.total]] },
  ];
}
