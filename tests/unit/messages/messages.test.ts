import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidMessageContext,
  isGsm7Character,
  type MessageContext,
  renderEmail,
  renderSms,
  resolveLocale,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  type SupportedLocale,
  smsParts,
  toGsm7,
} from '../../../functions/messages';
import { companyShortName } from '../../../functions/messages/company-name';
import { TEMPLATE_NAMES, type TemplateName } from '../../../functions/messages/template-names';
import { formatMoney } from '../../../functions/values/money';

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

/** The days a template is typically sent at. */
const TYPICAL_DAYS: Record<TemplateName, number> = { reminder: -3, 'due-today': 0, overdue: 7, 'final-notice': 25 };
const BALANCE: Record<SupportedLocale, RegExp> = {
  'pt-BR': /R\$\s1\.234,50/,
  en: /R\$1,234\.50/,
  es: /1234,50\sBRL/,
};
const EMAIL_OPT_OUT = {
  'pt-BR': 'com a palavra SAIR',
  en: 'with the word UNSUBSCRIBE',
  es: 'con la palabra BAJA',
} as const;
const SMS_STOP = {
  'pt-BR': 'Responda SAIR para não receber mais SMS',
  en: 'Reply STOP to opt out',
  es: 'Responde BAJA para no recibir más SMS',
} as const;
const ALREADY_PAID = {
  'pt-BR': 'Se você já pagou',
  en: 'If you have already paid',
  es: 'Si ya realizó el pago',
} as const;
const SMS_ALREADY_PAID = { 'pt-BR': 'Se já pagou', en: 'If already paid', es: 'Si ya pagó' } as const;
const DUE_DATE = { 'pt-BR': '10/12/2026', en: 'December 10, 2026', es: '10/12/2026' } as const;

const withInvoice = (changes: Partial<MessageContext['invoice']>): MessageContext => ({
  ...ctx,
  invoice: { ...ctx.invoice, ...changes },
});

describe('every template renders in every language and channel with the facts the debtor needs', () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const template of TEMPLATE_NAMES) {
      const context = { ...ctx, daysFromDue: TYPICAL_DAYS[template] };

      it(`email ${template} in ${locale}: who writes, which invoice, balance, due date, disregard-if-paid, opt-out`, () => {
        // Act
        const email = renderEmail(template, locale, context);

        // Assess
        expect(email.locale).toBe(locale);
        for (const body of [email.html, email.text]) {
          expect(body).toContain('Exemplo Cobranças Ltda — CNPJ 12.345.678/0001-90');
          expect(body).toContain('INV-2026-0042');
          expect(body).toMatch(BALANCE[locale]);
          expect(body).toContain(DUE_DATE[locale]);
          expect(body).toContain('https://pay.example.com/INV-2026-0042');
          expect(body).toContain('financeiro@example.com');
          expect(body).toContain(ALREADY_PAID[locale]);
          expect(body).toContain(EMAIL_OPT_OUT[locale]);
        }
      });

      it(`sms ${template} in ${locale}: who writes, which invoice, balance, due date, link, STOP, within 320 chars`, () => {
        // Act
        const sms = renderSms(template, locale, context);

        // Assess
        expect(sms.locale).toBe(locale);
        expect(sms.text).toContain(toGsm7('Exemplo Cobranças Ltda (CNPJ 12.345.678/0001-90): '));
        expect(sms.text).toContain('INV-2026-0042');
        expect(sms.text).toMatch(BALANCE[locale]);
        expect(sms.text).toContain(DUE_DATE[locale]);
        expect(sms.text).toContain('https://pay.example.com/INV-2026-0042');
        expect(sms.text).toContain(toGsm7(SMS_ALREADY_PAID[locale]));
        expect(sms.text).toContain(toGsm7(SMS_STOP[locale]));
        expect(sms.text.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
      });
    }
  }
});

describe('subjects are neutral: the invoice id, never the amount or other personal details', () => {
  it('names the invoice and leaves the balance, name and description out, in every template and language', () => {
    // Prepare
    const context = withInvoice({ description: 'Mensalidade escolar' });

    for (const locale of SUPPORTED_LOCALES) {
      for (const template of TEMPLATE_NAMES) {
        // Act
        const { subject } = renderEmail(template, locale, { ...context, daysFromDue: TYPICAL_DAYS[template] });

        // Assess
        expect(subject).toContain('INV-2026-0042');
        expect(subject).not.toMatch(/1[.,]?234/);
        expect(subject).not.toContain('Maria');
        expect(subject).not.toContain('Mensalidade');
      }
    }
  });

  it('reads like the brief: "Lembrete: fatura 123 vence em 3 dias"', () => {
    expect(renderEmail('reminder', 'pt-BR', { ...withInvoice({ invoiceId: '123' }), daysFromDue: -3 }).subject).toBe(
      'Lembrete: fatura 123 vence em 3 dias',
    );
  });
});

describe('the wording follows the actual days from the due date (a deferred send stays truthful)', () => {
  const cases: [SupportedLocale, TemplateName, number, string][] = [
    ['pt-BR', 'reminder', -3, 'vence em 3 dias'],
    ['pt-BR', 'reminder', -1, 'vence amanhã'],
    ['pt-BR', 'due-today', 0, 'vence hoje'],
    ['pt-BR', 'due-today', 1, 'venceu ontem'],
    ['pt-BR', 'overdue', 7, 'venceu há 7 dias'],
    ['en', 'reminder', -3, 'is due in 3 days'],
    ['en', 'reminder', -1, 'is due tomorrow'],
    ['en', 'due-today', 0, 'is due today'],
    ['en', 'due-today', 1, 'was due yesterday'],
    ['en', 'overdue', 7, 'was due 7 days ago'],
    ['es', 'reminder', -3, 'vence en 3 días'],
    ['es', 'reminder', -1, 'vence mañana'],
    ['es', 'due-today', 0, 'vence hoy'],
    ['es', 'due-today', 1, 'venció ayer'],
    ['es', 'overdue', 7, 'venció hace 7 días'],
  ];
  for (const [locale, template, daysFromDue, phrase] of cases) {
    it(`${template} in ${locale} at ${daysFromDue} days says "${phrase}" in the email and the SMS`, () => {
      // Act
      const email = renderEmail(template, locale, { ...ctx, daysFromDue });
      const sms = renderSms(template, locale, { ...ctx, daysFromDue });

      // Assess
      expect(email.text).toContain(phrase);
      expect(email.html).toContain(phrase);
      if (template !== 'overdue') expect(email.subject).toContain(phrase);
      expect(sms.text).toContain(toGsm7(phrase));
    });
  }

  it('announces the escalation to the collections team in the final notice, in every language', () => {
    expect(renderEmail('final-notice', 'pt-BR', ctx).text).toContain('último aviso antes de encaminharmos');
    expect(renderEmail('final-notice', 'en', ctx).text).toContain('final notice before the invoice is referred');
    expect(renderEmail('final-notice', 'es', ctx).text).toContain('último aviso antes de remitir');
    expect(renderSms('final-notice', 'pt-BR', ctx).text).toContain(toGsm7('equipe de cobrança'));
    expect(renderSms('final-notice', 'en', ctx).text).toContain('collections team');
    expect(renderSms('final-notice', 'es', ctx).text).toContain('equipo de cobranza');
  });
});

describe('money is the balance, formatted for the language from exact minor units', () => {
  it('writes BRL as "R$ 1.234,50" in pt-BR and USD as "$1,234.50" in en', () => {
    expect(renderEmail('overdue', 'pt-BR', ctx).text).toMatch(/R\$\s1\.234,50/);
    const usd = withInvoice({
      amount: { minor: 123450, currency: 'USD' },
      balance: { minor: 123450, currency: 'USD' },
    });
    expect(renderEmail('overdue', 'en', usd).text).toContain('$1,234.50');
  });

  it('writes JPY without decimals', () => {
    // Prepare
    const jpy = withInvoice({ amount: { minor: 5000, currency: 'JPY' }, balance: { minor: 5000, currency: 'JPY' } });

    // Act
    const sms = renderSms('overdue', 'en', jpy).text;

    // Assess
    expect(sms).toContain('¥5,000 ');
    expect(sms).not.toContain('5,000.');
  });

  it('shows the balance as the amount due and the original amount only when part was paid', () => {
    // Prepare
    const partlyPaid = withInvoice({ amount: { minor: 150000, currency: 'BRL' } });

    // Act
    const partly = renderEmail('overdue', 'pt-BR', partlyPaid).text;
    const whole = renderEmail('overdue', 'pt-BR', ctx).text;

    // Assess
    expect(partly).toMatch(/Saldo em aberto: R\$\s1\.234,50/);
    expect(partly).toMatch(/Valor original: R\$\s1\.500,00/);
    expect(whole).not.toContain('Valor original');
    expect(renderSms('overdue', 'pt-BR', partlyPaid).text).not.toMatch(/1\.500/);
  });
});

/** R$ 1.234,50 after 15 days at 2% fine and 1% a month: fine R$ 24,69, interest R$ 6,17, updated R$ 1.265,36. */
const lateFees = {
  fine: { minor: 2_469, currency: 'BRL' },
  interest: { minor: 617, currency: 'BRL' },
  total: { minor: 126_536, currency: 'BRL' },
};
const withFees: MessageContext = { ...ctx, daysFromDue: 15, lateFees };
const money = (minor: number, locale: SupportedLocale) => formatMoney({ minor, currency: 'BRL' }, locale);
const FEE_SENTENCE: Record<SupportedLocale, (fine: string, interest: string, total: string) => string> = {
  'pt-BR': (f, i, t) => `Com a multa por atraso de ${f} e juros de ${i}, o valor atualizado é de ${t}.`,
  en: (f, i, t) => `With the late-payment fine of ${f} and interest of ${i}, the updated amount is ${t}.`,
  es: (f, i, t) => `Con la multa por atraso de ${f} y los intereses de ${i}, el importe actualizado es de ${t}.`,
};
/** The SMS states the updated amount, then its breakdown in plain numbers. */
const SMS_FEES: Record<SupportedLocale, string> = {
  'pt-BR': 'R$\u00a01.265,36 (saldo 1.234,50 + multa 24,69 + juros 6,17)',
  en: 'R$1,265.36 (balance 1,234.50 + fine 24.69 + interest 6.17)',
  es: '1265,36\u00a0BRL (saldo 1234,50 + multa 24,69 + intereses 6,17)',
};
const FEE_ROWS: Record<SupportedLocale, [string, string, string]> = {
  'pt-BR': ['Multa', 'Juros', 'Valor atualizado'],
  en: ['Late fine', 'Interest', 'Updated amount'],
  es: ['Multa por atraso', 'Intereses', 'Importe actualizado'],
};

describe('post-due messages show the updated amount with the late fees, when the rule charges them', () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const template of ['overdue', 'final-notice'] as const) {
      it(`${template} in ${locale}: the fees and the updated amount in the email body, its details and the SMS`, () => {
        // Prepare
        const [fine, interest, total] = [2_469, 617, 126_536].map((minor) => money(minor, locale)) as [
          string,
          string,
          string,
        ];
        const [fineRow, interestRow, totalRow] = FEE_ROWS[locale];

        // Act
        const email = renderEmail(template, locale, withFees);
        const sms = renderSms(template, locale, withFees);

        // Assess
        for (const body of [email.html, email.text]) {
          expect(body).toContain(FEE_SENTENCE[locale](fine, interest, total));
          expect(body).toMatch(BALANCE[locale]);
        }
        expect(email.text).toContain(`${fineRow}: ${fine}\n${interestRow}: ${interest}\n${totalRow}: ${total}`);
        // stated right after the first paragraph of the template
        const paragraphs = email.text.split('\n\n');
        expect(paragraphs[2]).toBe(FEE_SENTENCE[locale](fine, interest, total));
        expect(sms.text).toContain(toGsm7(SMS_FEES[locale]));
        expect(sms.text.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
        expect(email.subject).not.toMatch(/1[.,]?265/);
      });
    }
  }

  it('leaves the fees out of the reminders, and out of every message when the rule charges none', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const template of TEMPLATE_NAMES) {
        // Act
        const charged = renderEmail(template, locale, { ...withFees, daysFromDue: TYPICAL_DAYS[template] });
        const uncharged = renderEmail(template, locale, { ...ctx, daysFromDue: TYPICAL_DAYS[template] });
        const unchargedSms = renderSms(template, locale, { ...ctx, daysFromDue: TYPICAL_DAYS[template] });

        // Assess
        const feesShown = charged.text.includes(FEE_ROWS[locale][2]);
        expect(feesShown).toBe(template === 'overdue' || template === 'final-notice');
        expect(uncharged.text).not.toContain(FEE_ROWS[locale][2]);
        expect(uncharged.text).not.toContain(FEE_ROWS[locale][1]);
        expect(unchargedSms.text).not.toMatch(/1[.,]?265/);
      }
    }
  });

  it('refuses fees in another currency or that do not add up to the updated amount', () => {
    // Prepare
    const otherCurrency = { ...lateFees, fine: { minor: 2_469, currency: 'USD' } };
    const wrongTotal = { ...lateFees, total: { minor: 126_000, currency: 'BRL' } };
    const fractional = { ...lateFees, interest: { minor: 6.17, currency: 'BRL' } };

    // Act
    const issues = (fees: MessageContext['lateFees']) => {
      try {
        renderSms('overdue', 'en', { ...withFees, lateFees: fees });
      } catch (error) {
        return (error as InvalidMessageContext).issues.map((i) => `${i.path} ${i.issue}`);
      }
      return [];
    };

    // Assess
    expect(issues(otherCurrency)).toEqual(['lateFees.fine.currency must be the balance currency BRL, got "USD"']);
    expect(issues(wrongTotal)).toEqual(['lateFees.total.minor must be balance + fine + interest = 126536, got 126000']);
    expect(issues(fractional)).toEqual([
      'lateFees.interest.minor must be a non-negative whole number of minor units, got 6.17',
    ]);
  });
});

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

describe('due dates are written for the language from the YYYY-MM-DD string, with no time-zone shift', () => {
  it('writes 2026-11-20 as 20/11/2026 (pt-BR, es) and November 20, 2026 (en)', () => {
    const context = withInvoice({ dueDate: '2026-11-20' });
    expect(renderEmail('reminder', 'pt-BR', context).text).toContain('20/11/2026');
    expect(renderEmail('reminder', 'es', context).text).toContain('20/11/2026');
    expect(renderEmail('reminder', 'en', context).text).toContain('November 20, 2026');
  });

  it('agrees with Intl read in UTC for every date (property)', () => {
    const dates = fc
      .date({ min: new Date('1901-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    const inUtc = (locale: string, options: Intl.DateTimeFormatOptions) => (isoDate: string) =>
      new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
    const enLong = inUtc('en', { dateStyle: 'long' });
    const numeric = inUtc('pt-BR', { day: '2-digit', month: '2-digit', year: 'numeric' });
    fc.assert(
      fc.property(dates, (dueDate) => {
        const context = withInvoice({ dueDate });
        expect(renderSms('due-today', 'en', context).text).toContain(`(${enLong(dueDate)})`);
        expect(renderSms('due-today', 'pt-BR', context).text).toContain(`(${numeric(dueDate)})`);
        expect(renderSms('due-today', 'es', context).text).toContain(`(${numeric(dueDate)})`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the language is resolved from the debtor locale, falling back to English', () => {
  it.each([
    ['pt-BR', 'pt-BR'],
    ['PT-br', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['pt_BR', 'pt-BR'],
    ['es', 'es'],
    ['es-MX', 'es'],
    ['es-AR', 'es'],
    ['en-GB', 'en'],
    ['fr', 'en'],
    ['de-DE', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('resolves %s to %s', (requested, expected) => {
    expect(resolveLocale(requested)).toBe(expected);
  });

  it('always picks a supported language, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (requested) => {
        expect(SUPPORTED_LOCALES).toContain(resolveLocale(requested));
        expect(resolveLocale(requested.toUpperCase())).toBe(resolveLocale(requested.toLowerCase()));
      }),
    );
  });

  it('renders an unknown locale in English', () => {
    expect(renderEmail('reminder', 'fr', ctx).locale).toBe('en');
    expect(renderSms('reminder', undefined, ctx).text).toContain('Reply STOP to opt out');
  });
});

describe('the email HTML and its text alternative carry the same content', () => {
  it('puts every fact, the payment link, the support contact and the description in both', () => {
    // Prepare
    const context = withInvoice({ description: 'Plano anual' });

    // Act
    const email = renderEmail('overdue', 'en', context);

    // Assess
    for (const fact of [
      'Hello Maria Silva,',
      'Invoice:',
      'INV-2026-0042',
      'Balance due:',
      'R$1,234.50',
      'Due date:',
      'December 10, 2026',
      'Description:',
      'Plano anual',
      'To pay, visit:',
      'https://pay.example.com/INV-2026-0042',
      'Questions? Contact us: financeiro@example.com',
      'Kind regards,',
      'Exemplo Cobranças Ltda — CNPJ 12.345.678/0001-90',
      'reply to this message with the word UNSUBSCRIBE',
    ]) {
      expect(email.html).toContain(fact);
      expect(email.text).toContain(fact);
    }
    expect(email.text).not.toMatch(/<[a-z/]/i);
    expect(email.html).toContain('<a href="https://pay.example.com/INV-2026-0042"');
    expect(email.html).toMatch(/^<!doctype html>\n<html lang="en">/);
  });

  it('leaves out the payment, support and description parts when they are not given', () => {
    // Prepare
    const bare: MessageContext = {
      ...ctx,
      company: { legalName: 'Exemplo Cobranças Ltda', taxId: 'CNPJ 12.345.678/0001-90' },
      invoice: { ...ctx.invoice, paymentUrl: undefined },
    };

    // Act
    const email = renderEmail('reminder', 'en', bare);
    const sms = renderSms('reminder', 'en', bare);

    // Assess
    for (const body of [email.html, email.text]) {
      expect(body).not.toContain('To pay, visit');
      expect(body).not.toContain('Questions?');
      expect(body).not.toContain('Description:');
    }
    expect(email.html).not.toContain('<a ');
    expect(sms.text).not.toContain('Pay at');
  });

  it('links the unsubscribe URL when there is one, instead of the reply instruction', () => {
    // Prepare
    const context = { ...ctx, optOut: { unsubscribeUrl: 'https://example.com/unsubscribe?t=a&u=b' } };

    // Act
    const email = renderEmail('reminder', 'pt-BR', context);

    // Assess
    expect(email.html).toContain(
      'Para não receber mais estes e-mails, acesse: <a href="https://example.com/unsubscribe?t=a&amp;u=b">',
    );
    expect(email.text).toContain(
      'Para não receber mais estes e-mails, acesse: https://example.com/unsubscribe?t=a&u=b',
    );
    expect(email.text).not.toContain('responda a esta mensagem');
  });

  it('greets without a name when the customer name is blank', () => {
    expect(renderEmail('reminder', 'pt-BR', { ...ctx, customer: { name: ' \n ' } }).text).toMatch(/^Olá\.\n/);
    expect(renderEmail('reminder', 'en', { ...ctx, customer: { name: '' } }).text).toMatch(/^Hello,\n/);
  });
});

describe('an SMS stays short and names the company as fully as fits', () => {
  it('stays within 320 characters for typical contexts in every template and language (property)', () => {
    const typical = fc.record({
      legalName: fc.stringMatching(/^[A-Za-zÀ-ú][A-Za-zÀ-ú .]{2,38}[A-Za-z]$/),
      invoiceId: fc.stringMatching(/^[A-Z0-9-]{1,20}$/),
      path: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
      minor: fc.integer({ min: 0, max: 99_999_999_99 }),
      currency: fc.constantFrom('BRL', 'USD', 'EUR', 'MXN', 'JPY'),
      daysFromDue: fc.integer({ min: -30, max: 120 }),
      template: fc.constantFrom(...TEMPLATE_NAMES),
      locale: fc.constantFrom(...SUPPORTED_LOCALES),
      // late fees as a rule could charge them: fine up to 20%, interest up to 10% a month for 120 days
      fees: fc.option(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 40 })), { nil: undefined }),
    });
    fc.assert(
      fc.property(typical, (t) => {
        const money = { minor: t.minor, currency: t.currency };
        const context: MessageContext = {
          ...ctx,
          company: { legalName: t.legalName, taxId: 'CNPJ 12.345.678/0001-90' },
          invoice: {
            ...ctx.invoice,
            invoiceId: t.invoiceId,
            amount: money,
            balance: money,
            paymentUrl: `https://pay.example.com/${t.path}`,
          },
          daysFromDue: t.daysFromDue,
          ...(t.fees === undefined
            ? {}
            : {
                lateFees: {
                  fine: { minor: Math.floor((t.minor * t.fees[0]) / 100), currency: t.currency },
                  interest: { minor: Math.floor((t.minor * t.fees[1]) / 100), currency: t.currency },
                  total: {
                    minor: t.minor + Math.floor((t.minor * t.fees[0]) / 100) + Math.floor((t.minor * t.fees[1]) / 100),
                    currency: t.currency,
                  },
                },
              }),
        };
        expect(renderSms(t.template, t.locale, context).text.length).toBeLessThanOrEqual(320);
      }),
      { numRuns: 500 },
    );
  });

  it('drops the tax id, then the legal form, when the full identification would pass the target length', () => {
    // Prepare
    // 50 characters of path: 317 characters with the tax id, 291 without it; with the longer name, 302 with the
    // legal form and 297 without it.
    const longUrl = `https://pay.example.com/${'x'.repeat(50)}`;
    const context = withInvoice({ paymentUrl: longUrl });
    const longerName = { ...context, company: { ...ctx.company, legalName: 'Exemplo Cobranças e Serviços Ltda' } };

    // Act
    const sms = renderSms('final-notice', 'es', context).text;
    const shorter = renderSms('final-notice', 'es', longerName).text;

    // Assess
    expect(sms).toMatch(/^Exemplo Cobrancas Ltda: /);
    expect(sms.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
    expect(shorter).toMatch(/^Exemplo Cobrancas e Servicos: /);
    expect(shorter.length).toBeLessThanOrEqual(SMS_TARGET_LENGTH);
  });

  it.each([
    ['Exemplo Cobranças Ltda', 'Exemplo Cobranças'],
    ['Exemplo Cobranças LTDA.', 'Exemplo Cobranças'],
    ['Banco Exemplo S.A.', 'Banco Exemplo'],
    ['Cobros del Sur S.A. de C.V.', 'Cobros del Sur'],
    ['Acme, Inc.', 'Acme'],
    ['Widgets LLC', 'Widgets'],
    ['Ltda', 'Ltda'],
    ['Mercado Livre', 'Mercado Livre'],
  ])('shortens "%s" to "%s"', (legalName, shortName) => {
    expect(companyShortName(legalName)).toBe(shortName);
  });
});

describe('a context that cannot make a correct message is refused, naming each field', () => {
  it('lists every bad field with the reason', () => {
    // Prepare
    const bad: MessageContext = {
      ...ctx,
      company: { legalName: '  ', taxId: '' },
      invoice: {
        ...ctx.invoice,
        invoiceId: '',
        dueDate: '2026-02-30',
        balance: { minor: 12.5, currency: 'XYZ1' },
      },
      daysFromDue: Number.NaN,
    };

    // Act
    const attempt = () => renderEmail('reminder', 'en', bad);

    // Assess
    expect(attempt).toThrow(InvalidMessageContext);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidMessageContext).issues.map((i) => i.path)).toEqual([
        'company.legalName',
        'company.taxId',
        'invoice.invoiceId',
        'invoice.balance.minor',
        'invoice.balance.currency',
        'invoice.dueDate',
        'daysFromDue',
      ]);
      expect((error as Error).message).toContain(
        'invoice.dueDate must be a calendar date YYYY-MM-DD, got "2026-02-30"',
      );
    }
  });

  it('refuses a template that does not exist, for email and SMS', () => {
    const unknown = 'welcome' as TemplateName;
    expect(() => renderEmail(unknown, 'en', ctx)).toThrow(
      'template must be one of reminder, due-today, overdue, final-notice, got "welcome"',
    );
    expect(() => renderSms(unknown, 'en', ctx)).toThrow(InvalidMessageContext);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(renderEmail('reminder', 'en', withInvoice({ dueDate: '2028-02-29' })).text).toContain('February 29, 2028');
    expect(() => renderEmail('reminder', 'en', withInvoice({ dueDate: '2027-02-29' }))).toThrow('invoice.dueDate');
    expect(() => renderEmail('reminder', 'en', withInvoice({ dueDate: '2026-12-10T00:00:00Z' }))).toThrow(
      'invoice.dueDate',
    );
  });
});

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
      const sms = renderSms('overdue', locale, { ...withInvoice({ paymentUrl: undefined }), statementUrl });

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

describe('an SMS is written in the GSM-7 alphabet, so that it costs 2 parts rather than 5', () => {
  it('folds the accents the alphabet lacks and keeps those it has', () => {
    expect(toGsm7('Cobranças: não, até, você, días, último, señor, Ç, é, ü')).toBe(
      'Cobrancas: nao, até, voce, dias, ultimo, señor, Ç, é, ü',
    );
    expect(toGsm7('R$\u00a01.234,50 – “pague” … 1º')).toBe('R$ 1.234,50 - "pague" ... 1o');
    expect(toGsm7('emoji 😀 and 中')).toBe('emoji ? and ?');
  });

  it('leaves plain ASCII unchanged, and always returns GSM-7 text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' !"#%&()*+,-./0123456789:;<=>?ABCXYZabcxyz') }), (ascii) => {
        expect(toGsm7(ascii)).toBe(ascii);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const folded = toGsm7(text);
        expect([...folded].every(isGsm7Character)).toBe(true);
        expect([...folded].length).toBeGreaterThanOrEqual([...text].length); // every character stands somewhere
        expect(toGsm7(folded)).toBe(folded);
      }),
      { numRuns: 2000 },
    );
  });

  it('sends every template in every language within 2 parts for a typical invoice', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const template of TEMPLATE_NAMES) {
        const sms = renderSms(template, locale, { ...ctx, daysFromDue: TYPICAL_DAYS[template] });
        expect(toGsm7(sms.text)).toBe(sms.text);
        expect(smsParts(sms.text), `${template} ${locale}: ${sms.text}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('counts parts as the carriers do: 160/153 septets in GSM-7 (extension characters twice), 70/67 in UCS-2', () => {
    expect(smsParts('a'.repeat(160))).toBe(1);
    expect(smsParts('a'.repeat(161))).toBe(2);
    expect(smsParts('a'.repeat(306))).toBe(2);
    expect(smsParts('€'.repeat(80))).toBe(1);
    expect(smsParts('€'.repeat(81))).toBe(2);
    expect(smsParts('ã'.repeat(70))).toBe(1);
    expect(smsParts('ã'.repeat(71))).toBe(2);
    expect(smsParts(`${'a'.repeat(299)}ã`)).toBe(5);
  });
});
