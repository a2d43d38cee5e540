import { describe, expect, it } from 'vitest';
import {
  renderEmail,
  renderSms,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  type SupportedLocale,
  toGsm7,
} from '../../../functions/messages';
import { TEMPLATE_NAMES, type TemplateName } from '../../../functions/messages/template-names';
import {
  ALREADY_PAID,
  BALANCE,
  ctx,
  SMS_ALREADY_PAID,
  SMS_STOP,
  TYPICAL_DAYS,
  withInvoice,
} from '../../support/message-context';

const EMAIL_OPT_OUT = {
  'pt-BR': 'com a palavra SAIR',
  en: 'with the word UNSUBSCRIBE',
  es: 'con la palabra BAJA',
} as const;

const DUE_DATE = { 'pt-BR': '10/12/2026', en: 'December 10, 2026', es: '10/12/2026' } as const;

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
