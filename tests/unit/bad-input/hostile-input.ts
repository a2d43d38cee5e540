import fc from 'fast-check';
import { formatDecimalAmount } from '../../../functions/values/money';

/**
 * Invoice records for the bad-input tests: valid ones in many shapes, and "breakers" that each spoil exactly one
 * field in a way the issue lists (formula cells, unknown currency, impossible dates, bad amounts, invalid UTF-8,
 * huge fields, …), with the field path the rejection must name.
 */

export type InvoiceRecord = Record<string, string | number>;

/** Stands for bytes that are not UTF-8: file tests write 0xFF 0xFE in its place, API tests U+FFFD. */
export const INVALID_UTF8 = '\uE000';

/** The columns every generated record may use, in CSV header order. */
export const COLUMNS = [
  'invoiceId',
  'customerId',
  'customerName',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'amount',
  'currency',
  'dueDate',
  'registeredAt',
  'paymentUrl',
  'description',
] as const;

const CURRENCIES = ['BRL', 'USD', 'JPY', 'KWD', 'EUR'] as const;

const safeNameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZçãéíóúñ日本 '.split(''));
const nameStart = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÇ'.split(''));

/** A valid invoice record with the given id; optional fields come and go, values vary within what is valid. */
export function validRecordArb(invoiceId: string): fc.Arbitrary<InvoiceRecord> {
  return fc
    .record(
      {
        customerId: fc.stringMatching(/^C-[0-9]{1,6}$/),
        customerName: fc
          .tuple(nameStart, fc.array(safeNameChar, { maxLength: 30 }))
          .map(([first, rest]) => `${first}${rest.join('')}`.trim()),
        currency: fc.constantFrom(...CURRENCIES),
        minor: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        dueDate: fc
          .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        email: fc.option(fc.constantFrom('ana@example.com', 'joao.souza+cobranca@mail.example.org'), {
          nil: undefined,
        }),
        phone: fc.option(fc.constantFrom('+5511987650001', '+1 (212) 555-0107'), { nil: undefined }),
        timezone: fc.option(fc.constantFrom('America/Sao_Paulo', 'Europe/Lisbon', 'UTC'), { nil: undefined }),
        locale: fc.option(fc.constantFrom('pt-BR', 'en', 'es_MX'), { nil: undefined }),
        country: fc.option(fc.constantFrom('BR', 'us', 'PT'), { nil: undefined }),
        region: fc.option(fc.constantFrom('SP', 'NY'), { nil: undefined }),
        registeredAt: fc.option(fc.constantFrom('2026-11-20T12:00:00Z', '2026-11-20T09:00:00-03:00'), {
          nil: undefined,
        }),
        paymentUrl: fc.option(fc.constantFrom('https://pay.example.com/i/1?a=b,c', 'http://localhost:3000/pay'), {
          nil: undefined,
        }),
        description: fc.option(fc.constantFrom('Plano; mensal', 'Linha 1\nLinha 2', 'Diz "olá", e paga'), {
          nil: undefined,
        }),
      },
      { requiredKeys: ['customerId', 'customerName', 'currency', 'minor', 'dueDate'] },
    )
    .map(({ minor, ...fields }) => {
      const record: InvoiceRecord = { invoiceId, amount: formatDecimalAmount(minor, fields.currency) };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) record[key] = value;
      return record;
    });
}

/** One way to spoil one field, and the field the rejection must name. */
export interface Breaker {
  readonly name: string;
  readonly path: string;
  apply(record: InvoiceRecord): InvoiceRecord;
}

const set =
  (field: string, value: string | number) =>
  (record: InvoiceRecord): InvoiceRecord => ({ ...record, [field]: value });

const without =
  (field: string) =>
  (record: InvoiceRecord): InvoiceRecord => {
    const { [field]: _removed, ...rest } = record;
    return rest;
  };

export const BREAKERS: readonly Breaker[] = [
  { name: 'formula name =cmd()', path: 'customerName', apply: set('customerName', '=cmd()') },
  { name: 'formula name @SUM', path: 'customerName', apply: set('customerName', '@SUM(A1:A9)') },
  { name: 'formula name behind a tab', path: 'customerName', apply: set('customerName', '\t=1+1') },
  { name: 'formula description +', path: 'description', apply: set('description', '+1+cmd|/C calc!A0') },
  { name: 'formula description -', path: 'description', apply: set('description', '-2+3') },
  { name: 'formula invoice id', path: 'invoiceId', apply: set('invoiceId', '=HYPERLINK("http://x")') },
  { name: 'formula customer id', path: 'customerId', apply: set('customerId', '@evil') },
  { name: 'unknown currency', path: 'currency', apply: set('currency', 'XYZ') },
  { name: 'currency symbol', path: 'currency', apply: set('currency', 'R$') },
  { name: 'impossible date 2026-02-30', path: 'dueDate', apply: set('dueDate', '2026-02-30') },
  { name: 'impossible date 2026-04-31', path: 'dueDate', apply: set('dueDate', '2026-04-31') },
  { name: 'date in year 0', path: 'dueDate', apply: set('dueDate', '0000-01-01') },
  { name: 'local date format', path: 'dueDate', apply: set('dueDate', '30/12/2026') },
  { name: 'negative amount', path: 'amount', apply: set('amount', '-5.00') },
  { name: 'zero amount', path: 'amount', apply: set('amount', '0.00') },
  { name: 'too many decimals', path: 'amount', apply: (r) => ({ ...r, currency: 'BRL', amount: '10.505' }) },
  { name: 'decimals for JPY', path: 'amount', apply: (r) => ({ ...r, currency: 'JPY', amount: '10.5' }) },
  {
    name: 'amount past MAX_SAFE_INTEGER minor units',
    path: 'amount',
    apply: (r) => ({ ...r, currency: 'BRL', amount: '90071992547409.92' }),
  },
  { name: 'amount of 200 digits', path: 'amount', apply: set('amount', '9'.repeat(200)) },
  { name: 'amount with exponent', path: 'amount', apply: set('amount', '1e5') },
  { name: 'amount with a thousands separator', path: 'amount', apply: set('amount', '1.234,50') },
  { name: 'invalid UTF-8 in the name', path: 'customerName', apply: set('customerName', `Jo${INVALID_UTF8}o`) },
  { name: 'huge name', path: 'customerName', apply: set('customerName', 'N'.repeat(5000)) },
  { name: 'huge invoice id', path: 'invoiceId', apply: set('invoiceId', 'I'.repeat(129)) },
  { name: 'huge description', path: 'description', apply: set('description', 'd'.repeat(501)) },
  { name: 'huge URL', path: 'paymentUrl', apply: set('paymentUrl', `https://x.example/${'p'.repeat(2100)}`) },
  { name: 'script URL', path: 'paymentUrl', apply: set('paymentUrl', 'javascript:alert(1)') },
  { name: 'URL with a newline', path: 'paymentUrl', apply: set('paymentUrl', 'https://x.example/a\nb') },
  { name: 'missing customer id', path: 'customerId', apply: without('customerId') },
  { name: 'missing amount', path: 'amount', apply: without('amount') },
  { name: 'bad e-mail', path: 'email', apply: set('email', 'ana@') },
  { name: 'bad phone', path: 'phone', apply: set('phone', '11 98765') },
  { name: 'bad time zone', path: 'timezone', apply: set('timezone', 'Mars/Olympus') },
  { name: 'impossible instant', path: 'registeredAt', apply: set('registeredAt', '2026-02-29T10:00:00Z') },
  { name: 'control character in the name', path: 'customerName', apply: set('customerName', 'Ana\u0007') },
];

/** A breaker, drawn by the property. */
export const breakerArb: fc.Arbitrary<Breaker> = fc.constantFrom(...BREAKERS);

/** A row of a generated file: a valid record, or one spoiled by a breaker. */
export type Row = { kind: 'good'; record: InvoiceRecord } | { kind: 'bad'; record: InvoiceRecord; breaker: Breaker };

/** Rows with distinct invoice ids (`INV-<n>`), each good or spoiled by one breaker. */
export function rowsArb(options: { minLength?: number; maxLength: number }): fc.Arbitrary<Row[]> {
  return fc
    .array(fc.tuple(fc.boolean(), breakerArb), options)
    .chain((shapes) =>
      fc.tuple(
        ...shapes.map(([good, breaker], index) =>
          validRecordArb(`INV-${index + 1}`).map(
            (record): Row =>
              good ? { kind: 'good', record } : { kind: 'bad', record: breaker.apply(record), breaker },
          ),
        ),
      ),
    );
}

/** A CSV cell, always quoted (so commas, quotes and newlines in values are safe). */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  return `"${String(value).replaceAll('"', '""')}"`;
}

/** The rows as a file of the format; returns the bytes and the line each row starts on. */
export function fileOf(format: 'csv' | 'json' | 'jsonl', rows: readonly Row[]): { bytes: Buffer; lines: number[] } {
  let text: string;
  const lines: number[] = [];
  if (format === 'csv') {
    const out = [COLUMNS.join(',')];
    let line = 2;
    for (const row of rows) {
      lines.push(line);
      const cells = COLUMNS.map((column) => csvCell(row.record[column]));
      const record = cells.join(',');
      out.push(record);
      line += 1 + (record.match(/\n/g)?.length ?? 0);
    }
    text = `${out.join('\r\n')}\r\n`;
  } else if (format === 'jsonl') {
    text = rows
      .map((row, index) => {
        lines.push(index + 1);
        return JSON.stringify(row.record);
      })
      .join('\n');
  } else {
    text = `[\n${rows
      .map((row, index) => {
        lines.push(index + 2);
        return JSON.stringify(row.record);
      })
      .join(',\n')}\n]\n`;
  }
  return { bytes: withInvalidUtf8(text), lines };
}

/** UTF-8 of the text, with 0xFF 0xFE (never valid UTF-8) wherever INVALID_UTF8 stands. */
export function withInvalidUtf8(text: string): Buffer {
  const parts = text.split(INVALID_UTF8);
  const bad = Buffer.from([0xff, 0xfe]);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [bad, Buffer.from(part)])));
}

/** The same bytes cut at the given offsets, like an S3 stream. */
export function cutAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}
