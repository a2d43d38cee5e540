import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as ingestPayments } from '../../../functions/handlers/ingest-payments';
import type { PaymentIngestReport } from '../../../functions/ingest/ingest-payments';
import type { Invoice } from '../../../functions/invoices/invoice';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

// A payment file dropped under payments/ (handler -> service -> parsers -> validation -> the payment decision), AWS
// mocked: the invoices live in a map the DynamoDB mock reads and writes, so each row sees the previous ones.

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);

let invoices: Map<string, Invoice>;

function givenInvoices(...list: Invoice[]): void {
  invoices = new Map(list.map((i) => [i.invoiceId, i]));
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    const invoice = invoices.get(input.Key.pk.replace('INVOICE#', ''));
    return invoice ? { Item: { ...keys.invoice(invoice.invoiceId), ...invoice } } : {};
  });
  ddb.on(UpdateCommand).callsFake((input) => {
    const id = (input.Key.pk as string).replace('INVOICE#', '');
    const current = invoices.get(id) as Invoice;
    const values = input.ExpressionAttributeValues;
    if (input.ConditionExpression === 'taskToken = :token') {
      // the told token taken off (resumeDelivered)
      const { taskToken: _told, ...rest } = current;
      invoices.set(id, rest);
      return {};
    }
    const next: Invoice = {
      ...current,
      status: values[':status'],
      version: values[':next'],
      ...(values[':balance'] !== undefined ? { balanceMinor: values[':balance'] } : {}),
      ...(values[':credit'] !== undefined ? { creditMinor: values[':credit'] } : {}),
      ...(values[':refs'] !== undefined ? { paymentRefs: values[':refs'] } : {}),
    };
    invoices.set(id, next);
    return { Attributes: next };
  });
  ddb.on(PutCommand).resolves({});
}

beforeEach(() => {
  s3.on(PutObjectCommand).resolves({});
  s3.on(CopyObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
});

afterEach(() => {
  ddb.reset();
  s3.reset();
  sfn.reset();
});

async function drop(name: string, text: string, etag = '"etag-1"'): Promise<PaymentIngestReport | undefined> {
  s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(text)]) as never, ETag: etag });
  const event = { Records: [{ s3: { bucket: { name: 'drop' }, object: { key: `payments/${name}` } } }] } as S3Event;
  await ingestPayments(event, lambdaContext);
  const reportText = s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as string | undefined;
  return reportText === undefined ? undefined : (JSON.parse(reportText) as PaymentIngestReport);
}

const CSV = [
  'invoiceId,amount,paidAt,reference',
  'INV-1,1234.50,2026-12-08T10:00:00-03:00,TX-1', // pays INV-1 in full
  'INV-2,100.00,,TX-2', // partial
  'INV-404,10.00,,', // no such invoice
  'INV-2,12,50,,', // wrong column count
  'INV-2,-5.00,,', // negative
  'INV-3,50.00,,TX-3', // written off
  'INV-2,200.00,,TX-4', // overpays INV-2 (balance 134.50 after line 3)
].join('\n');

describe('a payment file dropped under payments/', () => {
  it('records every good row, reports each bad one with its line and field, and moves the file', async () => {
    // Prepare
    givenInvoices(
      invoiceFixture({ invoiceId: 'INV-1', taskToken: 'token-1' }),
      invoiceFixture({ invoiceId: 'INV-2', amount: { minor: 23450, currency: 'BRL' }, balanceMinor: 23450 }),
      invoiceFixture({ invoiceId: 'INV-3', status: 'WRITTEN_OFF' }),
    );

    // Act
    const report = await drop('bank-2026-12-08.csv', CSV);

    // Assess
    expect(invoices.get('INV-1')).toMatchObject({ status: 'PAID', balanceMinor: 0 });
    expect(invoices.get('INV-2')).toMatchObject({ status: 'PAID', balanceMinor: 0, creditMinor: 6550 });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1', output: '{"event":"paid"}' });
    expect(report?.totals).toEqual({ rows: 7, applied: 3, duplicates: 0, rejected: 4, failed: 0 });
    expect(report?.rejected).toEqual([
      { line: 4, invoiceId: 'INV-404', issues: [{ path: 'invoiceId', issue: 'no invoice INV-404' }] },
      { line: 5, issues: [{ path: '(record)', issue: expect.stringContaining('column') }] },
      { line: 6, invoiceId: 'INV-2', issues: [{ path: 'amount', issue: expect.stringContaining('"-5.00"') }] },
      {
        line: 7,
        invoiceId: 'INV-3',
        issues: [{ path: 'invoiceId', issue: expect.stringContaining('is WRITTEN_OFF: cannot record a payment') }],
      },
    ]);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: 'rejected/payments/bank-2026-12-08.csv.errors.json',
    });
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Key: 'processed/payments/bank-2026-12-08.csv',
      CopySource: 'drop/payments/bank-2026-12-08.csv',
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: 'payments/bank-2026-12-08.csv' });
  });

  it('pays nothing twice when the same file comes again: rows with and without a reference are duplicates', async () => {
    givenInvoices(invoiceFixture({ invoiceId: 'INV-2', balanceMinor: 50000 }));
    const file = 'invoiceId,amount,reference\nINV-2,100.00,TX-9\nINV-2,50.00,\n';

    await drop('twice.csv', file);
    s3.resetHistory();
    const second = await drop('twice.csv', file);

    expect(invoices.get('INV-2')?.balanceMinor).toBe(35000);
    expect(invoices.get('INV-2')?.paymentRefs).toEqual(['TX-9', 'file:etag-1:3']);
    expect(second).toBeUndefined(); // nothing rejected: no report
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, { Key: 'processed/payments/twice.csv' });
  });

  it('reads JSON Lines, and refuses a currency that is not the invoice one', async () => {
    givenInvoices(invoiceFixture({ invoiceId: 'INV-1' }));

    const report = await drop(
      'p.jsonl',
      '{"invoiceId":"INV-1","amount":"10.00","currency":"USD"}\n{"invoiceId":"INV-1","amount":10}\n',
    );

    expect(invoices.get('INV-1')?.balanceMinor).toBe(122450);
    expect(report?.rejected).toEqual([
      { line: 1, invoiceId: 'INV-1', issues: [{ path: 'currency', issue: 'is USD, but invoice INV-1 is in BRL' }] },
    ]);
  });

  it('skips a file that is gone already (a duplicate S3 event) and writes nothing', async () => {
    givenInvoices();
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));

    await ingestPayments(
      { Records: [{ s3: { bucket: { name: 'drop' }, object: { key: 'payments/gone.csv' } } }] } as S3Event,
      lambdaContext,
    );

    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
  });

  it('keeps the file for a retry when a payment could not be recorded (infrastructure), reporting it', async () => {
    givenInvoices(invoiceFixture({ invoiceId: 'INV-1' }));
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceeded' }));

    await expect(drop('retry.csv', 'invoiceId,amount\nINV-1,10.00\n')).rejects.toThrow(/stays for a retry/);

    const report = JSON.parse(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as string);
    expect(report.failed).toEqual([{ line: 2, invoiceId: 'INV-1', error: 'Rate exceeded' }]);
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
  });
});
