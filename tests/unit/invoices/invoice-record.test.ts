import { describe, expect, it } from 'vitest';
import { validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';
import { MAX_DESCRIPTION_LENGTH, MAX_FIELD_LENGTH, MAX_ID_LENGTH } from '../../../functions/invoices/input/limits';
import { issuesOf, valid } from '../../support/invoice-records';

describe('validating an invoice record', () => {
  it('turns a complete record into a registration with the customer nested and the amount in minor units', () => {
    const result = validateInvoiceRecord(valid);

    expect(result).toEqual({
      ok: true,
      value: {
        invoiceId: 'INV-2026-0001',
        customer: {
          customerId: 'C-1001',
          name: 'Ana Beatriz Souza',
          email: 'ana.souza@example.com',
          phone: '+5511987650001',
          timezone: 'America/Sao_Paulo',
          locale: 'pt-BR',
          country: 'BR',
          region: 'SP',
        },
        amount: { minor: 123450, currency: 'BRL' },
        dueDate: '2026-12-15',
        registeredAt: '2026-11-20T12:00:00.000Z',
        paymentUrl: 'https://pay.example.com/i/INV-2026-0001',
        description: 'Mensalidade plano Essencial - dezembro',
      },
    });
  });

  it('normalises what it safely can: trims, upper-cases codes, strips phone punctuation, converts instants to UTC', () => {
    const result = validateInvoiceRecord({
      ...valid,
      invoiceId: '  INV-9 ',
      customerName: ' Ana ',
      currency: 'brl',
      country: 'br',
      region: 'sp',
      locale: 'pt_br',
      timezone: 'america/sao_paulo',
      phone: '+55 (11) 98765-0001',
      registeredAt: '2026-11-20T09:00:00-03:00',
    });

    expect(result.ok && result.value).toMatchObject({
      invoiceId: 'INV-9',
      customer: {
        name: 'Ana',
        country: 'BR',
        region: 'SP',
        locale: 'pt-BR',
        timezone: 'America/Sao_Paulo',
        phone: '+5511987650001',
      },
      amount: { currency: 'BRL' },
      registeredAt: '2026-11-20T12:00:00.000Z',
    });
  });

  it('treats empty cells and nulls as absent, and leaves absent optional fields out of the result', () => {
    const result = validateInvoiceRecord({
      invoiceId: 'INV-1',
      customerId: 'C-1',
      customerName: 'Ana',
      amount: '10',
      currency: 'JPY',
      dueDate: '2026-12-01',
      email: '',
      phone: '   ',
      timezone: null,
      description: '',
    });

    expect(result).toEqual({
      ok: true,
      value: {
        invoiceId: 'INV-1',
        customer: { customerId: 'C-1', name: 'Ana' },
        amount: { minor: 10, currency: 'JPY' },
        dueDate: '2026-12-01',
      },
    });
  });

  it('ignores unknown columns', () => {
    const result = validateInvoiceRecord({ ...valid, segment: 'gold', notes: '=SUM(A1)' });

    expect(result.ok).toBe(true);
  });

  it('reports every issue of a record at once, with the invoice id when that was valid', () => {
    const result = validateInvoiceRecord({ ...valid, dueDate: '2026-02-30', currency: 'XYZ', customerName: '' });

    expect(result).toEqual({
      ok: false,
      invoiceId: 'INV-2026-0001',
      issues: [
        { path: 'customerName', issue: 'is required' },
        { path: 'currency', issue: 'unknown currency "XYZ" (use an ISO 4217 code like "BRL")' },
        { path: 'dueDate', issue: 'not a real date: "2026-02-30"' },
      ],
    });
  });

  it('names each missing required field', () => {
    const paths = issuesOf(validateInvoiceRecord({})).map((i) => i.path);

    expect(paths).toEqual(['invoiceId', 'customerId', 'customerName', 'currency', 'amount', 'dueDate']);
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', 'INV-1'],
  ])('refuses %s as a record', (_kind, raw) => {
    expect(validateInvoiceRecord(raw)).toEqual({
      ok: false,
      issues: [{ path: '(root)', issue: expect.stringMatching(/^must be an object with invoice fields, got /) }],
    });
  });

  it.each([
    ['invoiceId', 'INV 1', 'must not contain spaces or control characters: "INV 1"'],
    ['invoiceId', 'I'.repeat(MAX_ID_LENGTH + 1), `is longer than ${MAX_ID_LENGTH} characters: "${'I'.repeat(40)}…"`],
    ['invoiceId', 'INV\u00001', 'must not contain spaces or control characters: "INV\\u00001"'],
    ['invoiceId', { id: 1 }, 'must be text, got an object'],
    ['customerId', 'C\t1', 'must not contain spaces or control characters: "C\\t1"'],
    [
      'customerName',
      'N'.repeat(MAX_FIELD_LENGTH + 1),
      `is longer than ${MAX_FIELD_LENGTH} characters: "${'N'.repeat(40)}…"`,
    ],
    ['customerName', 'Ana\nSouza', 'must not contain control characters: "Ana\\nSouza"'],
    ['customerName', 42, 'must be text, got a number 42'],
    ['email', 'ana.example.com', 'is not a valid e-mail address: "ana.example.com"'],
    ['email', 'ana@example', 'is not a valid e-mail address: "ana@example"'],
    ['email', 'ana @example.com', 'is not a valid e-mail address: "ana @example.com"'],
    ['email', 'ana..souza@example.com', 'is not a valid e-mail address: "ana..souza@example.com"'],
    ['phone', '11987650001', 'must be an E.164 number like "+5511987654321", got "11987650001"'],
    ['phone', '+0511987650001', 'must be an E.164 number like "+5511987654321", got "+0511987650001"'],
    ['phone', '+55 11 9876-ABCD', 'must be an E.164 number like "+5511987654321", got "+55 11 9876-ABCD"'],
    ['timezone', 'Mars/Olympus_Mons', 'is not an IANA time zone like "America/Sao_Paulo": "Mars/Olympus_Mons"'],
    ['timezone', '-03:00', 'is not an IANA time zone like "America/Sao_Paulo": "-03:00"'],
    ['locale', 'portuguese (Brazil)', 'is not a locale like "pt-BR", "en" or "es-MX": "portuguese (Brazil)"'],
    ['country', 'BRA', 'is not an ISO 3166-1 alpha-2 country code like "BR": "BRA"'],
    ['country', 'ZZ', 'is not an ISO 3166-1 alpha-2 country code like "BR": "ZZ"'],
    ['region', 'São Paulo', 'is not a region code like "SP" (state/province code used for holidays): "São Paulo"'],
    ['amount', '0', 'must be greater than 0, got "0"'],
    ['amount', '0.00', 'must be greater than 0, got "0.00"'],
    ['amount', '-5', 'must be a positive decimal number like "1234.50", got "-5"'],
    ['amount', '1.234,50', 'must be a positive decimal number like "1234.50", got "1.234,50"'],
    ['amount', '10.505', 'BRL has 2 decimal places, got "10.505"'],
    ['amount', 1e21, 'must be a decimal string like "1234.50", got the number 1e+21'],
    ['amount', 1e-7, 'must be a decimal string like "1234.50", got the number 1e-7'],
    ['amount', Number.NaN, 'must be a decimal string like "1234.50", got the number NaN'],
    ['amount', true, 'must be text, got a boolean true'],
    ['currency', 'XYZ', 'unknown currency "XYZ" (use an ISO 4217 code like "BRL")'],
    ['currency', 'R$', 'must be a 3-letter ISO 4217 code like "BRL", got "R$"'],
    ['dueDate', '2026-02-30', 'not a real date: "2026-02-30"'],
    ['dueDate', '2026-13-01', 'not a real date: "2026-13-01"'],
    ['dueDate', '15/12/2026', 'must be a date like "2026-12-15" (YYYY-MM-DD), got "15/12/2026"'],
    ['dueDate', '2026-12-15T00:00:00Z', 'must be a date like "2026-12-15" (YYYY-MM-DD), got "2026-12-15T00:00:00Z"'],
    ['registeredAt', '2026-11-20T12:00:00', expect.stringMatching(/^must be an ISO-8601 instant with Z or an offset/)],
    ['registeredAt', '2026-11-20T24:00:00Z', 'not a real instant: "2026-11-20T24:00:00Z"'],
    ['registeredAt', '2026-02-29T10:00:00Z', 'not a real instant: "2026-02-29T10:00:00Z"'],
    ['paymentUrl', 'javascript:alert(1)', 'must be an http or https URL, got "javascript:alert(1)"'],
    ['paymentUrl', 'pay.example.com/i/1', 'is not a valid URL: "pay.example.com/i/1"'],
    [
      'description',
      'd'.repeat(MAX_DESCRIPTION_LENGTH + 1),
      `is longer than ${MAX_DESCRIPTION_LENGTH} characters: "${'d'.repeat(40)}…"`,
    ],
    // Regressions from the bad-input fuzzing (issue #6): each of these used to be accepted.
    ['invoiceId', '=cmd()', 'must not start with =, +, - or @ (a spreadsheet would run it as a formula): "=cmd()"'],
    ['customerId', '-42', 'must not start with =, +, - or @ (a spreadsheet would run it as a formula): "-42"'],
    [
      'customerName',
      'Jo\uFFFDo',
      'is not valid UTF-8 text (U+FFFD marks bytes that could not be read; save the file as UTF-8): "Jo\uFFFDo"',
    ],
    ['customerName', 'Ana\ud800', 'holds a lone UTF-16 surrogate, which is not text: "Ana\\ud800"'],
    [
      'paymentUrl',
      'https://pay.example.com/a\nb',
      'must not contain spaces or control characters: "https://pay.example.com/a\\nb"',
    ],
    [
      'paymentUrl',
      'https://pay.example.com/a b',
      'must not contain spaces or control characters: "https://pay.example.com/a b"',
    ],
    ['dueDate', '0000-01-01', 'must be in the years 1900 to 9999, got "0000-01-01"'],
    ['registeredAt', '0050-01-01T00:00:00Z', 'must be in the years 1900 to 9999, got "0050-01-01T00:00:00Z"'],
    ['registeredAt', '9999-12-31T23:00:00-05:00', 'must be in the years 1900 to 9999, got "9999-12-31T23:00:00-05:00"'],
    ['amount', '1'.repeat(41), `is longer than 40 characters: "${'1'.repeat(40)}…"`],
  ])('explains a bad %s (%j)', (path, value, issue) => {
    const result = validateInvoiceRecord({ ...valid, [path]: value });

    expect(issuesOf(result)).toEqual([{ path, issue }]);
  });

  it.each([
    ['amount as a JSON number', { amount: 1234.5 }, { amount: { minor: 123450, currency: 'BRL' } }],
    ['a zero-decimal currency', { amount: '1500', currency: 'JPY' }, { amount: { minor: 1500, currency: 'JPY' } }],
    ['a three-decimal currency', { amount: '12.345', currency: 'KWD' }, { amount: { minor: 12345, currency: 'KWD' } }],
    ['numeric ids from JSON', { invoiceId: 1001, customerId: 7 }, { invoiceId: '1001', customer: { customerId: '7' } }],
    ['a leap day', { dueDate: '2028-02-29' }, { dueDate: '2028-02-29' }],
    [
      'an instant with milliseconds',
      { registeredAt: '2026-11-20T12:00:00.5+01:00' },
      { registeredAt: '2026-11-20T11:00:00.500Z' },
    ],
    ['an http URL', { paymentUrl: 'http://localhost:3000/pay/1' }, { paymentUrl: 'http://localhost:3000/pay/1' }],
    [
      'a multi-line description',
      { description: 'Linha 1\r\nLinha 2\tfim' },
      { description: 'Linha 1\r\nLinha 2\tfim' },
    ],
    [
      'a plus-addressed e-mail',
      { email: 'ana+cobranca@mail.example.org' },
      { customer: { email: 'ana+cobranca@mail.example.org' } },
    ],
    [
      'an accented name',
      { customerName: 'Conceição Araújo-Brandão' },
      { customer: { name: 'Conceição Araújo-Brandão' } },
    ],
  ])('accepts %s', (_case, fields, expected) => {
    const result = validateInvoiceRecord({ ...valid, ...fields });

    expect(result.ok && result.value).toMatchObject(expected);
  });
});
