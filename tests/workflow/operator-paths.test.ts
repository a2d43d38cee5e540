import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BillingRule, parseBillingRule } from '../../functions/rules/billing-rule';
import { DynamoAuditLog } from '../../functions/stores/dynamodb';
import { defaultRule, lambdaContext } from '../support/fixtures';
import { providersRecordEveryMessage, type SentMessage } from '../support/providers';
import { invoiceRegistrar, startHarness, useDynaliteHandlers, type WorkflowHarness } from '../support/workflow-harness';

// The operator paths of the synthesized definition (issue #5), executed by the local runtime with the real handlers
// in-process and DynamoDB on dynalite; SES/SNS/SQS mocked at the SDK, SendTaskSuccess wired to the runtime.

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const s3 = mockClient(S3Client);

const TABLE = 'dunning-operator-paths-test';

const { handlers, api, dynamo } = useDynaliteHandlers(TABLE, {
  createInvoices: 'create-invoices',
  recordPayment: 'record-payment',
  changeInvoice: 'change-invoice',
  ingestPayments: 'ingest-payments',
  escalateInvoice: 'escalate-invoice',
});
let harness: WorkflowHarness;
let sent: SentMessage[] = [];

function useHarness(rule: BillingRule, start: string) {
  harness = startHarness(rule, handlers, start, sfn);
}

beforeEach(() => {
  sent = [];
  // SES and SNS take every message and record it in `sent` at the virtual instant; SQS takes every batch (S3 is faked
  // by the test that drops a file).
  providersRecordEveryMessage(ses, sns, { now: () => harness.now(), record: (message) => sent.push(message) });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
});

afterEach(() => {
  harness?.dispose();
  for (const mock of [ses, sns, sfn, sqs, s3]) mock.reset();
});

const registerNext = invoiceRegistrar('OP', api);
/** Registers an invoice due Thursday 2026-12-10 (São Paulo) through the real create-invoices handler. */
const register = async (): Promise<string> => (await registerNext()).invoiceId;

/** `POST /invoices/{id}/<action>` through the real change-invoice handler, as API Gateway calls it. */
async function operator(action: string, invoiceId: string, body: Record<string, unknown>) {
  const response = (await api.changeInvoice(
    {
      resource: `/invoices/{id}/${action}`,
      pathParameters: { id: invoiceId },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { statusCode: number; body: string };
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body) as { status: string; resumedWorkflow: boolean };
}

/** `POST /invoices/{id}/payments` through the real record-payment handler. */
async function pay(invoiceId: string, amount?: string) {
  const response = (await api.recordPayment(
    {
      pathParameters: { id: invoiceId },
      body: amount === undefined ? null : JSON.stringify({ amount }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { statusCode: number; body: string };
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body) as { event: string; status: string; promiseKept?: boolean };
}

/** The invoice's contact log (stage, channel, outcome), read from dynalite. */
async function contactLog(invoiceId: string) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const { contacts } = await new DynamoAuditLog(client, TABLE).invoiceHistory(invoiceId);
  client.destroy();
  return contacts.map((i) => `${i.stageId} ${i.channel} ${i.outcome}`);
}

const at = (iso: string) => new Date(iso);

describe('an operator pauses and resumes the walk', () => {
  it('sends nothing while paused and, on resume, performs the latest stage that fell due (earlier ones superseded)', async () => {
    // Prepare: registered 2026-12-01; D-3 goes out on Mon 2026-12-07 09:00 local
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    // Act: paused during the D0 wait, resumed on Fri 2026-12-18 (D0, D+3 and D+7 fell due meanwhile)
    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('pause', invoiceId, { reason: 'customer called' }) },
      { at: at('2026-12-18T15:00:00.000Z'), run: () => operator('resume', invoiceId, { reason: 'no news' }) },
    ]);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)?.name).toBe('Billing rule completed');
    expect(sent.map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:00:00.000Z email', // D-3
      '2026-12-18T15:00:01.000Z email', // D+7 at once on resume (Fri 12:00 local, open)
      '2026-12-18T15:00:01.000Z sms',
      '2026-12-26T11:00:00.000Z email', // D+15 (Christmas → Sat 26th 08:00)
      '2027-01-09T13:00:00.000Z operators', // D+30
    ]);
    const entered = run.entered.map((e) => `${e.at} ${e.name}`);
    expect(entered).toEqual(
      expect.arrayContaining([
        '2026-12-08T15:00:00.000Z D0 · sent or deferred?',
        '2026-12-08T15:00:00.000Z Paused or disputed (wait for resume)',
        '2026-12-18T15:00:00.000Z Plan next stage',
        '2026-12-18T15:00:00.000Z D+7 · wait or payment',
      ]),
    );
    expect(await contactLog(invoiceId)).toEqual(expect.arrayContaining(['D0 * superseded', 'D+3 * superseded']));
  });

  it('never ends a paused walk by itself: it waits for the resume, however long', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('pause', invoiceId, { reason: 'under review' }) },
    ]);

    expect(run.status).toBe('RUNNING');
    expect(run.entered.at(-1)?.name).toBe('Paused or disputed (wait for resume)');
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
  });
});

describe('a dispute holds the walk until it is resolved', () => {
  it('contacts nobody while disputed and goes on with the stage that is due once resolved', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('dispute', invoiceId, { reason: 'wrong amount' }) },
      { at: at('2026-12-11T15:00:00.000Z'), run: () => operator('resolve', invoiceId, { reason: 'amount confirmed' }) },
    ]);

    expect(run.status).toBe('SUCCEEDED');
    // D0 (Thu 10th 09:00) fell due while disputed: performed on resolve; D+3 (Sun 13th → Mon 14th 08:00) on time.
    expect(sent.slice(0, 4).map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:00:00.000Z email',
      '2026-12-11T15:00:01.000Z email',
      '2026-12-11T15:00:01.000Z sms',
      '2026-12-14T11:00:00.000Z sms',
    ]);
    expect(run.entered.filter((e) => e.name === 'Paused or disputed (wait for resume)').map((e) => e.at)).toEqual([
      '2026-12-08T15:00:00.000Z',
    ]);
  });

  it('refuses to resume a disputed invoice (409): a dispute ends with resolve', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let refused: { statusCode: number; body: string } | undefined;

    await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('dispute', invoiceId, { reason: 'wrong amount' }) },
      {
        at: at('2026-12-09T15:00:00.000Z'),
        run: async () => {
          refused = (await api.changeInvoice(
            {
              resource: '/invoices/{id}/resume',
              pathParameters: { id: invoiceId },
              body: '{"reason":"oops"}',
              isBase64Encoded: false,
            } as unknown as APIGatewayProxyEvent,
            lambdaContext,
          )) as { statusCode: number; body: string };
        },
      },
    ]);

    expect(refused?.statusCode).toBe(409);
    expect(JSON.parse(refused?.body ?? '{}').error.code).toBe('InvalidTransition');
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
  });
});

describe('a promise to pay holds the walk until its date', () => {
  const PROMISED = 'Promise to pay (wait until the promised date)';

  it('is kept by paying the promised amount before the deadline; dunning then goes on for the rest', async () => {
    // Prepare: D-3 went out on Mon 7th; the debtor promises 500.00 of 1234.50 by Tue 15th
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let payment: { event: string; status: string; promiseKept?: boolean } | undefined;

    // Act: 500.00 paid on Sat 12th
    const run = await harness.run({ invoiceId }, [
      {
        at: at('2026-12-08T15:00:00.000Z'),
        run: () => operator('promises', invoiceId, { date: '2026-12-15', amount: '500.00' }),
      },
      {
        at: at('2026-12-12T15:00:00.000Z'),
        run: async () => {
          payment = await pay(invoiceId, '500.00');
        },
      },
    ]);

    // Assess
    expect(payment).toEqual(expect.objectContaining({ event: 'partially-paid', status: 'OPEN', promiseKept: true }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.filter((e) => e.name === PROMISED).map((e) => e.at)).toEqual(['2026-12-08T15:00:00.000Z']);
    // D0 (Thu 10th) fell due during the promise: sent at once when it was kept (Sat 12:00 local)
    expect(sent.slice(0, 4).map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:00:00.000Z email',
      '2026-12-12T15:00:01.000Z email',
      '2026-12-12T15:00:01.000Z sms',
      '2026-12-14T11:00:00.000Z sms', // D+3 (Sun 13th → Mon 14th 08:00)
    ]);
  });

  it('ends the walk in "Invoice paid" when the whole balance is paid during the promise', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('promises', invoiceId, { date: '2026-12-15' }) },
      { at: at('2026-12-14T15:00:00.000Z'), run: () => pay(invoiceId) },
    ]);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-3).map((e) => `${e.at} ${e.name}`)).toEqual([
      `2026-12-08T15:00:00.000Z ${PROMISED}`,
      '2026-12-14T15:00:00.000Z Payment or other event?',
      '2026-12-14T15:00:00.000Z Invoice paid',
    ]);
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
  });

  it('is broken when the date and the grace days pass unpaid: the walk resumes with the stage due by then', async () => {
    // Prepare: 2 grace days; promised for Tue 15th → broken at Fri 18th 00:00 local (03:00Z)
    const rule = parseBillingRule({ ...defaultRule, id: 'grace', promiseGraceDays: 2 });
    useHarness(rule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    // Act
    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('promises', invoiceId, { date: '2026-12-15' }) },
    ]);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const entered = run.entered.map((e) => `${e.at} ${e.name}`);
    expect(entered).toEqual(
      expect.arrayContaining([
        `2026-12-08T15:00:00.000Z ${PROMISED}`,
        '2026-12-18T03:00:00.000Z Plan next stage',
        '2026-12-18T03:00:00.000Z D+7 · wait or payment',
      ]),
    );
    expect(sent.map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:00:00.000Z email',
      '2026-12-18T11:00:00.000Z email', // D+7 at once, deferred from 00:00:01 to 08:00 local
      '2026-12-18T11:00:00.000Z sms',
      '2026-12-26T11:00:00.000Z email',
      '2027-01-09T13:00:00.000Z operators',
    ]);
    expect(await contactLog(invoiceId)).toEqual(expect.arrayContaining(['D0 * superseded', 'D+3 * superseded']));
  });
});

describe('a payment file dropped under payments/ reaches the walk', () => {
  it('ends the walk in "Invoice paid" at once when a row pays the balance', async () => {
    // Prepare: waiting for D0; the bank's file pays the invoice and names one the system does not know
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    const csv = `invoiceId,amount,reference\n${invoiceId},1234.50,TX-1\nINV-UNKNOWN,10.00,TX-2\n`;
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as never, ETag: '"e1"' });
    s3.on(PutObjectCommand).resolves({});
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    const dropFile = () =>
      api.ingestPayments(
        { Records: [{ s3: { bucket: { name: 'drop' }, object: { key: 'payments/bank.csv' } } }] },
        lambdaContext,
      );

    // Act
    const run = await harness.run({ invoiceId }, [{ at: at('2026-12-08T15:00:00.000Z'), run: dropFile }]);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-2)).toEqual([
      { name: 'D0 · sent or deferred?', at: '2026-12-08T15:00:00.000Z' }, // the send step routed the payment
      { name: 'Invoice paid', at: '2026-12-08T15:00:00.000Z' },
    ]);
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'rejected/payments/bank.csv.errors.json' });
  });
});

describe('an operator writes off or escalates an invoice', () => {
  it('ends the walk at once in "Dunning stopped (invoice closed)" on a write-off, with nothing sent after it', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-08T15:00:00.000Z'), run: () => operator('write-off', invoiceId, { reason: 'insolvent' }) },
    ]);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-4).map((e) => `${e.at} ${e.name}`)).toEqual([
      '2026-12-08T15:00:00.000Z D0 · sent or deferred?',
      '2026-12-08T15:00:00.000Z Plan next stage',
      '2026-12-08T15:00:00.000Z Start at stage',
      '2026-12-08T15:00:00.000Z Dunning stopped (invoice closed)',
    ]);
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
  });

  it('tells the operators at once on "escalate now" and lets the walk go on unchanged', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let answer: { statusCode: number; body: string } | undefined;

    const run = await harness.run({ invoiceId }, [
      {
        at: at('2026-12-08T15:00:00.000Z'),
        run: async () => {
          answer = (await api.escalateInvoice(
            {
              pathParameters: { id: invoiceId },
              body: JSON.stringify({ reason: 'customer hostile on the phone', to: 'legal' }),
              isBase64Encoded: false,
            } as unknown as APIGatewayProxyEvent,
            lambdaContext,
          )) as { statusCode: number; body: string };
        },
      },
    ]);

    expect(answer?.statusCode).toBe(200);
    expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ status: 'ESCALATED', events: ['escalated'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)?.name).toBe('Billing rule completed');
    expect(sent.filter((s) => s.channel === 'operators').map((s) => s.at)).toEqual([
      '2026-12-08T15:00:00.000Z', // the operator's escalation
      '2027-01-09T13:00:00.000Z', // the rule's own D+30 escalation
    ]);
    expect(sent.filter((s) => s.channel !== 'operators')).toHaveLength(7); // D-3, D0 ×2, D+3, D+7 ×2, D+15
  });
});
