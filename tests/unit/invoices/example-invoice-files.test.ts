import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../../functions/ingest/parse-records';
import { type RecordValidation, validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';

describe('the example invoice files', () => {
  async function validateFile(path: string) {
    const results: { line: number; result: RecordValidation }[] = [];
    for await (const parsed of parseRecords(createReadStream(new URL(`../../../${path}`, import.meta.url)), 'csv')) {
      if ('error' in parsed) throw new Error(`line ${parsed.line}: ${parsed.error}`);
      results.push({ line: parsed.line, result: validateInvoiceRecord(parsed.record) });
    }
    return results;
  }

  it('examples/invoices.csv is a valid portfolio due between 2026-12-01 and 2027-01-15', async () => {
    const results = await validateFile('examples/invoices.csv');

    expect(results).toHaveLength(12);
    const invoices = results.map(({ result }) => {
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.value;
    });
    const dueDates = invoices.map((i) => i.dueDate).sort();
    expect(dueDates[0]).toBe('2026-12-01');
    expect(dueDates.at(-1)).toBe('2027-01-15');
    expect(new Set(invoices.map((i) => i.customer.timezone))).toEqual(
      new Set(['America/Sao_Paulo', 'America/New_York', 'Europe/Madrid']),
    );
  });

  it('examples/invoices-with-errors.csv has three good rows and three bad ones', async () => {
    const results = await validateFile('examples/invoices-with-errors.csv');

    expect(results.filter(({ result }) => result.ok).map(({ line }) => line)).toEqual([2, 6, 7]);
    expect(results.filter(({ result }) => !result.ok).map(({ line, result }) => ({ line, result }))).toEqual([
      {
        line: 3,
        result: {
          ok: false,
          invoiceId: 'INV-2026-0102',
          issues: [{ path: 'dueDate', issue: 'not a real date: "2026-02-30"' }],
        },
      },
      {
        line: 4,
        result: {
          ok: false,
          invoiceId: 'INV-2026-0103',
          issues: [{ path: 'currency', issue: expect.stringContaining('"XYZ"') }],
        },
      },
      {
        line: 5,
        result: { ok: false, invoiceId: 'INV-2026-0104', issues: [{ path: 'customerName', issue: 'is required' }] },
      },
    ]);
  });
});
