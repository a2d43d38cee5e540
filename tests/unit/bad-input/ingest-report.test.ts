import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as ingestFile } from '../../../functions/handlers/ingest-file';
import { formatDecimalAmount } from '../../../functions/values/money';
import { lambdaContext } from '../../support/fixtures';
import { COLUMNS, csvCell, cutAt, fileOf, INVALID_UTF8, rowsArb, withInvalidUtf8 } from './hostile-input';

/**
 * The S3 drop end to end (handler -> ingest service -> parsers -> validation -> registration), AWS mocked: good rows
 * next to bad ones are all registered, each bad row appears once in the report with its line and the field at fault.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const s3 = mockClient(S3Client);

interface ReportJson {
  totals: { rows: number; registered: number; duplicates: number; rejected: number; failed: number };
  rejected: { line: number; invoiceId?: string; issues: { path: string; issue: string }[] }[];
  failed: { invoiceId: string; error: string }[];
}

interface DropOutcome {
  /** The report written to rejected/, if any. */
  report: ReportJson | undefined;
  reportText: string | undefined;
  /** Invoice ids queued for their workflow, in order. */
  queued: string[];
  /** Invoice items stored. */
  stored: { invoiceId: string; amount: { minor: number; currency: string }; dueDate: string }[];
  moved: boolean;
}

function givenHealthyAws(): void {
  s3.on(PutObjectCommand).resolves({});
  s3.on(CopyObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
}

async function drop(name: string, chunks: readonly Uint8Array[] | AsyncIterable<Uint8Array>): Promise<DropOutcome> {
  s3.on(GetObjectCommand).resolves({ Body: Readable.from(chunks) as never });
  const event = { Records: [{ s3: { bucket: { name: 'drop' }, object: { key: `incoming/${name}` } } }] } as S3Event;

  await ingestFile(event, lambdaContext);

  return outcome();
}

function outcome(): DropOutcome {
  const reportText = s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as string | undefined;
  return {
    report: reportText === undefined ? undefined : (JSON.parse(reportText) as ReportJson),
    reportText,
    queued: sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => (JSON.parse(entry.MessageBody ?? '{}') as { invoiceId: string }).invoiceId),
    stored: ddb
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input.Item as DropOutcome['stored'][number] & { itemType?: string })
      .filter((item) => item.itemType === 'invoice'),
    moved: s3.commandCalls(CopyObjectCommand).length === 1,
  };
}

/** Every string value in a JSON document. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

afterEach(() => {
  s3.reset();
  ddb.reset();
  sqs.reset();
});

describe('a dropped file with bad rows among good ones', () => {
  it('registers every good row and reports each bad row once, with its line and the field at fault (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('csv', 'json', 'jsonl') as fc.Arbitrary<'csv' | 'json' | 'jsonl'>,
        rowsArb({ maxLength: 8 }),
        fc.array(fc.nat({ max: 3000 }), { maxLength: 6 }),
        async (format, rows, offsets) => {
          s3.reset();
          ddb.reset();
          sqs.reset();
          givenHealthyAws();
          const { bytes, lines } = fileOf(format, rows);

          const { report, queued, stored, moved } = await drop(`batch.${format}`, cutAt(bytes, offsets));

          const good = rows.flatMap((row) => (row.kind === 'good' ? [row.record] : []));
          expect(queued).toEqual(good.map((r) => r.invoiceId));
          expect(
            stored.map((item) => [item.invoiceId, formatDecimalAmount(item.amount.minor, item.amount.currency)]),
          ).toEqual(good.map((r) => [r.invoiceId, r.amount]));
          expect(moved).toBe(true);
          const bad = rows.flatMap((row, i) =>
            row.kind === 'bad' ? [{ line: lines[i], path: row.breaker.path }] : [],
          );
          if (bad.length === 0) {
            expect(report).toBeUndefined();
            return;
          }
          expect(report?.totals).toEqual({
            rows: rows.length,
            registered: good.length,
            duplicates: 0,
            rejected: bad.length,
            failed: 0,
          });
          expect(report?.rejected.map((r) => ({ line: r.line, path: r.issues.map((i) => i.path) }))).toEqual(
            bad.map((b) => ({ line: b.line, path: [b.path] })),
          );
          for (const text of stringsIn(report)) expect(text).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hand-written nasties in one CSV drop', () => {
  const header = COLUMNS.join(',');
  const row = (fields: Partial<Record<(typeof COLUMNS)[number], string>>) =>
    COLUMNS.map((c) => csvCell(fields[c])).join(',');
  const base = {
    customerId: 'C-1',
    customerName: 'Ana Souza',
    amount: '10.00',
    currency: 'BRL',
    dueDate: '2026-12-10',
  };

  it('registers the good rows around every kind of bad one, each reported once on its line', async () => {
    givenHealthyAws();
    const csv = [
      `\uFEFF${header}`,
      row({ ...base, invoiceId: 'OK-1' }),
      row({ ...base, invoiceId: 'BAD-FORMULA', customerName: '=cmd()' }),
      row({ ...base, invoiceId: 'BAD-AT', description: '@SUM(A1)' }),
      row({ ...base, invoiceId: 'BAD-DATE', dueDate: '2026-02-30' }),
      row({ ...base, invoiceId: 'BAD-CURRENCY', currency: 'XYZ' }),
      row({ ...base, invoiceId: 'BAD-NEGATIVE', amount: '-5' }),
      row({ ...base, invoiceId: 'BAD-DECIMALS', amount: '10.505' }),
      row({ ...base, invoiceId: 'BAD-OVERFLOW', amount: '90071992547409.92' }),
      row({ ...base, invoiceId: 'BAD-UTF8', customerName: `Jo${INVALID_UTF8}o` }),
      'BAD-QUOTE,"C-1"x,Ana',
      row({ ...base, invoiceId: 'OK-2', description: 'Linha 1\r\nLinha 2, com "aspas"' }),
      'SHORT,ROW',
      row({ ...base, invoiceId: 'OK-3', amount: '0.01' }),
    ].join('\r\n');

    const { report, queued } = await drop('nasties.csv', [withInvalidUtf8(csv)]);

    expect(queued).toEqual(['OK-1', 'OK-2', 'OK-3']);
    expect(report?.rejected.map((r) => [r.line, r.invoiceId ?? null, r.issues.map((i) => i.path).join()])).toEqual([
      [3, 'BAD-FORMULA', 'customerName'],
      [4, 'BAD-AT', 'description'],
      [5, 'BAD-DATE', 'dueDate'],
      [6, 'BAD-CURRENCY', 'currency'],
      [7, 'BAD-NEGATIVE', 'amount'],
      [8, 'BAD-DECIMALS', 'amount'],
      [9, 'BAD-OVERFLOW', 'amount'],
      [10, 'BAD-UTF8', 'customerName'],
      [11, null, '(record)'],
      [14, null, '(record)'],
    ]);
    expect(report?.rejected.find((r) => r.invoiceId === 'BAD-UTF8')?.issues[0]?.issue).toMatch(
      /^is not valid UTF-8 text/,
    );
  });

  it("rejects a 10 MB line as that line's error while the rows around it register", async () => {
    givenHealthyAws();
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`${header}\n${row({ ...base, invoiceId: 'BEFORE' })}\nHUGE,"`);
      const piece = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
      for (let sent = 0; sent < 10 * 1024 * 1024; sent += piece.length) yield piece;
      yield Buffer.from(`"\n${row({ ...base, invoiceId: 'AFTER' })}\n`);
    }

    const { report, queued } = await drop('huge.csv', body());

    expect(queued).toEqual(['BEFORE', 'AFTER']);
    expect(report?.rejected).toEqual([
      { line: 3, issues: [{ path: '(record)', issue: 'record is larger than 64 KiB' }] },
    ]);
  });

  it('regression: registers the first of two rows with one invoice id and rejects the other, naming the first', async () => {
    givenHealthyAws();
    const csv = [
      header,
      row({ ...base, invoiceId: 'SAME' }),
      row({ ...base, invoiceId: 'SAME', amount: '99.00' }),
    ].join('\n');

    const { report, queued, stored } = await drop('twice.csv', [Buffer.from(csv)]);

    expect(queued).toEqual(['SAME']);
    expect(stored.map((item) => item.amount.minor)).toEqual([1000]);
    expect(report?.rejected).toEqual([
      {
        line: 3,
        invoiceId: 'SAME',
        issues: [{ path: 'invoiceId', issue: 'repeats the invoice id of line 2 in this file' }],
      },
    ]);
  });

  it('regression: neutralises formula-like text echoed into the report from elsewhere (an AWS error)', async () => {
    givenHealthyAws();
    ddb.on(UpdateCommand).rejects(new Error('=HYPERLINK("http://evil.example","retry")'));
    const csv = [header, row({ ...base, invoiceId: 'OK-1' })].join('\n');
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as never });
    const event = { Records: [{ s3: { bucket: { name: 'drop' }, object: { key: 'incoming/x.csv' } } }] } as S3Event;

    await expect(ingestFile(event, lambdaContext)).rejects.toThrow(/could not be registered yet/);

    const { report, moved } = outcome();
    expect(report?.failed).toEqual([{ invoiceId: 'OK-1', error: `'=HYPERLINK("http://evil.example","retry")` }]);
    expect(moved).toBe(false);
  });

  it('reports a file type it cannot read, and registers nothing', async () => {
    givenHealthyAws();

    const { report, queued } = await drop('invoices.xlsx', [Buffer.from('PK\u0003\u0004')]);

    expect(queued).toEqual([]);
    expect(report?.rejected).toEqual([
      { line: 0, issues: [{ path: '(file)', issue: 'unsupported file type: use .csv, .json or .jsonl' }] },
    ]);
  });
});
