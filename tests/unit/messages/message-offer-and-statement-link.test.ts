import { describe, expect, it } from 'vitest';
import {
  type InvalidMessageContext,
  type MessageContext,
  renderEmail,
  renderSms,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  toGsm7,
} from '../../../functions/messages';
import type { TemplateName } from '../../../functions/messages/template-names';
import { without } from '../../support/fixtures';
import { ALREADY_PAID, ctx, SMS_ALREADY_PAID } from '../../support/message-context';

describe('a pre-due message states the early-payment offer of its stage', () => {
  /** R$ 1.234,50 less 5% = 1.172,775 → R$ 1.172,78 (half-up), until the due date. */
  const offer = { discountPercent: 5, discounted: { minor: 117_278, currency: 'BRL' }, payBy: '2026-12-10' } as const;
  const offering: MessageContext = { ...ctx, daysFromDue: -3, offer };
  const EXPECTED = {
    'pt-BR': {
      email: 'Para pagamento até 10/12/2026, há um desconto de 5%: o valor a pagar fica em R$\u00a01.172,78.',
      sms: 'Se pagar até 10/12/2026: R$\u00a01.172,78 (5% de desconto).',
    },
    en: {
      email: 'If paid by December 10, 2026, a 5% discount applies: the amount to pay is R$1,172.78.',
      sms: 'If paid by December 10, 2026: R$1,172.78 (5% off).',
    },
    es: {
      email: 'Si paga hasta el 10/12/2026, se aplica un descuento del 5%: el importe a pagar es de 1172,78\u00a0BRL.',
      sms: 'Si paga hasta el 10/12/2026: 1172,78\u00a0BRL (5% de descuento).',
    },
  } as const;

  for (const locale of SUPPORTED_LOCALES) {
    for (const template of ['reminder', 'due-today'] as const) {
      it(`${template} in ${locale}: the discounted amount, the percentage and the last day, right after the first paragraph`, () => {
        // Prepare
        const context = { ...offering, daysFromDue: template === 'reminder' ? -3 : 0 };

        // Act
        const email = renderEmail(template, locale, context);
        const sms = renderSms(template, locale, context);

        // Assess
        const paragraphs = email.text.split('\n\n');
        expect(paragraphs[2]).toBe(EXPECTED[locale].email);
        expect(email.html).toContain(EXPECTED[locale].email);
        expect(sms.text).toContain(toGsm7(EXPECTED[locale].sms));
        expect(sms.text.length).toBeLessThanOrEqual(320);
        expect(email.subject).not.toMatch(/1[.,]?172/);
      });
    }
  }

  it('writes a fractional percentage for the language: 2,5% in pt-BR, 2.5% in en', () => {
    const half = {
      ...offering,
      offer: { ...offer, discountPercent: 2.5, discounted: { minor: 120_364, currency: 'BRL' } },
    };

    expect(renderEmail('reminder', 'pt-BR', half).text).toContain(
      'desconto de 2,5%: o valor a pagar fica em R$\u00a01.203,64',
    );
    expect(renderSms('reminder', 'en', half).text).toContain('R$1,203.64 (2.5% off)');
  });

  it('says nothing of a discount when the stage makes no offer', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const email = renderEmail('reminder', locale, { ...ctx, daysFromDue: -3 });
      expect(email.text).not.toMatch(/desconto|discount|descuento/i);
    }
  });

  it('refuses an offer in an overdue or final notice, and one that is not the balance less the discount', () => {
    const refused = (template: TemplateName, context: MessageContext) => {
      try {
        renderEmail(template, 'en', context);
      } catch (error) {
        return (error as InvalidMessageContext).issues.map((i) => `${i.path}: ${i.issue}`);
      }
      return [];
    };

    expect(refused('overdue', { ...offering, daysFromDue: 7 })).toEqual([
      'offer: only the templates sent before the due date (reminder, due-today) state an offer, got "overdue"',
      'offer.payBy: must not be before the day the message is sent (7 days from the due date), got 2026-12-10',
    ]);
    expect(refused('final-notice', { ...offering, daysFromDue: 25 })[0]).toMatch(/^offer: only the templates/);
    expect(
      refused('reminder', { ...offering, offer: { ...offer, discounted: { minor: 117_277, currency: 'BRL' } } }),
    ).toEqual(['offer.discounted.minor: must be the balance less 5% = 117278 (rounded half-up), got 117277']);
    expect(
      refused('reminder', { ...offering, offer: { ...offer, discounted: { minor: 117_278, currency: 'USD' } } }),
    ).toEqual(['offer.discounted.currency: must be the balance currency BRL, got "USD"']);
    expect(refused('reminder', { ...offering, offer: { ...offer, payBy: '2026-12-11' } })).toEqual([
      'offer.payBy: must not be after the due date 2026-12-10 (an offer runs until the due date), got 2026-12-11',
    ]);
    expect(refused('reminder', { ...offering, offer: { ...offer, discountPercent: 60 } })[0]).toMatch(
      /^offer\.discountPercent: must be a percentage more than 0 and at most 50/,
    );
    expect(refused('reminder', { ...offering, offer: { ...offer, payBy: '2026-02-30' } })).toEqual([
      'offer.payBy: must be a calendar date YYYY-MM-DD, got "2026-02-30"',
    ]);
  });

  it("states a listed invoice's own offer on its line of a consolidated email", () => {
    const other = {
      invoiceId: 'INV-2026-0043',
      balance: { minor: 50_000, currency: 'BRL' },
      dueDate: '2026-12-10',
      daysFromDue: -3,
      offer: { discountPercent: 5, discounted: { minor: 47_500, currency: 'BRL' }, payBy: '2026-12-10' },
    } as const;

    const email = renderEmail('reminder', 'en', { ...offering, others: [other] });

    expect(email.text).toContain(
      '- Invoice INV-2026-0043, for R$500.00, is due in 3 days (December 10, 2026). If paid by December 10, 2026: R$475.00 (5% off).',
    );
    expect(() =>
      renderEmail('reminder', 'en', {
        ...offering,
        others: [{ ...other, offer: { ...other.offer, payBy: '2026-12-11' } }],
      }),
    ).toThrow('others.0.offer.payBy must not be after the due date');
  });
});

describe("every message links the debtor's statement", () => {
  const statementUrl = 'https://api.example.com/statements/Qy0x.1767225600.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
  const LEAD = {
    'pt-BR': ['Veja todas as suas faturas em aberto e pague online:', 'Seu extrato:'],
    en: ['See all your open invoices and pay online:', 'Your statement:'],
    es: ['Consulte todas sus facturas pendientes y pague en línea:', 'Su estado de cuenta:'],
  } as const;

  for (const locale of SUPPORTED_LOCALES) {
    it(`email and SMS in ${locale}: the link after the payment link, before "if you already paid" (SMS: while it fits)`, () => {
      // Act
      const email = renderEmail('overdue', locale, { ...ctx, statementUrl });
      const sms = renderSms('overdue', locale, { ...ctx, invoice: without(ctx.invoice, 'paymentUrl'), statementUrl });

      // Assess
      const [emailLead, smsLead] = LEAD[locale];
      expect(email.text).toContain(`${emailLead} ${statementUrl}\n\n${ALREADY_PAID[locale]}`);
      expect(email.text.indexOf(statementUrl)).toBeGreaterThan(email.text.indexOf('https://pay.example.com/'));
      expect(email.html).toContain(`href="${statementUrl}"`);
      expect(sms.text).toContain(toGsm7(`${smsLead} ${statementUrl} ${SMS_ALREADY_PAID[locale]}`));
      expect(sms.text.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
    });
  }

  it('drops the link from an SMS before anything else when the SMS would be too long, and keeps it in the email', () => {
    const long = `${statementUrl}${'x'.repeat(120)}`;
    const context: MessageContext = { ...ctx, statementUrl: long };

    const sms = renderSms('final-notice', 'pt-BR', context);

    expect(sms.text).not.toContain(long);
    expect(sms.text).toContain(toGsm7('Exemplo Cobranças Ltda (CNPJ 12.345.678/0001-90)'));
    expect(sms.text.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
    expect(renderEmail('final-notice', 'pt-BR', context).text).toContain(long);
  });

  it('shows a link that is not http(s) as text, never as a link', () => {
    const email = renderEmail('reminder', 'en', { ...ctx, daysFromDue: -3, statementUrl: 'javascript:alert(1)' });

    expect(email.html).not.toContain('href="javascript:');
    expect(email.text).toContain('See all your open invoices and pay online: javascript:alert(1)');
  });
});
