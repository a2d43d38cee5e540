import { formatMoney, type Money } from '../money';
import type { TemplateName } from '../template-names';
import { CATALOGS } from './catalog';
import { formatDate, resolveLocale, type SupportedLocale } from './locale';
import { escapeHtml, safeUrl, singleLine } from './text';

export { resolveLocale, SUPPORTED_LOCALES, type SupportedLocale } from './locale';
export { escapeHtml } from './text';

export interface MessageContext {
  /** Every message names the company: legal name + tax id. */
  readonly company: { legalName: string; taxId: string; supportContact?: string };
  readonly customer: { name: string };
  readonly invoice: {
    invoiceId: string;
    amount: Money;
    balance: Money;
    dueDate: string;
    paymentUrl?: string;
    description?: string;
  };
  /** Negative before the due date (-3), 0 on the day, positive after (7). */
  readonly daysFromDue: number;
  /** Email: a one-click unsubscribe link when there is one, else a reply instruction. */
  readonly optOut: { unsubscribeUrl?: string };
}

export interface RenderedEmail {
  readonly locale: SupportedLocale;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface RenderedSms {
  readonly locale: SupportedLocale;
  readonly text: string;
}

/** Fills `{name}` placeholders; each value goes through `encode` (HTML escaping or single-lining). */
function fill(template: string, values: Record<string, string>, encode: (v: string) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    return value === undefined ? whole : encode(value);
  });
}

function valuesFor(ctx: MessageContext, locale: SupportedLocale): Record<string, string> {
  return {
    name: singleLine(ctx.customer.name),
    company: singleLine(ctx.company.legalName),
    taxId: singleLine(ctx.company.taxId),
    invoiceId: singleLine(ctx.invoice.invoiceId),
    amount: formatMoney(ctx.invoice.balance, locale),
    dueDate: formatDate(ctx.invoice.dueDate, locale),
    days: String(Math.abs(ctx.daysFromDue)),
    description: singleLine(ctx.invoice.description ?? ''),
    support: singleLine(ctx.company.supportContact ?? ''),
  };
}

/** Renders an email (subject, HTML and plain-text bodies) in the debtor's language (fallback `en`). */
export function renderEmail(template: TemplateName, locale: string | undefined, ctx: MessageContext): RenderedEmail {
  const lang = resolveLocale(locale);
  const cat = CATALOGS[lang];
  const texts = cat.templates[template];
  const values = valuesFor(ctx, lang);
  const payUrl = safeUrl(ctx.invoice.paymentUrl);
  const unsubscribeUrl = safeUrl(ctx.optOut.unsubscribeUrl);

  const plain = (t: string) => fill(t, values, (v) => v);
  const html = (t: string) => fill(t, values, escapeHtml);

  const textLines = [
    plain(cat.greeting),
    '',
    ...texts.paragraphs.map(plain),
    ...(ctx.invoice.description ? [plain(cat.description)] : []),
    ...(payUrl ? ['', fill(cat.payLinkText, { url: payUrl }, (v) => v)] : []),
    '',
    plain(cat.alreadyPaid),
    ...(ctx.company.supportContact ? [plain(cat.support)] : []),
    '',
    plain(cat.signature),
    plain(cat.legal),
    '',
    unsubscribeUrl ? fill(cat.optOutLink, { url: unsubscribeUrl }, (v) => v) : cat.optOutReply,
  ];

  const p = (inner: string, style = '') => `<p style="margin:0 0 16px 0;${style}">${inner}</p>`;
  const htmlParts = [
    '<!doctype html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>`,
    '<body style="margin:0;padding:24px;background:#f5f6f8;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px;line-height:1.5;">',
    p(html(cat.greeting)),
    ...texts.paragraphs.map((t) => p(html(t))),
    ...(ctx.invoice.description ? [p(html(cat.description), 'color:#52606d;')] : []),
    ...(payUrl
      ? [
          p(
            `<a href="${escapeHtml(payUrl)}" style="display:inline-block;background:#0b6bcb;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;">${escapeHtml(cat.payButton)}</a>`,
          ),
        ]
      : []),
    p(html(cat.alreadyPaid), 'color:#52606d;'),
    ...(ctx.company.supportContact ? [p(html(cat.support))] : []),
    p(`${html(cat.signature)}<br>${html(cat.legal)}`),
    '<hr style="border:none;border-top:1px solid #e4e7eb;margin:16px 0;">',
    p(
      unsubscribeUrl
        ? fill(
            escapeHtml(cat.optOutLink),
            { url: unsubscribeUrl },
            (v) => `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>`,
          )
        : escapeHtml(cat.optOutReply),
      'font-size:12px;color:#7b8794;',
    ),
    '</div></body></html>',
  ];

  return {
    locale: lang,
    subject: plain(texts.subject),
    html: htmlParts.join('\n'),
    text: textLines.join('\n'),
  };
}

/** Renders an SMS: company, invoice, balance, due date, payment link if any, and the STOP instruction. */
export function renderSms(template: TemplateName, locale: string | undefined, ctx: MessageContext): RenderedSms {
  const lang = resolveLocale(locale);
  const cat = CATALOGS[lang];
  const values = valuesFor(ctx, lang);
  const payUrl = safeUrl(ctx.invoice.paymentUrl);
  const parts = [
    fill(cat.templates[template].sms, values, (v) => v),
    ...(payUrl ? [fill(cat.smsPay, { url: payUrl }, (v) => v)] : []),
    cat.smsStop,
  ];
  return { locale: lang, text: parts.join(' ') };
}
