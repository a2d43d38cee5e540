import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Stage } from '../../functions/rules/billing-rule';
import { type BillingRule, parseBillingRule } from '../../functions/rules/billing-rule';
import { defaultRule, lambdaContext } from '../support/fixtures';
import { providersRecordEveryMessage, type SentMessage } from '../support/providers';
import {
  type Handler,
  invoiceRegistrar,
  startHarness,
  useDynaliteHandlers,
  type WorkflowHarness,
} from '../support/workflow-harness';

// Issue #5, renegotiation and early payment, on the synthesized definition executed by the local runtime with the real
// handlers in-process and DynamoDB on dynalite; SES/SNS/SQS mocked at the SDK, SendTaskSuccess wired to the runtime.
// Every invoice is due Thursday 2026-12-10 in São Paulo (D-3 goes out Mon 7th 09:00 local).

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

const TABLE = 'dunning-agreement-offer-paths-test';
const STOPPED = 'Dunning stopped (invoice closed)';

const { handlers, api } = useDynaliteHandlers(TABLE, {
  createInvoices: 'create-invoices',
  recordPayment: 'record-payment',
  createAgreement: 'create-agreement',
});
let offerEarlyPayment: typeof import('../../functions/invoices/early-payment-offers').offerEarlyPayment;
let stores: typeof import('../../functions/wiring').stores;
let harness: WorkflowHarness;
let sent: SentMessage[] = [];

beforeAll(async () => {
  ({ offerEarlyPayment } = await import('../../functions/invoices/early-payment-offers'));
  ({ stores } = await import('../../functions/wiring'));
});

function useHarness(rule: BillingRule, start: string) {
  harness = startHarness(rule, handlers, start, sfn);
}

beforeEach(() => {
  sent = [];
  // SES and SNS take every message and record it in `sent` at the virtual instant; SQS takes every batch.
  providersRecordEveryMessage(ses, sns, { now: () => harness.now(), record: (message) => sent.push(message) });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
});

afterEach(() => {
  harness?.dispose();
  for (const mock of [ses, sns, sfn, sqs]) mock.reset();
});

const registerNext = invoiceRegistrar('AO', api);
/** Registers an invoice of 1234.50 BRL due Thursday 2026-12-10 (São Paulo) through the real create-invoices handler. */
const register = async (): Promise<string> => (await registerNext()).invoiceId;

/** Calls an API handler as API Gateway does; answers its status and parsed body. */
async function call(fn: Handler, resource: string, invoiceId: string, body: unknown) {
  const response = (await fn(
    {
      resource,
      pathParameters: { id: invoiceId },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

const at = (iso: string) => new Date(iso);

describe('a renegotiation ends the walk and starts one per instalment', () => {
  it('stops the original at once in "Dunning stopped (invoice closed)"; each instalment walks its own rule from registration', async () => {
    // Prepare: D-3 went out on Mon 7th; the walk waits for D0
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let answer: { status: number; body: Record<string, unknown> } | undefined;

    // Act: two instalments of 617.25 agreed on Tue 8th (not late yet: no fees)
    const run = await harness.run({ invoiceId }, [
      {
        at: at('2026-12-08T15:00:00.000Z'),
        run: async () => {
          answer = await call(api.createAgreement, '/invoices/{id}/agreements', invoiceId, {
            instalments: [
              { dueDate: '2027-01-12', amount: '617.25' },
              { dueDate: '2027-02-10', amount: '617.25' },
            ],
          });
        },
      },
    ]);
    const sentForOriginal = sent.map((s) => `${s.at} ${s.channel}`);
    sent = [];
    const instalment = await harness.run({ invoiceId: `${invoiceId}-1of2` });

    // Assess: the original
    expect(answer).toMatchObject({
      status: 201,
      body: { status: 'RENEGOTIATED', registered: [`${invoiceId}-1of2`, `${invoiceId}-2of2`], resumedWorkflow: true },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-4).map((e) => `${e.at} ${e.name}`)).toEqual([
      '2026-12-08T15:00:00.000Z D0 · sent or deferred?', // the send step routed the change, sending nothing
      '2026-12-08T15:00:00.000Z Plan next stage',
      '2026-12-08T15:00:00.000Z Start at stage',
      `2026-12-08T15:00:00.000Z ${STOPPED}`,
    ]);
    expect(sentForOriginal).toEqual(['2026-12-07T12:00:00.000Z email']); // D-3 only
    // each instalment's walk is queued to the starter, as any registration
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: [
        { Id: '0', MessageBody: JSON.stringify({ invoiceId: `${invoiceId}-1of2` }) },
        { Id: '1', MessageBody: JSON.stringify({ invoiceId: `${invoiceId}-2of2` }) },
      ],
    });
    // Assess: the first instalment (due Tue 2027-01-12) walks the rule from its own D-3
    expect(instalment.status).toBe('SUCCEEDED');
    expect(instalment.entered.at(-1)?.name).toBe('Billing rule completed');
    expect(sent.map((s) => `${s.at} ${s.channel}`).slice(0, 3)).toEqual([
      '2027-01-09T12:00:00.000Z email', // D-3: Sat 9th 09:00
      '2027-01-12T12:00:00.000Z email', // D0
      '2027-01-12T12:00:00.000Z sms',
    ]);
  });
});

describe('an early-payment offer changes where a payment takes the walk', () => {
  const withOffer = (): BillingRule => {
    const [first, ...rest] = defaultRule.stages;
    return parseBillingRule({
      ...defaultRule,
      id: 'early-payment',
      stages: [{ ...(first as Stage), offer: { discountPercent: 5 } }, ...rest],
    });
  };

  /** What the send step is to call once D-3's message went out (send-stage.ts is wired separately). */
  const recordOffer = (invoiceId: string) => () =>
    offerEarlyPayment(
      { invoiceId, stage: withOffer().stages[0] as Stage, timezone: 'America/Sao_Paulo' },
      { ...stores(), now: () => harness.now() },
    );

  it('ends in "Invoice paid" when the discounted amount is paid by the due date, with nothing sent after it', async () => {
    // Prepare
    useHarness(withOffer(), '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let payment: { status: number; body: Record<string, unknown> } | undefined;

    // Act: the offer recorded as D-3 went out; 1172.78 (1234.50 less 5%, half-up) paid on Wed 9th
    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-07T12:00:00.000Z'), run: recordOffer(invoiceId) },
      {
        at: at('2026-12-09T15:00:00.000Z'),
        run: async () => {
          payment = await call(api.recordPayment, '/invoices/{id}/payments', invoiceId, { amount: '1172.78' });
        },
      },
    ]);

    // Assess
    expect(payment).toMatchObject({
      status: 200,
      body: { event: 'paid', status: 'PAID', discount: { decimal: '61.72' }, resumedWorkflow: true },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-2).map((e) => `${e.at} ${e.name}`)).toEqual([
      '2026-12-09T15:00:00.000Z D0 · sent or deferred?', // the send step routed the payment, sending nothing
      '2026-12-09T15:00:00.000Z Invoice paid',
    ]);
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
  });

  it('goes on dunning the rest when the discounted amount comes after the due date (the full balance was owed)', async () => {
    useHarness(withOffer(), '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();
    let payment: { status: number; body: Record<string, unknown> } | undefined;

    // Act: the same amount on Fri 11th, the day after the due date
    const run = await harness.run({ invoiceId }, [
      { at: at('2026-12-07T12:00:00.000Z'), run: recordOffer(invoiceId) },
      {
        at: at('2026-12-11T15:00:00.000Z'),
        run: async () => {
          payment = await call(api.recordPayment, '/invoices/{id}/payments', invoiceId, { amount: '1172.78' });
        },
      },
    ]);

    // Assess: 61.72 still owed; D+3 (Sun 13th → Mon 14th 08:00) and the later stages still go out
    expect(payment).toMatchObject({ body: { event: 'partially-paid', status: 'OPEN', balance: { decimal: '61.72' } } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)?.name).toBe('Billing rule completed');
    expect(sent.map((s) => `${s.at} ${s.channel}`).slice(0, 4)).toEqual([
      '2026-12-07T12:00:00.000Z email',
      '2026-12-10T12:00:00.000Z email', // D0
      '2026-12-10T12:00:00.000Z sms',
      '2026-12-14T11:00:00.000Z sms', // D+3
    ]);
  });
});
