import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InputFormat, type ParsedRecord, parseRecords } from '../../../functions/ingest/parse-records';
import { cutAt } from './hostile-input';

/**
 * The three file parsers under hostile input: whatever the bytes, they never throw, never hang, keep one entry per
 * record with its line, and lose no good record next to a bad one.
 */

async function* bodyOf(chunks: readonly (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function collect(
  chunks: readonly (string | Uint8Array)[],
  format: InputFormat,
  maxRecordBytes?: number,
): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  const options = maxRecordBytes === undefined ? {} : { maxRecordBytes };
  for await (const parsed of parseRecords(bodyOf(chunks), format, options)) out.push(parsed);
  return out;
}

const formatArb = fc.constantFrom<InputFormat>('csv', 'json', 'jsonl');
const offsetsArb = fc.array(fc.nat({ max: 400 }), { maxLength: 12 });

/** Characters that stress CSV: both delimiters, quotes, every line end, multi-byte and astral characters. */
const csvCharArb = fc.constantFrom('a', 'Z', '7', ' ', '\t', '"', ',', ';', '\n', '\r', 'é', '日', '😀', '=', '@');

describe('any bytes, any format: the parsers never throw and every entry has a line', () => {
  it('holds for arbitrary bytes and text, cut anywhere (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        formatArb,
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes): string | Uint8Array => bytes),
          fc.string({ unit: csvCharArb, maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 120 }),
          fc.json({ maxDepth: 3 }),
        ),
        offsetsArb,
        fc.constantFrom(undefined, 16, 64),
        async (format, input, offsets, maxRecordBytes) => {
          const bytes = typeof input === 'string' ? Buffer.from(input) : input;

          const records = await collect(cutAt(bytes, offsets), format, maxRecordBytes);

          for (const entry of records) {
            expect(Number.isInteger(entry.line) && entry.line >= 1).toBe(true);
            if ('error' in entry) expect(entry.error.length).toBeGreaterThan(0);
            else expect(typeof entry.record).toBe('object');
          }
          const lines = records.map((r) => r.line);
          // CSV and JSON Lines give at most one entry per line, in order; a JSON array may hold several per line.
          const ordered = lines.every(
            (line, i) => i === 0 || (format === 'json' ? line >= (lines[i - 1] ?? 0) : line > (lines[i - 1] ?? 0)),
          );
          expect(ordered).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives CSV results that depend only on the text, not on where the chunks are cut (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: csvCharArb, maxLength: 160 }).map((body) => `id,note\n${body}`),
        offsetsArb,
        fc.constantFrom(undefined, 24),
        async (csv, offsets, maxRecordBytes) => {
          const bytes = Buffer.from(csv);
          const whole = await collect([bytes], 'csv', maxRecordBytes);

          const cut = await collect(cutAt(bytes, offsets), 'csv', maxRecordBytes);

          expect(cut).toEqual(whole);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** A CSV table written as a spreadsheet would: quoted where needed (or at random), with the chosen line end. */
const csvTableArb = fc
  .record({
    columns: fc.integer({ min: 2, max: 4 }),
    delimiter: fc.constantFrom(',', ';'),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    leadingBlankLines: fc.nat({ max: 2 }),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      rows: fc.array(
        fc.record({
          values: fc.array(fc.string({ unit: csvCharArb.filter((c) => c !== '\r'), maxLength: 8 }), {
            minLength: shape.columns - 1,
            maxLength: shape.columns - 1,
          }),
          quoteAnyway: fc.array(fc.boolean(), { minLength: shape.columns, maxLength: shape.columns }),
          blankLinesAfter: fc.nat({ max: 1 }),
        }),
        { maxLength: 8 },
      ),
      offsets: offsetsArb,
    }),
  );

describe('CSV written by a spreadsheet reads back exactly, with the line each row starts on', () => {
  it('holds for quotes, both delimiters, LF/CRLF/CR line ends, BOM, multi-byte text, any chunking (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(csvTableArb, async ({ shape, rows, offsets }) => {
        const { columns, delimiter, eol } = shape;
        const header = Array.from({ length: columns }, (_, i) => `col${i}`);
        const cell = (value: string, quote: boolean) => {
          const needsQuotes = value.includes(delimiter) || value.includes('\n') || value.startsWith('"');
          return needsQuotes || quote ? `"${value.replaceAll('"', '""').replaceAll('\n', eol)}"` : value;
        };
        let text = `${shape.bom ? '\uFEFF' : ''}${eol.repeat(shape.leadingBlankLines)}${header.join(delimiter)}${eol}`;
        let line = shape.leadingBlankLines + 2;
        const expected: ParsedRecord[] = [];
        rows.forEach((row, r) => {
          // The first column is never blank, so no row is skipped as a blank line.
          const values = [`r${r}`, ...row.values];
          const written = values.map((value, i) => cell(value, row.quoteAnyway[i] ?? false)).join(delimiter);
          expected.push({ line, record: Object.fromEntries(header.map((name, i) => [name, values[i]])) });
          text += `${written}${eol}${eol.repeat(row.blankLinesAfter)}`;
          line += 1 + row.values.join('').split('\n').length - 1 + row.blankLinesAfter;
        });

        const records = await collect(cutAt(Buffer.from(text), offsets), 'csv');

        expect(records).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

const goodCsvRowArb = fc.stringMatching(/^[A-Za-z0-9 .-]{1,12}$/).map((note) => note.trim() || 'x');

/** Lines a person or a broken export may leave in a CSV, none holding a quote (so none can swallow the next). */
const junkLineArb = fc.string({ unit: fc.constantFrom('a', ',', ';', ' ', '\t', 'é', '=', '@', '-'), maxLength: 20 });

/**
 * Lines with a stray quote: unclosed, text after the closing quote, or both. None of them can close another line's
 * stray quote (each quote is followed by text), so none pairs with another into a valid multi-line field.
 */
const strayQuoteLineArb = fc.constantFrom(
  'X,"never closed',
  '"quoted"then text,x',
  'X,"a""b',
  '"a"b,"c',
  'X," spaced" ,y',
);

type Line = { kind: 'good'; text: string; note: string } | { kind: 'junk' | 'stray'; text: string };

function csvWithLines(lines: Line[]): { csv: string; expectedGood: ParsedRecord[] } {
  const expectedGood: ParsedRecord[] = [];
  lines.forEach((l, i) => {
    if (l.kind === 'good') expectedGood.push({ line: i + 2, record: { id: `G${i}`, note: l.note } });
  });
  return { csv: `id,note\n${lines.map((l) => l.text).join('\n')}\n`, expectedGood };
}

describe('a bad CSV line costs that line only', () => {
  it('keeps every good row next to junk lines, with one entry at most per junk line (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            goodCsvRowArb.map((note) => ({ kind: 'good' as const, note })),
            junkLineArb,
          ),
          {
            maxLength: 15,
          },
        ),
        async (shapes) => {
          const lines: Line[] = shapes.map((s, i) =>
            typeof s === 'string' ? { kind: 'junk', text: s } : { kind: 'good', text: `G${i},${s.note}`, note: s.note },
          );
          const { csv, expectedGood } = csvWithLines(lines);

          const records = await collect([csv], 'csv');

          expect(records.filter((r) => lines[r.line - 2]?.kind === 'good')).toEqual(expectedGood);
          for (const entry of records) expect(lines[entry.line - 2]).toBeDefined();
          expect(records.every((r, i) => i === 0 || r.line > (records[i - 1]?.line ?? 0))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps every good row after a stray quote, and reports each stray line once (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            goodCsvRowArb.map((note) => ({ kind: 'good' as const, note })),
            strayQuoteLineArb,
          ),
          {
            maxLength: 15,
          },
        ),
        fc.constantFrom(undefined, 40, 90),
        offsetsArb,
        async (shapes, maxRecordBytes, offsets) => {
          const lines: Line[] = shapes.map((s, i) =>
            typeof s === 'string'
              ? { kind: 'stray', text: s }
              : { kind: 'good', text: `G${i},${s.note}`, note: s.note },
          );
          const { csv, expectedGood } = csvWithLines(lines);

          const records = await collect(cutAt(Buffer.from(csv), offsets), 'csv', maxRecordBytes);

          expect(records.filter((r) => 'record' in r)).toEqual(expectedGood);
          const strayLines = lines.flatMap((l, i) => (l.kind === 'stray' ? [i + 2] : []));
          expect(records.filter((r) => 'error' in r).map((r) => r.line)).toEqual(strayLines);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    [
      'text after a closing quote',
      'id,note\nA,"x"y\nB,ok\n',
      2,
      'CSV syntax error: unexpected text after the closing quote of column 2',
    ],
    [
      'a quote never closed',
      'id,note\nA,"oops\nB,ok\nC,ok\n',
      2,
      'CSV syntax error: the quoted field opened on this line is never closed',
    ],
    [
      'a space before the closing quote',
      'id,note\nA,"x" \nB,ok\n',
      2,
      'CSV syntax error: unexpected text after the closing quote of column 2',
    ],
  ])('regression: %s is reported on its own line and the rows after it still register', async (_case, csv, line, error) => {
    const records = await collect([csv], 'csv');

    expect(records[0]).toEqual({ line, error });
    expect(records.slice(1).every((r) => 'record' in r)).toBe(true);
    expect(records.slice(1).map((r) => ('record' in r ? r.record.id : ''))).toEqual(
      csv.includes('C,ok') ? ['B', 'C'] : ['B'],
    );
  });

  it('regression: a stray quote before 64 KiB of good rows costs its line only', async () => {
    const good = Array.from({ length: 5000 }, (_, i) => `G${i},fine row ${i}`);
    const csv = `id,note\nBAD,"unclosed\n${good.join('\n')}\n`;

    const records = await collect([csv], 'csv');

    expect(records[0]).toEqual({
      line: 2,
      error:
        'CSV syntax error: the quoted field opened on this line is not closed within 64 KiB (is a closing quote missing?)',
    });
    expect(records.slice(1)).toEqual(
      good.map((_row, i) => ({ line: i + 3, record: { id: `G${i}`, note: `fine row ${i}` } })),
    );
  });

  it('reads two stray quotes that pair up as one quoted field, as RFC 4180 and spreadsheets do', async () => {
    // The lines between them belong to that field: validation then refuses the record (a name or id may not hold a
    // line break), so it is reported on its first line rather than registered.
    const records = await collect(['id,note\nA,"\nB,x\nC,"\nD,ok\n'], 'csv');

    expect(records).toEqual([
      { line: 2, record: { id: 'A', note: '\nB,x\nC,' } },
      { line: 5, record: { id: 'D', note: 'ok' } },
    ]);
  });

  it('regression: a quote inside an unquoted field is one row, not two errors', async () => {
    const records = await collect(['id,note\n1,x"y"z\n2, "a,b"\n'], 'csv');

    expect(records).toEqual([
      { line: 2, record: { id: '1', note: 'x"y"z' } },
      { line: 3, error: 'row has 3 columns but the header has 2' },
    ]);
  });
});

describe('line ends and encodings a spreadsheet may write', () => {
  it.each([
    'csv',
    'jsonl',
  ] as const)('regression: a %s file with CR-only line ends yields every row with its line', async (format) => {
    const text = format === 'csv' ? 'id,n\r1,a\r2,b\r' : '{"id":"1"}\r{"id":"2"}\r';

    const records = await collect([text], format);

    expect(records.map((r) => r.line)).toEqual(format === 'csv' ? [2, 3] : [1, 2]);
    expect(records.every((r) => 'record' in r)).toBe(true);
  });

  it('counts lines of a JSON array with CR-only line ends', async () => {
    const records = await collect(['[{"a":1},\r{"b":2}]'], 'json');

    expect(records).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { b: 2 } },
    ]);
  });

  it.each([
    ['utf-16le', [0xff, 0xfe]],
    ['utf-16be', [0xfe, 0xff]],
  ] as const)('regression: reads a %s file (Excel "Unicode text") instead of registering mojibake', async (encoding, bom) => {
    const text = 'invoiceId,customerName\nINV-1,Conceição\n';
    const units = Buffer.from(text, 'utf16le');
    if (encoding === 'utf-16be') units.swap16();
    const bytes = Buffer.concat([Buffer.from(bom), units]);

    const records = await collect(cutAt(bytes, [1, 3, 8]), 'csv');

    expect(records).toEqual([{ line: 2, record: { invoiceId: 'INV-1', customerName: 'Conceição' } }]);
  });

  it('ignores a byte-order mark at the start of a JSON line (files joined with cat)', async () => {
    const records = await collect(['\uFEFF{"a":1}\n\uFEFF{"b":2}\n'], 'jsonl');

    expect(records).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { b: 2 } },
    ]);
  });

  it('passes invalid UTF-8 on as U+FFFD for validation to refuse, and reads the next row', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,Jo'), Buffer.from([0xc3, 0x28]), Buffer.from('o\n2,Bia\n')]);

    const records = await collect([bytes], 'csv');

    expect(records).toEqual([
      { line: 2, record: { id: '1', name: 'Jo\uFFFD(o' } },
      { line: 3, record: { id: '2', name: 'Bia' } },
    ]);
  });
});

describe('JSON Lines and JSON arrays keep good records next to bad ones', () => {
  const objectArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  const junkArb = fc.oneof(
    fc.string({ unit: fc.constantFrom('{', '}', '[', '"', ':', ',', 'a', ' ', '\\', '1'), maxLength: 12 }),
    fc
      .jsonValue({ maxDepth: 1 })
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)),
  );

  it('gives one entry per non-blank JSON line, the good ones exactly (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(objectArb, junkArb), { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        offsetsArb,
        async (items, eol, offsets) => {
          const text = items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(eol);

          const records = await collect(cutAt(Buffer.from(text), offsets), 'jsonl');

          const expectedLines = items.flatMap((item, i) =>
            typeof item === 'string' && item.trim() === '' ? [] : [i + 1],
          );
          expect(records.map((r) => r.line)).toEqual(expectedLines);
          for (const entry of records) {
            const item = items[entry.line - 1];
            if (typeof item !== 'string') expect(entry).toEqual({ line: entry.line, record: jsonRoundTrip(item) });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives each JSON array element with its line, objects as records and the rest as errors (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.oneof(objectArb, fc.jsonValue({ maxDepth: 2 })), fc.constantFrom(' ', '\n', '\r\n', '\r', '\t')),
          {
            maxLength: 10,
          },
        ),
        offsetsArb,
        async (elements, offsets) => {
          let text = '[';
          let line = 1;
          const expected: unknown[] = [];
          elements.forEach(([value, gap], i) => {
            if (i > 0) text += ',';
            text += gap;
            if (gap !== ' ' && gap !== '\t') line++;
            const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
            expected.push(
              isObject
                ? { line, record: jsonRoundTrip(value) }
                : { line, error: expect.stringMatching(/^expected an invoice object, got /) },
            );
            text += JSON.stringify(value);
          });
          text += ']';

          const records = await collect(cutAt(Buffer.from(text), offsets), 'json');

          expect(records).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** A value as JSON carries it (`-0` becomes `0`). */
function jsonRoundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The 10 MB line, made lazily in 64 KiB pieces so the test itself holds none of it. */
async function* bodyWithHugeLine(format: InputFormat, hugeBytes: number, onChunk?: (sent: number) => void) {
  const piece = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
  if (format === 'csv') yield Buffer.from('id,note\nA,before\nB,"');
  if (format === 'jsonl') yield Buffer.from('{"id":"A"}\n{"id":"B","note":"');
  if (format === 'json') yield Buffer.from('[{"id":"A"},\n{"id":"B","note":"');
  for (let sent = 0; sent < hugeBytes; sent += piece.length) {
    onChunk?.(sent);
    yield piece;
  }
  if (format === 'csv') yield Buffer.from('"\nC,after\n');
  if (format === 'jsonl') yield Buffer.from('"}\n{"id":"C"}\n');
  if (format === 'json') yield Buffer.from('"},\n{"id":"C"}\n]');
}

describe('a 10 MB line', () => {
  it.each([
    'csv',
    'jsonl',
    'json',
  ] as const)("is that line's error in %s, while the rows around it register", async (format) => {
    const records: ParsedRecord[] = [];

    for await (const parsed of parseRecords(bodyWithHugeLine(format, 10 * 1024 * 1024), format)) records.push(parsed);

    const ids = records.flatMap((r) => ('record' in r ? [r.record.id] : []));
    expect(ids).toEqual(['A', 'C']);
    expect(records.filter((r) => 'error' in r)).toEqual([
      { line: format === 'csv' ? 3 : 2, error: 'record is larger than 64 KiB' },
    ]);
  });

  it.each(['csv', 'jsonl', 'json'] as const)('is never held in memory by the %s parser', async (format) => {
    // A full collection before each reading leaves only what the parser still references.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let retainedMidway = 0;
    const measure = (sent: number) => {
      if (sent !== 8 * 1024 * 1024) return;
      gc();
      retainedMidway = process.memoryUsage().heapUsed - before;
    };

    for await (const _parsed of parseRecords(bodyWithHugeLine(format, 10 * 1024 * 1024, measure), format)) {
      // drain
    }

    // 8 MB of the line had gone through the parser by then: holding it would retain at least that much.
    expect(retainedMidway).toBeLessThan(2 * 1024 * 1024);
  });
});
