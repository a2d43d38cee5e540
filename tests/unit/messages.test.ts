import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MessageContext,
  renderEmail,
  renderSms,
  resolveLocale,
  SUPPORTED_LOCALES,
} from '../../functions/domain/messages';
import { TEMPLATE_NAMES } from '../../functions/domain/template-names';

const ctx: MessageContext = {
  company: {
    legalName: 'Exemplo Cobranças Ltda',
    taxId: 'CNPJ 12.345.678/0001-90',
    supportContact: 'financeiro@example.com',
  },
  customer: { name: 'Maria Silva' },
  invoice: {
    invoiceId: 'INV-2026-0042',
    amount: { minor: 123450, currency: 'BRL' },
    balance: { minor: 123450, currency: 'BRL' },
    dueDate: '2026-12-10',
    paymentUrl: 'https://pay.example.com/INV-2026-0042',
  },
  daysFromDue: 7,
  optOut: {},
};

const OPT_OUT = { 'pt-BR': 'SAIR', en: 'UNSUBSCRIBE', es: 'BAJA' } as const;
const STOP = { 'pt-BR': 'Responda SAIR', en: 'Reply STOP', es: 'Responde BAJA' } as const;

describe('message templates', () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const template of TEMPLATE_NAMES) {
      it(`${template} in ${locale}: names the company, the invoice and the balance, and says how to opt out`, () => {
        const email = renderEmail(template, locale, ctx);
        const sms = renderSms(template, locale, ctx);
        expect(email.locale).toBe(locale);
        for (const body of [email.html, email.text]) {
          expect(body).toContain('Exemplo Cobranças Ltda');
          expect(body).toContain('12.345.678/0001-90');
          expect(body).toContain('INV-2026-0042');
          expect(body).toContain(OPT_OUT[locale]);
        }
        expect(email.subject).toContain('INV-2026-0042');
        expect(email.subject).not.toContain('1.234'); // no amounts in a subject a third party may see
        expect(sms.text).toContain('INV-2026-0042');
        expect(sms.text).toContain(STOP[locale]);
        expect(sms.text.length).toBeLessThanOrEqual(320);
      });
    }
  }

  it('formats money and dates for the locale, from exact minor units', () => {
    expect(renderEmail('overdue', 'pt-BR', ctx).text).toMatch(/R\$\s1\.234,50/);
    expect(renderEmail('overdue', 'pt-BR', ctx).text).toContain('10/12/2026');
    const usd = { ...ctx, invoice: { ...ctx.invoice, balance: { minor: 123450, currency: 'USD' } } };
    expect(renderEmail('overdue', 'en', usd).text).toContain('$1,234.50');
    expect(renderEmail('overdue', 'en', usd).text).toContain('December 10, 2026');
    const jpy = { ...ctx, invoice: { ...ctx.invoice, balance: { minor: 5000, currency: 'JPY' } } };
    expect(renderSms('overdue', 'en', jpy).text).toContain('¥5,000');
  });

  it('words the days before and after the due date', () => {
    expect(renderEmail('reminder', 'en', { ...ctx, daysFromDue: -3 }).subject).toBe(
      'Reminder: invoice INV-2026-0042 is due in 3 days',
    );
    expect(renderEmail('overdue', 'pt-BR', ctx).text).toContain('há 7 dias');
  });

  it('falls back to English and matches languages loosely', () => {
    expect(resolveLocale('fr')).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
    expect(resolveLocale('pt')).toBe('pt-BR');
    expect(resolveLocale('pt_pt')).toBe('pt-BR');
    expect(resolveLocale('es-AR')).toBe('es');
    expect(renderEmail('reminder', 'de-DE', ctx).locale).toBe('en');
  });

  it('escapes customer data in HTML and never links a non-http URL', () => {
    const nasty = {
      ...ctx,
      customer: { name: '<script>alert(1)</script> & "x"' },
      invoice: { ...ctx.invoice, paymentUrl: 'javascript:alert(1)', description: '<img src=x onerror=alert(1)>' },
    };
    const email = renderEmail('overdue', 'en', nasty);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    expect(email.html).not.toContain('javascript:');
    expect(email.text).toContain('<script>alert(1)</script> & "x"');
    expect(renderSms('overdue', 'en', nasty).text).not.toContain('javascript:');
  });

  it('keeps supplied values on one line in text and SMS', () => {
    const multi = { ...ctx, customer: { name: 'Maria\nBcc: evil@example.com' } };
    expect(renderEmail('reminder', 'en', multi).text).toContain('Hello Maria Bcc: evil@example.com,');
  });

  it('never lets a supplied value open a tag or attribute in the HTML (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (name, description) => {
        const html = renderEmail('final-notice', 'es', {
          ...ctx,
          customer: { name: `⟦${name}⟧` },
          invoice: { ...ctx.invoice, description: `⟦${description}⟧` },
        }).html;
        for (const match of html.matchAll(/⟦([^⟧]*)⟧/g)) {
          expect(match[1]).not.toMatch(/[<>"]/);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
