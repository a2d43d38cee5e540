import { dayMonthYear, parseCalendarDate, shortMonthDayYear } from '../calendar/calendar-date';
import { localDate } from '../calendar/zoned-time';
import { escapeHtml } from '../messages/html';
import { resolveLocale, type SupportedLocale } from '../messages/locale';
import { formatMoney, type Money } from '../values/money';
import type { Statement, StatementInvoice } from './statement';

interface StatementTexts {
  readonly title: string;
  readonly greeting: string;
  readonly none: string;
  readonly invoice: string;
  readonly dueDate: string;
  readonly balance: string;
  readonly lateFees: string;
  readonly totalDue: string;
  readonly pay: string;
  readonly total: string;
  readonly disputed: string;
  readonly instalment: string;
  readonly offer: string;
  readonly expires: string;
  readonly invalidTitle: string;
  readonly invalidBody: string;
}

const TEXT: Record<SupportedLocale, StatementTexts> = {
  'pt-BR': {
    title: 'Seu extrato',
    greeting: 'Olá, {name}. Estas são as suas faturas em aberto com {company} em {date}.',
    none: 'Você não tem faturas em aberto com {company}.',
    invoice: 'Fatura',
    dueDate: 'Vencimento',
    balance: 'Saldo',
    lateFees: 'Multa e juros',
    totalDue: 'Total a pagar',
    pay: 'Pagar',
    total: 'Total',
    disputed: 'em análise',
    instalment: 'parcela de {id}',
    offer: 'Pague {pay} até {date} e ganhe {percent}% de desconto.',
    expires: 'Este link é válido até {date}.',
    invalidTitle: 'Link inválido ou expirado',
    invalidBody: 'Este link de extrato não é válido ou já expirou. Use o link da mensagem mais recente.',
  },
  en: {
    title: 'Your statement',
    greeting: 'Hello, {name}. These are your open invoices with {company} as of {date}.',
    none: 'You have no open invoices with {company}.',
    invoice: 'Invoice',
    dueDate: 'Due date',
    balance: 'Balance',
    lateFees: 'Late fees',
    totalDue: 'Total due',
    pay: 'Pay',
    total: 'Total',
    disputed: 'under review',
    instalment: 'instalment of {id}',
    offer: 'Pay {pay} by {date} for a {percent}% discount.',
    expires: 'This link is valid until {date}.',
    invalidTitle: 'Invalid or expired link',
    invalidBody: 'This statement link is not valid or has expired. Use the link in the latest message.',
  },
  es: {
    title: 'Su estado de cuenta',
    greeting: 'Hola, {name}. Estas son sus facturas pendientes con {company} al {date}.',
    none: 'No tiene facturas pendientes con {company}.',
    invoice: 'Factura',
    dueDate: 'Vencimiento',
    balance: 'Saldo',
    lateFees: 'Recargos',
    totalDue: 'Total a pagar',
    pay: 'Pagar',
    total: 'Total',
    disputed: 'en revisión',
    instalment: 'cuota de {id}',
    offer: 'Pague {pay} hasta el {date} y obtenga un {percent}% de descuento.',
    expires: 'Este enlace es válido hasta el {date}.',
    invalidTitle: 'Enlace no válido o vencido',
    invalidBody: 'Este enlace al estado de cuenta no es válido o ha vencido. Use el enlace del mensaje más reciente.',
  },
};

/** `text` HTML-escaped with each `{key}` replaced, in one pass, by the escaped value (a value is never re-read). */
function fill(text: string, values: Readonly<Record<string, string>>): string {
  return escapeHtml(text).replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? escapeHtml(values[key] ?? '') : whole,
  );
}

/**
 * The instant of `Statement.expiresAt`, which `toISOString` wrote (`2027-01-19T15:00:00.000Z`); NaN for any other
 * text (the round trip also refuses dates like 02-30, which `Date.parse` would roll over).
 */
function instantOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || new Date(ms).toISOString() !== iso ? Number.NaN : ms;
}

/** A calendar date (YYYY-MM-DD) as the debtor reads it: `10/12/2026` (pt-BR, es), `Dec 10, 2026` (en). */
function showDate(date: string, locale: SupportedLocale): string {
  const calendar = parseCalendarDate(date);
  if (!calendar) return date;
  if (locale !== 'en') return dayMonthYear(calendar);
  return shortMonthDayYear(calendar);
}

function showPercent(percent: number, locale: SupportedLocale): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(percent);
}

const PAGE_STYLE = 'font-family: sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem';
const CELL = 'padding: 0.4rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top';

function page(locale: SupportedLocale, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title></head><body style="${PAGE_STYLE}"><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

/**
 * The statement as a small HTML page in the debtor's language (pt-BR, en, es; fallback en): a table of the open
 * invoices (due date, balance, late fees, total due, payment link), a standing early-payment offer under its invoice,
 * the totals per currency and until when the link works. Every value is escaped; links are http(s) only.
 */
export function renderStatementPage(statement: Statement, options: { readonly company: string }): string {
  const { locale } = statement;
  const t = TEXT[locale];
  const money = (m: Money) => escapeHtml(formatMoney(m, locale));
  const today = showDate(statement.today, locale);
  const expires = localDate(instantOf(statement.expiresAt), statement.timezone) ?? '';
  const footer = `<p>${fill(t.expires, { date: showDate(expires, locale) })}</p>`;
  if (statement.invoices.length === 0) {
    return page(locale, t.title, `<p>${fill(t.none, { company: options.company })}</p>${footer}`);
  }
  const head = [t.invoice, t.dueDate, t.balance, t.lateFees, t.totalDue, '']
    .map((h) => `<th style="${CELL}">${escapeHtml(h)}</th>`)
    .join('');
  const row = (line: StatementInvoice) => {
    const notes = [
      line.description ? escapeHtml(line.description) : '',
      line.state === 'disputed' ? escapeHtml(t.disputed) : '',
      line.agreementOf ? fill(t.instalment, { id: line.agreementOf }) : '',
      line.earlyPayment
        ? `<strong>${fill(t.offer, {
            pay: formatMoney(line.earlyPayment.pay, locale),
            date: showDate(line.earlyPayment.payBy, locale),
            percent: showPercent(line.earlyPayment.discountPercent, locale),
          })}</strong>`
        : '',
    ].filter((n) => n !== '');
    const fees = line.lateFees
      ? money({ minor: line.lateFees.fine.minor + line.lateFees.interest.minor, currency: line.balance.currency })
      : '—';
    const link = line.paymentUrl
      ? `<a href="${escapeHtml(line.paymentUrl)}" rel="noopener noreferrer">${escapeHtml(t.pay)}</a>`
      : '';
    const cells = [
      `${escapeHtml(line.invoiceId)}${notes.map((n) => `<br><small>${n}</small>`).join('')}`,
      escapeHtml(showDate(line.dueDate, locale)),
      money(line.balance),
      fees,
      `<strong>${money(line.totalDue)}</strong>`,
      link,
    ];
    return `<tr>${cells.map((c) => `<td style="${CELL}">${c}</td>`).join('')}</tr>`;
  };
  const totals = statement.totals
    .map(
      (total) =>
        `<tr><th style="${CELL}" colspan="2">${escapeHtml(t.total)} (${escapeHtml(total.currency)})</th>` +
        `<td style="${CELL}">${money(total.balance)}</td><td style="${CELL}"></td>` +
        `<td style="${CELL}"><strong>${money(total.totalDue)}</strong></td><td style="${CELL}"></td></tr>`,
    )
    .join('');
  return page(
    locale,
    t.title,
    `<p>${fill(t.greeting, { name: statement.customerName, company: options.company, date: today })}</p>` +
      `<table style="border-collapse: collapse; width: 100%"><thead><tr>${head}</tr></thead>` +
      `<tbody>${statement.invoices.map(row).join('')}</tbody><tfoot>${totals}</tfoot></table>${footer}`,
  );
}

/** The page of a link that is not valid (forged, expired, unknown customer): the same whatever the reason. */
export function renderInvalidStatementPage(locale?: string): string {
  const resolved = resolveLocale(locale);
  const t = TEXT[resolved];
  return page(resolved, t.invalidTitle, `<p>${escapeHtml(t.invalidBody)}</p>`);
}
