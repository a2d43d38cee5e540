import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidMessageContext,
  type MessageContext,
  renderEmail,
  renderSms,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  toGsm7,
} from '../../../functions/messages';
import { TEMPLATE_NAMES } from '../../../functions/messages/template-names';
import { ALREADY_PAID, ctx, SMS_STOP, withInvoice } from '../../support/message-context';

describe('a consolidated message lists the other open invoices and the total owed across all of them', () => {
  /** The invoice (R$ 1.234,50, D+7) and two more: one due in 3 days with a payment link, one 12 days late without. */
  const others: NonNullable<MessageContext['others']> = [
    {
      invoiceId: 'INV-2026-0043',
      balance: { minor: 50_000, currency: 'BRL' },
      dueDate: '2026-12-20',
      daysFromDue: -3,
      paymentUrl: 'https://pay.example.com/INV-2026-0043',
    },
    { invoiceId: 'INV-2026-0044', balance: { minor: 1_050, currency: 'BRL' }, dueDate: '2026-12-05', daysFromDue: 12 },
  ];
  const consolidated: MessageContext = { ...ctx, others };
  const EXPECTED = {
    'pt-BR': {
      lead: 'Você também tem estas 2 outras faturas em aberto:',
      first:
        'Fatura INV-2026-0043, no valor de R$\u00a0500,00, vence em 3 dias (20/12/2026). Para pagar, acesse: https://pay.example.com/INV-2026-0043',
      second: 'Fatura INV-2026-0044, no valor de R$\u00a010,50, venceu há 12 dias (05/12/2026).',
      total: 'Saldo total (3 faturas): R$\u00a01.745,00',
      sms: '+2 outras faturas, total R$\u00a01.745,00.',
    },
    en: {
      lead: 'You also have these 2 other open invoices:',
      first:
        'Invoice INV-2026-0043, for R$500.00, is due in 3 days (December 20, 2026). To pay, visit: https://pay.example.com/INV-2026-0043',
      second: 'Invoice INV-2026-0044, for R$10.50, was due 12 days ago (December 5, 2026).',
      total: 'Total balance (3 invoices): R$1,745.00',
      sms: '+2 other invoices, total R$1,745.00.',
    },
    es: {
      lead: 'También tiene estas 2 otras facturas pendientes:',
      first:
        'Factura INV-2026-0043, por 500,00\u00a0BRL, vence en 3 días (20/12/2026). Para pagar, visite: https://pay.example.com/INV-2026-0043',
      second: 'Factura INV-2026-0044, por 10,50\u00a0BRL, venció hace 12 días (05/12/2026).',
      total: 'Saldo total (3 facturas): 1745,00\u00a0BRL',
      sms: '+2 facturas más, total 1745,00\u00a0BRL.',
    },
  } as const;

  for (const locale of SUPPORTED_LOCALES) {
    it(`email in ${locale}: after the invoice's own details, each other invoice and the total`, () => {
      // Act
      const email = renderEmail('overdue', locale, consolidated);

      // Assess: the text alternative, in order, right before "if you already paid"
      const expected = EXPECTED[locale];
      const block = `${expected.lead}\n\n- ${expected.first}\n- ${expected.second}\n\n${expected.total}\n\n${ALREADY_PAID[locale]}`;
      expect(email.text).toContain(block);
      // the HTML: a list, the other invoice's payment link a link, the total in a details block
      expect(email.html).toContain('<ul style=');
      expect(email.html).toContain(
        '<a href="https://pay.example.com/INV-2026-0043">https://pay.example.com/INV-2026-0043</a></li>',
      );
      expect(email.html).toContain(
        `<strong>${expected.total.split(': ')[0]}:</strong> ${expected.total.split(': ')[1]}</p>`,
      );
      // the invoice's own part is unchanged
      expect(email.subject).toBe(renderEmail('overdue', locale, ctx).subject);
      expect(email.text).toContain(renderEmail('overdue', locale, ctx).text.split('\n\n').slice(0, 4).join('\n\n'));
    });

    it(`sms in ${locale}: the count of the other invoices and the total, within the length limit`, () => {
      // Act
      const sms = renderSms('overdue', locale, consolidated);

      // Assess
      expect(sms.text).toContain(toGsm7(` ${EXPECTED[locale].sms} `));
      expect(sms.text).toContain('INV-2026-0042');
      expect(sms.text).toContain(toGsm7(SMS_STOP[locale]));
      expect(sms.text.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
    });
  }

  it('says "one other invoice" for one', () => {
    const one = { ...ctx, others: others.slice(1) };
    expect(renderEmail('reminder', 'pt-BR', one).text).toContain('Você também tem esta outra fatura em aberto:');
    expect(renderEmail('reminder', 'en', one).text).toContain('Total balance (2 invoices): R$1,245.00');
    expect(renderSms('reminder', 'es', one).text).toContain(toGsm7('+1 factura más, total 1245,00\u00a0BRL.'));
  });

  it('gives each invoice in its own currency and one total per currency, never adding two currencies', () => {
    // Prepare
    const mixed: MessageContext = {
      ...ctx,
      others: [{ ...others[1], invoiceId: 'US-1', balance: { minor: 2_500, currency: 'USD' } } as (typeof others)[1]],
    };

    // Act
    const email = renderEmail('overdue', 'pt-BR', mixed);
    const sms = renderSms('overdue', 'en', mixed);

    // Assess
    expect(email.text).toContain('- Fatura US-1, no valor de US$\u00a025,00,');
    expect(email.text).toContain('Saldo total (2 faturas): R$\u00a01.234,50 + US$\u00a025,00');
    expect(sms.text).toContain('+1 other invoice, total R$1,234.50 + $25.00.');
  });

  it('keeps the count and drops the total from the SMS when the total would pass the target length', () => {
    // Prepare: a long payment link and three currencies: with the total, not even the short sender fits
    const longUrl = `https://pay.example.com/${'x'.repeat(30)}`;
    const context: MessageContext = {
      ...withInvoice({ paymentUrl: longUrl }),
      others: ['USD', 'EUR', 'MXN'].map((currency, i) => ({
        invoiceId: `O-${i}`,
        balance: { minor: 999_999_99, currency },
        dueDate: '2026-12-01',
        daysFromDue: 9,
      })),
    };

    // Act
    const sms = renderSms('final-notice', 'es', context).text;

    // Assess
    expect(sms).toContain(toGsm7(' +3 facturas pendientes más. '));
    expect(sms).not.toContain('total');
    expect(sms.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
  });

  it('stays within 320 characters with up to 9 other invoices in up to 3 currencies (property)', () => {
    const typical = fc.record({
      legalName: fc.stringMatching(/^[A-Za-zÀ-ú][A-Za-zÀ-ú .]{2,38}[A-Za-z]$/),
      invoiceId: fc.stringMatching(/^[A-Z0-9-]{1,20}$/),
      path: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
      template: fc.constantFrom(...TEMPLATE_NAMES),
      locale: fc.constantFrom(...SUPPORTED_LOCALES),
      others: fc.array(
        fc.record({
          minor: fc.integer({ min: 0, max: 99_999_999_99 }),
          currency: fc.constantFrom('BRL', 'USD', 'EUR'),
          daysFromDue: fc.integer({ min: -30, max: 120 }),
        }),
        { minLength: 1, maxLength: 9 },
      ),
    });
    fc.assert(
      fc.property(typical, (t) => {
        const context: MessageContext = {
          ...ctx,
          company: { legalName: t.legalName, taxId: 'CNPJ 12.345.678/0001-90' },
          invoice: { ...ctx.invoice, invoiceId: t.invoiceId, paymentUrl: `https://pay.example.com/${t.path}` },
          others: t.others.map((o, i) => ({
            invoiceId: `OTHER-${i}`,
            balance: { minor: o.minor, currency: o.currency },
            dueDate: '2026-12-01',
            daysFromDue: o.daysFromDue,
          })),
        };
        expect(renderSms(t.template, t.locale, context).text.length).toBeLessThanOrEqual(320);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses other invoices that are not real or repeat one, naming each field', () => {
    // Prepare
    const bad: MessageContext = {
      ...ctx,
      others: [
        { invoiceId: ' ', balance: { minor: 100, currency: 'BRL' }, dueDate: '2026-12-01', daysFromDue: 9 },
        { invoiceId: 'INV-2026-0042', balance: { minor: -1, currency: 'BRL' }, dueDate: '2026-12-01', daysFromDue: 9 },
        { invoiceId: 'X-1', balance: { minor: 100, currency: 'REAIS' }, dueDate: '2026-13-01', daysFromDue: 1.5 },
        { invoiceId: 'X-1', balance: { minor: 100, currency: 'BRL' }, dueDate: '2026-12-01', daysFromDue: 9 },
      ],
    };

    // Act
    const attempt = () => renderEmail('reminder', 'en', bad);

    // Assess
    expect(attempt).toThrow(InvalidMessageContext);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidMessageContext).issues.map((i) => `${i.path} ${i.issue}`)).toEqual([
        'others.0.invoiceId must not be empty',
        'others.1.invoiceId must list each invoice once, "INV-2026-0042" is already in the message',
        'others.1.balance.minor must be a non-negative whole number of minor units, got -1',
        'others.2.balance.currency must be an ISO-4217 currency code, got "REAIS"',
        'others.2.dueDate must be a calendar date YYYY-MM-DD, got "2026-13-01"',
        'others.2.daysFromDue must be a whole number of days, got 1.5',
        'others.3.invoiceId must list each invoice once, "X-1" is already in the message',
      ]);
    }
    expect(() => renderSms('reminder', 'en', bad)).toThrow('others.2.dueDate');
  });

  it('refuses balances whose total cannot be stated exactly', () => {
    const huge = { minor: Number.MAX_SAFE_INTEGER - 10, currency: 'BRL' };
    const context: MessageContext = {
      ...ctx,
      others: [{ invoiceId: 'BIG', balance: huge, dueDate: '2026-12-01', daysFromDue: 9 }],
    };
    expect(() => renderSms('reminder', 'en', context)).toThrow(
      'others the balances in BRL add up to more than can be stated exactly',
    );
  });
});
