import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';
import { formatDecimalAmount } from '../../../functions/values/money';
import { issuesOf, valid } from '../../support/invoice-records';

describe('guarding spreadsheets against formula injection', () => {
  it.each([
    '=HYPERLINK("http://evil.example")',
    '+1+1',
    '-2+3',
    '@SUM(A1:A2)',
  ])('rejects a name or description starting like a formula: %s', (text) => {
    const result = validateInvoiceRecord({ ...valid, customerName: text, description: text });

    expect(issuesOf(result)).toEqual([
      { path: 'customerName', issue: expect.stringMatching(/^looks like a spreadsheet formula: /) },
      { path: 'description', issue: expect.stringMatching(/^looks like a spreadsheet formula: /) },
    ]);
  });

  it('still accepts E.164 phones, which start with +', () => {
    const result = validateInvoiceRecord({ ...valid, phone: '+12125550107' });

    expect(result.ok && result.value.customer.phone).toBe('+12125550107');
  });

  it('rejects a formula hidden behind leading spaces, since values are trimmed first', () => {
    const result = validateInvoiceRecord({ ...valid, customerName: '   =1+1' });

    expect(issuesOf(result)).toEqual([{ path: 'customerName', issue: 'looks like a spreadsheet formula: "=1+1"' }]);
  });
});

describe('checking dates and amounts for every input', () => {
  it('accepts every real calendar date and rejects every day past the end of its month', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }),
        (instant) => {
          const date = instant.toISOString().slice(0, 10);
          const [year, month] = date.split('-').map(Number) as [number, number];
          const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
          const pastTheEnd = `${date.slice(0, 8)}${String(daysInMonth + 1).padStart(2, '0')}`;

          expect(validateInvoiceRecord({ ...valid, dueDate: date }).ok).toBe(true);
          expect(issuesOf(validateInvoiceRecord({ ...valid, dueDate: pastTheEnd }))).toEqual([
            { path: 'dueDate', issue: `not a real date: "${pastTheEnd}"` },
          ]);
        },
      ),
    );
  });

  it('reads back exactly the minor units of any positive amount written as a decimal string', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('BRL', 'USD', 'JPY', 'KWD'),
        (minor, currency) => {
          const result = validateInvoiceRecord({ ...valid, amount: formatDecimalAmount(minor, currency), currency });

          expect(result.ok && result.value.amount).toEqual({ minor, currency });
        },
      ),
    );
  });
});
