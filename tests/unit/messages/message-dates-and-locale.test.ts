import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderEmail, renderSms, resolveLocale, SUPPORTED_LOCALES } from '../../../functions/messages';
import { ctx, withInvoice } from '../../support/message-context';

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
