import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';
import { spreadsheetSafe } from '../../../functions/values/field-issue';
import { currencyMinorDigits } from '../../../functions/values/money';
import { BREAKERS, breakerArb, COLUMNS, INVALID_UTF8, type InvoiceRecord, validRecordArb } from './hostile-input';

/**
 * Validation of one record under hostile values: it never throws, every issue names a field, a record spoiled in one
 * field is refused for that field only, and nothing stored can start a spreadsheet formula.
 */

const KNOWN_PATHS = new Set<string>([...COLUMNS, '(root)']);
const FORMULA_START = /^[=+\-@\t\r]/;

/** Any JSON-ish value, including the shapes a CSV cell or a careless producer gives. */
const anyValueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\uFFFD', '\ud800', '=cmd()', '-0', 'NaN', '1e309', '2026-02-30', '0000-00-00'),
  fc.double(),
  fc.bigInt().map(String),
);

describe('validating any record', () => {
  it('never throws, and names a known field with a reason for every issue (1,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyValueArb,
          fc.dictionary(fc.constantFrom(...COLUMNS, 'extra', '__proto__', 'constructor'), anyValueArb),
          fc
            .tuple(validRecordArb('INV-1'), fc.constantFrom(...COLUMNS), anyValueArb)
            .map(([record, field, value]) => ({ ...record, [field]: value })),
        ),
        (raw) => {
          const result = validateInvoiceRecord(raw);

          if (result.ok) {
            expect(result.value.amount.minor).toBeGreaterThan(0);
            expect(Number.isSafeInteger(result.value.amount.minor)).toBe(true);
            return;
          }
          expect(result.issues.length).toBeGreaterThan(0);
          const paths = result.issues.map((i) => i.path);
          expect(new Set(paths).size).toBe(paths.length);
          for (const issue of result.issues) {
            expect(KNOWN_PATHS.has(issue.path)).toBe(true);
            expect(issue.issue.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a record spoiled in one field for that field only (1,000 runs)', () => {
    fc.assert(
      fc.property(validRecordArb('INV-1'), breakerArb, (record, breaker) => {
        const spoiled = JSON.parse(JSON.stringify(breaker.apply(record)).replaceAll(INVALID_UTF8, '\uFFFD'));

        const result = validateInvoiceRecord(spoiled);

        expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([breaker.path]);
      }),
      { numRuns: 1000 },
    );
  });

  it('stores no id, name or description that starts a spreadsheet formula (1,000 runs)', () => {
    const cellArb = fc.tuple(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', ' ', ' =', '\t@', ''),
      fc.string({ maxLength: 10 }),
    );
    fc.assert(
      fc.property(
        validRecordArb('INV-1'),
        fc.constantFrom('invoiceId', 'customerId', 'customerName', 'description'),
        cellArb,
        (record, field, [start, rest]) => {
          const result = validateInvoiceRecord({ ...record, [field]: `${start}${rest}` });

          if (!result.ok) return;
          const { invoiceId, customer, description } = result.value;
          for (const text of [invoiceId, customer.customerId, customer.name, description ?? '']) {
            expect(text).not.toMatch(FORMULA_START);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('puts U+FFFD or a lone surrogate in any text field down to that field (1,000 runs)', () => {
    const textFields = COLUMNS.filter((c) => c !== 'amount');
    fc.assert(
      fc.property(
        validRecordArb('INV-1'),
        fc.constantFrom(...textFields),
        fc.constantFrom('\uFFFD', '\ud800', '\udfff'),
        fc.nat({ max: 8 }),
        (record, field, bad, at) => {
          const original = String(record[field] ?? 'abcdefgh');
          const value = `x${original.slice(0, at)}${bad}${original.slice(at)}`;

          const result = validateInvoiceRecord({ ...record, [field]: value });

          expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([field]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('amounts that must be field-level errors', () => {
  const record = (amount: string | number, currency = 'BRL'): InvoiceRecord => ({
    invoiceId: 'INV-1',
    customerId: 'C-1',
    customerName: 'Ana',
    amount,
    currency,
    dueDate: '2026-12-01',
  });
  const amountIssues = (amount: string | number, currency?: string) => {
    const result = validateInvoiceRecord(record(amount, currency));
    return result.ok ? [] : result.issues.map((i) => i.path);
  };

  it('refuses negatives, zero, too many decimals and more than MAX_SAFE_INTEGER minor units (1,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BRL', 'JPY', 'KWD'),
        fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (currency, tooMany, some) => {
          const digits = currencyMinorDigits(currency);
          const decimal = (minor: bigint) => {
            const text = minor.toString().padStart(digits + 1, '0');
            return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
          };

          expect(amountIssues(decimal(tooMany), currency)).toEqual(['amount']);
          expect(amountIssues(`-${decimal(some)}`, currency)).toEqual(['amount']);
          expect(amountIssues(`${decimal(some)}${digits === 0 ? '.' : ''}5`, currency)).toEqual(['amount']);
          expect(amountIssues(digits === 0 ? '0' : `0.${'0'.repeat(digits)}`, currency)).toEqual(['amount']);
          expect(amountIssues(decimal(some), currency)).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a negative JSON number', -5],
    ['a float past 2^53', 2 ** 60],
    ['infinity', Number.POSITIVE_INFINITY],
    ['negative zero', -0],
  ])('refuses %s as the amount', (_case, amount) => {
    expect(amountIssues(amount)).toEqual(['amount']);
  });
});

describe('echoing text into a report a person may open in a spreadsheet', () => {
  it('never starts a formula, and only ever adds a leading quote (1,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...BREAKERS.map((b) => b.name))),
        fc.constantFrom('', '=', '+', '-', '@', '\t', '\r'),
        (text, start) => {
          const echoed = spreadsheetSafe(`${start}${text}`);

          expect(echoed).not.toMatch(FORMULA_START);
          expect([`${start}${text}`, `'${start}${text}`]).toContain(echoed);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
