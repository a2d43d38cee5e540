import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isGsm7Character,
  type MessageContext,
  renderSms,
  SMS_TARGET_LENGTH,
  SUPPORTED_LOCALES,
  smsParts,
  toGsm7,
} from '../../../functions/messages';
import { companyShortName } from '../../../functions/messages/company-name';
import { TEMPLATE_NAMES } from '../../../functions/messages/template-names';
import { ctx, TYPICAL_DAYS, withInvoice } from '../../support/message-context';

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
