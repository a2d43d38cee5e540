import { createReadStream, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatFromKey,
  type InputFormat,
  type ParsedRecord,
  parseRecords,
} from '../../../functions/ingest/parse-records';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url);

/** A body delivered as the given chunks, like an S3 object stream. */
async function* bodyOf(...chunks: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** The same bytes cut at the given offsets. */
function cutAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
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

async function collect(
  body: AsyncIterable<string | Uint8Array>,
  format: InputFormat,
  options?: { maxRecordBytes?: number },
): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const parsed of parseRecords(body, format, options)) out.push(parsed);
  return out;
}

const parseText = (text: string, format: InputFormat, options?: { maxRecordBytes?: number }) =>
  collect(bodyOf(text), format, options);

describe('choosing the parser from the file name', () => {
  it.each([
    ['incoming/march.csv', 'csv'],
    ['incoming/MARCH.CSV', 'csv'],
    ['incoming/batch.json', 'json'],
    ['incoming/batch.jsonl', 'jsonl'],
    ['incoming/batch.NDJSON', 'jsonl'],
    ['incoming/batch.v2.Json', 'json'],
  ] as const)('reads %s as %s', (key, format) => {
    expect(formatFromKey(key)).toBe(format);
  });

  it.each([
    'incoming/batch.xlsx',
    'incoming/batch',
    'incoming/csv',
    'incoming.csv/batch',
    'incoming/batch.csv.gz',
  ])('refuses %s', (key) => {
    expect(formatFromKey(key)).toBeNull();
  });
});

describe('reading CSV files', () => {
  it('maps each row to the header names and reports the line where it starts', async () => {
    const csv = 'invoiceId,amount,dueDate\nINV-1,10.00,2026-12-01\nINV-2,20.00,2026-12-02\n';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([
      { line: 2, record: { invoiceId: 'INV-1', amount: '10.00', dueDate: '2026-12-01' } },
      { line: 3, record: { invoiceId: 'INV-2', amount: '20.00', dueDate: '2026-12-02' } },
    ]);
  });

  it('reads a Brazilian Excel export: BOM, CRLF, semicolons, quoted newlines and quotes, blank lines', async () => {
    const records = await collect(createReadStream(fixture('invoices-excel-br.csv')), 'csv');

    expect(records.map((r) => r.line)).toEqual([2, 4, 6, 7]);
    expect(records[0]).toEqual({
      line: 2,
      record: expect.objectContaining({
        invoiceId: 'INV-BR-1',
        phone: '+55 11 98765-0001',
        description: 'Plano; mensal',
      }),
    });
    expect(Object.keys((records[0] as { record: object }).record)[0]).toBe('invoiceId'); // BOM stripped
    expect(records[1]).toEqual({
      line: 4,
      record: expect.objectContaining({ customerName: 'João "Jota" Lima', description: 'Linha 1\nLinha 2' }),
    });
    expect(records[2]).toEqual({ line: 6, error: 'row has 12 columns but the header has 13' });
    expect(records[3]).toEqual({ line: 7, record: expect.objectContaining({ description: 'Última linha' }) });
  });

  it('keeps commas, newlines and escaped quotes inside quoted fields', async () => {
    const csv = 'id,note\r\n1,"a, b"\r\n2,"line 1\r\nline 2"\r\n3,"say ""hi"""\r\n4,plain';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([
      { line: 2, record: { id: '1', note: 'a, b' } },
      { line: 3, record: { id: '2', note: 'line 1\nline 2' } },
      { line: 5, record: { id: '3', note: 'say "hi"' } },
      { line: 6, record: { id: '4', note: 'plain' } },
    ]);
  });

  it('trims header names, keeps unknown columns and ignores columns without a name', async () => {
    const csv = ' invoiceId , extra ,\nINV-1,x,ignored\n';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([{ line: 2, record: { invoiceId: 'INV-1', extra: 'x' } }]);
  });

  it('skips blank and whitespace-only lines, before and after the header', async () => {
    const csv = '\n  \ninvoiceId,amount\n\n \t \nINV-1,1.00\n\n';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([{ line: 6, record: { invoiceId: 'INV-1', amount: '1.00' } }]);
  });

  it('uses the comma when the header has both commas and semicolons', async () => {
    const csv = 'invoiceId,note\nINV-1,a;b\n';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([{ line: 2, record: { invoiceId: 'INV-1', note: 'a;b' } }]);
  });

  it('reports rows with a wrong column count and quoting errors, and goes on with the next rows', async () => {
    const csv = 'a,b\n1,2\n3\n4,5,6\n7,"x"y\n8,9\n';

    const records = await parseText(csv, 'csv');

    expect(records).toEqual([
      { line: 2, record: { a: '1', b: '2' } },
      { line: 3, error: 'row has 1 column but the header has 2' },
      { line: 4, error: 'row has 3 columns but the header has 2' },
      { line: 5, error: 'CSV syntax error: unexpected text after the closing quote of column 2' },
      { line: 6, record: { a: '8', b: '9' } },
    ]);
  });

  it('reads a quote inside an unquoted field as an ordinary character, as spreadsheets do', async () => {
    const records = await parseText('size,note\n27",x"y"z\n', 'csv');

    expect(records).toEqual([{ line: 2, record: { size: '27"', note: 'x"y"z' } }]);
  });

  it('yields nothing for an empty file or a header without rows', async () => {
    expect(await parseText('', 'csv')).toEqual([]);
    expect(await parseText('invoiceId,amount\r\n', 'csv')).toEqual([]);
  });

  it('refuses a header that names a column twice', async () => {
    const records = await parseText('invoiceId,amount,invoiceId\nINV-1,1,INV-2\n', 'csv');

    expect(records).toEqual([{ line: 1, error: 'the header names the column "invoiceId" twice' }]);
  });

  it('skips an oversized row without losing the rows after it or their line numbers', async () => {
    const big = 'x'.repeat(200);
    const csv = `id,note\n1,short\n2,${big}\n3,"quoted ${big}\n${big}"\n4,after\n`;

    const records = await parseText(csv, 'csv', { maxRecordBytes: 100 });

    expect(records).toEqual([
      { line: 2, record: { id: '1', note: 'short' } },
      { line: 3, error: 'record is larger than 100 bytes' },
      { line: 4, error: 'record is larger than 100 bytes' },
      { line: 6, record: { id: '4', note: 'after' } },
    ]);
  });

  it('stops at an oversized header, since no row could be mapped', async () => {
    const csv = `${'h'.repeat(2048)}\n1\n`;

    const records = await parseText(csv, 'csv', { maxRecordBytes: 1024 });

    expect(records).toEqual([{ line: 1, error: 'header record is larger than 1 KiB' }]);
  });

  it('replaces invalid UTF-8 instead of failing', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,Jo'), Buffer.from([0xff, 0xfe]), Buffer.from('o\n')]);

    const records = await collect(bodyOf(bytes), 'csv');

    expect(records).toEqual([{ line: 2, record: { id: '1', name: 'Jo\uFFFD\uFFFDo' } }]);
  });
});

describe('reading JSON arrays', () => {
  it('yields each object with the line where it starts, whatever it contains', async () => {
    const records = await collect(createReadStream(fixture('invoices.json')), 'json');

    expect(records).toEqual([
      {
        line: 2,
        record: expect.objectContaining({
          invoiceId: 'INV-J-1',
          description: 'Chaves {e} [colchetes], "aspas" e \\ barra',
        }),
      },
      { line: 12, record: expect.objectContaining({ invoiceId: 'INV-J-2', amount: 1234.5 }) },
      { line: 20, error: 'expected an invoice object, got a string' },
      { line: 21, record: expect.objectContaining({ customerName: 'Ça va ✓ 日本', tags: [1, [2, { deep: ']' }]] }) },
    ]);
  });

  it('yields the elements before a syntax error, then one error with its line, and stops', async () => {
    const json = '[\n{"invoiceId":"A"},\n{"invoiceId":"B"},\n{"invoiceId": oops},\n{"invoiceId":"C"}\n]';

    const records = await parseText(json, 'json');

    expect(records).toEqual([
      { line: 2, record: { invoiceId: 'A' } },
      { line: 3, record: { invoiceId: 'B' } },
      { line: 4, error: expect.stringMatching(/^not valid JSON: /) },
    ]);
  });

  it.each([
    [
      'a missing comma',
      '[{"a":1}\n{"b":2}]',
      [
        { line: 1, record: { a: 1 } },
        { line: 2, error: expect.stringContaining('expected "," or "]"') },
      ],
    ],
    [
      'a trailing comma',
      '[{"a":1},]',
      [
        { line: 1, record: { a: 1 } },
        { line: 1, error: 'not valid JSON: expected an element, found "]"' },
      ],
    ],
    [
      'an unclosed array',
      '[{"a":1},\n',
      [
        { line: 1, record: { a: 1 } },
        { line: 2, error: 'not valid JSON: the array is not closed with "]"' },
      ],
    ],
    [
      'an unfinished element',
      '[{"a":1},\n{"b":\n',
      [
        { line: 1, record: { a: 1 } },
        { line: 2, error: 'not valid JSON: the file ends inside this element' },
      ],
    ],
    [
      'content after the array',
      '[{"a":1}]\n[]',
      [
        { line: 1, record: { a: 1 } },
        { line: 2, error: 'not valid JSON: unexpected "[" after the closing "]"' },
      ],
    ],
  ])('reports %s', async (_case, json, expected) => {
    expect(await parseText(json, 'json')).toEqual(expected);
  });

  it('reports one error when the top level is not an array, or the file is empty', async () => {
    expect(await parseText('\n {"invoiceId":"A"}', 'json')).toEqual([
      { line: 2, error: 'the file must hold a JSON array of invoice objects, found "{"' },
    ]);
    expect(await parseText('  \n', 'json')).toEqual([
      { line: 2, error: 'the file is empty: expected a JSON array of invoice objects' },
    ]);
  });

  it('reports elements that are not objects and goes on', async () => {
    const records = await parseText('[1, null, [], "x", true, {"a":1}]', 'json');

    expect(records.map((r) => ('error' in r ? r.error : r.record))).toEqual([
      'expected an invoice object, got a number',
      'expected an invoice object, got null',
      'expected an invoice object, got an array',
      'expected an invoice object, got a string',
      'expected an invoice object, got a boolean',
      { a: 1 },
    ]);
  });

  it('accepts an empty array', async () => {
    expect(await parseText(' [ ] ', 'json')).toEqual([]);
  });

  it('skips an oversized element and goes on with the next one', async () => {
    const json = `[\n{"big":"${'x'.repeat(70 * 1024)}"},\n{"small":1}\n]`;

    const records = await parseText(json, 'json');

    expect(records).toEqual([
      { line: 2, error: 'record is larger than 64 KiB' },
      { line: 3, record: { small: 1 } },
    ]);
  });
});

describe('reading JSON Lines files', () => {
  it('yields one object per line and reports bad lines without stopping', async () => {
    const records = await collect(createReadStream(fixture('invoices.jsonl')), 'jsonl');

    expect(records).toEqual([
      { line: 1, record: expect.objectContaining({ invoiceId: 'INV-L-1' }) },
      { line: 3, error: expect.stringMatching(/^not valid JSON: /) },
      { line: 4, error: 'expected an invoice object, got an array' },
      { line: 5, record: expect.objectContaining({ invoiceId: 'INV-L-3', customerName: 'Ça va ✓' }) },
    ]);
  });

  it('skips an oversized line and goes on', async () => {
    const jsonl = `{"a":1}\n{"big":"${'x'.repeat(300)}"}\n{"b":2}\n`;

    const records = await parseText(jsonl, 'jsonl', { maxRecordBytes: 256 });

    expect(records).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, error: 'record is larger than 256 bytes' },
      { line: 3, record: { b: 2 } },
    ]);
  });

  it('counts the limit in UTF-8 bytes, not characters', async () => {
    const line = `{"n":"${'é'.repeat(60)}"}`; // 68 characters, 128 bytes

    expect(await parseText(line, 'jsonl', { maxRecordBytes: 100 })).toEqual([
      { line: 1, error: 'record is larger than 100 bytes' },
    ]);
    expect(await parseText(line, 'jsonl', { maxRecordBytes: 128 })).toEqual([
      { line: 1, record: { n: 'é'.repeat(60) } },
    ]);
  });
});

describe('streaming the body', () => {
  const samples: Record<InputFormat, Uint8Array> = {
    csv: readFileSync(fixture('invoices-excel-br.csv')),
    json: readFileSync(fixture('invoices.json')),
    jsonl: readFileSync(fixture('invoices.jsonl')),
  };

  it.each(
    Object.keys(samples) as InputFormat[],
  )('gives the same records for %s fed one byte at a time', async (format) => {
    const bytes = samples[format];
    const whole = await collect(bodyOf(bytes), format);

    const byteByByte = await collect(bodyOf(...cutAt(bytes, Array.from(bytes.keys()))), format);

    expect(whole.length).toBeGreaterThan(2);
    expect(byteByByte).toEqual(whole);
  });

  it('gives the same records wherever the chunks are cut (multi-byte characters and CRLF included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<InputFormat>('csv', 'json', 'jsonl'),
        fc.array(fc.nat({ max: 700 }), { maxLength: 40 }),
        fc.boolean(),
        async (format, offsets, asText) => {
          const bytes = samples[format];
          const whole = await collect(bodyOf(bytes), format);
          const pieces = cutAt(bytes, offsets);
          // Text chunks are cut at character positions instead (a string cannot hold half a character).
          const chunks = asText ? cutText(Buffer.from(bytes).toString('utf8'), offsets) : pieces;

          expect(await collect(bodyOf(...chunks), format)).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the same CSV records with an oversized row wherever the chunks are cut', async () => {
    const csv = Buffer.from(`id,note\r\n1,ok\r\n2,"${'ç'.repeat(80)}\r\n"\r\n3,ok\r\n`);
    const whole = await collect(bodyOf(csv), 'csv', { maxRecordBytes: 64 });
    expect(whole).toEqual([
      { line: 2, record: { id: '1', note: 'ok' } },
      { line: 3, error: 'record is larger than 64 bytes' },
      { line: 5, record: { id: '3', note: 'ok' } },
    ]);

    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: csv.length }), { maxLength: 20 }), async (offsets) => {
        expect(await collect(bodyOf(...cutAt(csv, offsets)), 'csv', { maxRecordBytes: 64 })).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    // A chunk yields every row it completes, so the CSV's first chunk carries a few rows.
    ['csv', 'id\n1\n2\n3\n', '4\n', [{ line: 2, record: { id: '1' } }], ['2', '3', '4']],
    ['json', '[{"id":1},', '{"id":2}]', [{ line: 1, record: { id: 1 } }], [2]],
    ['jsonl', '{"id":1}\n', '{"id":2}\n', [{ line: 1, record: { id: 1 } }], [2]],
  ] as const)('yields the first %s record before the rest of the body has arrived', async (format, first, rest, expectedFirst, laterIds) => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowBody() {
      yield first;
      await gate;
      yield rest;
    }
    const records = parseRecords(slowBody(), format);

    const firstRecord = await records.next();
    release();
    const remaining: ParsedRecord[] = [];
    for await (const r of records) remaining.push(r);

    expect([firstRecord.value]).toEqual(expectedFirst);
    expect(remaining.map((r) => ('record' in r ? r.record.id : r.error))).toEqual(laterIds);
  });

  it.each(['csv', 'json', 'jsonl'] as const)('releases the %s body when the reader stops early', async (format) => {
    let closed = false;
    async function* body() {
      try {
        yield format === 'csv' ? 'id\n1\n2\n' : format === 'json' ? '[{"id":1},{"id":2},' : '{"id":1}\n{"id":2}\n';
        yield format === 'csv' ? '3\n' : format === 'json' ? '{"id":3}]' : '{"id":3}\n';
      } finally {
        closed = true;
      }
    }

    for await (const parsed of parseRecords(body(), format)) {
      expect(parsed).toHaveProperty('record');
      break;
    }

    expect(closed).toBe(true);
  });

  it.each(['csv', 'json', 'jsonl'] as const)('throws when reading the %s body fails', async (format) => {
    async function* failing() {
      yield format === 'csv' ? 'id\n1\n' : format === 'json' ? '[{"id":1},' : '{"id":1}\n';
      throw new Error('connection reset');
    }

    await expect(collect(failing(), format)).rejects.toThrow('connection reset');
  });
});

function cutText(text: string, offsets: number[]): string[] {
  const chars = Array.from(text);
  const points = [...new Set(offsets.filter((o) => o > 0 && o < chars.length))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(chars.slice(start, point).join(''));
    start = point;
  }
  pieces.push(chars.slice(start).join(''));
  return pieces;
}
