import { describe, expect, it } from 'vitest';
import {
  type InvalidMessageContext,
  type MessageContext,
  renderEmail,
  renderSms,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  type SupportedLocale,
  toGsm7,
} from '../../../functions/messages';
import { TEMPLATE_NAMES } from '../../../functions/messages/template-names';
import { formatMoney } from '../../../functions/values/money';
import { BALANCE, ctx, TYPICAL_DAYS, withInvoice } from '../../support/message-context';

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
const money = (minor: number, locale: SupportedLocale) => formatMoney({ minor, currency: 'BRL' }, locale);
const withFees: MessageContext = { ...ctx, daysFromDue: 15, lateFees };

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
    const issues = (fees: NonNullable<MessageContext['lateFees']>) => {
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
