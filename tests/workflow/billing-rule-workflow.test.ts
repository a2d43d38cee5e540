import { CreateScheduleCommand, SchedulerClient, ThrottlingException } from '@aws-sdk/client-scheduler';
import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAFETY_NET_SECONDS } from '../../functions/executions/wait-schedules';
import { type BillingRule, parseBillingRule } from '../../functions/rules/billing-rule';
import { defaultRule, lambdaContext } from '../support/fixtures';
import { providersRecordEveryMessage, type SentMessage } from '../support/providers';
import { invoiceRegistrar, startHarness, useDynaliteHandlers, type WorkflowHarness } from '../support/workflow-harness';

// The synthesized definition, executed by aws-local-stepfunctions with the real handlers in-process, DynamoDB on
// dynalite (real conditional writes), SES/SNS/SFN/SQS mocked at the SDK so sends can be counted and faults injected.

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
/** EventBridge Scheduler: served by the harness's local scheduler on its clock; a test may make it refuse. */
const scheduler = mockClient(SchedulerClient);

const { handlers, api } = useDynaliteHandlers('dunning-workflow-test', {
  createInvoices: 'create-invoices',
  recordPayment: 'record-payment',
});
let harness: WorkflowHarness;

/** What went out, with the virtual instant it went out at. */
let sent: SentMessage[] = [];

function useHarness(rule: BillingRule, start: string) {
  harness = startHarness(rule, handlers, start, sfn, scheduler);
}

beforeEach(() => {
  sent = [];
  // SES and SNS take every message and record it in `sent` (channel, virtual instant, recipient, text); SQS takes every
  // batch. A test replaces a fake to inject faults.
  providersRecordEveryMessage(ses, sns, { now: () => harness.now(), record: (message) => sent.push(message) });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
});

afterEach(() => {
  harness?.dispose();
  for (const mock of [ses, sns, sfn, sqs, scheduler]) mock.reset();
});

const registerNext = invoiceRegistrar('WF', api);

/** Registers an invoice through the real create-invoices handler (stored in dynalite). */
async function register(overrides: Record<string, unknown> = {}): Promise<string> {
  const { invoiceId, response } = await registerNext(overrides);
  expect(JSON.parse(response.body).registered).toEqual([invoiceId]);
  return invoiceId;
}

const pay = (invoiceId: string) =>
  api.recordPayment(
    { pathParameters: { id: invoiceId }, body: null, isBase64Encoded: false } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  );

/** Number of states entered per stage (the `<stage> · …` states). */
function transitionsPerStage(entered: { name: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { name } of entered) {
    const stage = name.includes(' · ') && !name.startsWith('Billing rule') ? name.split(' · ')[0] : undefined;
    if (stage && !name.startsWith('Record failure')) counts[stage] = (counts[stage] ?? 0) + 1;
  }
  return counts;
}

describe('the billing rule workflow, executed locally', () => {
  it('walks every stage in order at the rule times, deferring Sunday and Christmas, within 3 transitions per stage', async () => {
    // Prepare: registered on 2026-12-01, due Thursday 2026-12-10 (São Paulo, UTC-3)
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    // Act
    const run = await harness.run({ invoiceId });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)?.name).toBe('Billing rule completed');
    expect(sent.map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:00:00.000Z email', // D-3, Monday 09:00
      '2026-12-10T12:00:00.000Z email', // D0, Thursday 09:00
      '2026-12-10T12:00:00.000Z sms',
      '2026-12-14T11:00:00.000Z sms', // D+3 fell on Sunday 10:00 → Monday 08:00
      '2026-12-17T13:00:00.000Z email', // D+7, Thursday 10:00
      '2026-12-17T13:00:00.000Z sms',
      '2026-12-26T11:00:00.000Z email', // D+15 fell on Christmas → Saturday 26th 08:00
      '2027-01-09T13:00:00.000Z operators', // D+30, Saturday 10:00: escalation to collections
    ]);
    expect(sent.filter((s) => s.channel === 'email').every((s) => s.to === 'maria@example.com')).toBe(true);
    const perStage = transitionsPerStage(run.entered);
    // Happy-path stages: wait → act → outcome. Deferred ones loop once more (another wait → act → outcome).
    expect(perStage).toEqual({ 'D-3': 3, D0: 3, 'D+3': 6, 'D+7': 3, 'D+15': 6, 'D+30': 3 });
    const stageOrder = run.entered
      .filter((e) => e.name.endsWith('· wait or payment'))
      .map((e) => e.name.split(' · ')[0]);
    expect(stageOrder).toEqual(['D-3', 'D0', 'D+3', 'D+3', 'D+7', 'D+15', 'D+15', 'D+30']);
    // Outside the stages: plan, start-at, completed (the rule is in the steps' parameters).
    expect(run.entered.length).toBe(24 + 3);
    // Every wait was ended by its one-time schedule at the instant: not one caught error in the console's graph
    expect(run.caught).toEqual([]);
  });

  it('still walks every stage when Scheduler refuses every schedule: each wait ends by its safety-net timeout, minutes late', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    const invoiceId = await register();

    const run = await harness.run({ invoiceId });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)?.name).toBe('Billing rule completed');
    // the same messages, each SAFETY_NET_SECONDS (5 minutes) after its instant
    expect(sent.map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-07T12:05:00.000Z email',
      '2026-12-10T12:05:00.000Z email',
      '2026-12-10T12:05:00.000Z sms',
      '2026-12-14T11:05:00.000Z sms',
      '2026-12-17T13:05:00.000Z email',
      '2026-12-17T13:05:00.000Z sms',
      '2026-12-26T11:05:00.000Z email',
      '2027-01-09T13:05:00.000Z operators',
    ]);
    expect(SAFETY_NET_SECONDS).toBe(300);
    // and the console shows each of those waits' timeouts caught
    expect(run.caught).toHaveLength(8);
    expect(run.caught.every((c) => c.endsWith('· wait or payment States.Timeout'))).toBe(true);
  });

  it('ends Succeeded in "Invoice paid" at once when a payment arrives during a wait, with no later send', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId }, [
      { at: new Date('2026-12-08T15:00:00.000Z'), run: () => pay(invoiceId) },
    ]);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)).toEqual({ name: 'Invoice paid', at: '2026-12-08T15:00:00.000Z' });
    expect(sent.map((s) => s.at)).toEqual(['2026-12-07T12:00:00.000Z']);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('defers a stage due at 21:00 local to 08:00 the next morning', async () => {
    const lateRule = parseBillingRule({
      ...defaultRule,
      id: 'late',
      stages: [{ id: 'D-1', offsetDays: -1, at: '21:00', actions: [{ channel: 'email', template: 'reminder' }] }],
    });
    useHarness(lateRule, '2026-12-01T12:00:00.000Z');
    const invoiceId = await register();

    const run = await harness.run({ invoiceId });

    expect(run.status).toBe('SUCCEEDED');
    // due Wednesday 2026-12-09 21:00 local (00:00Z on the 10th) → Thursday 08:00 local
    expect(sent.map((s) => s.at)).toEqual(['2026-12-10T11:00:00.000Z']);
    expect(run.entered.filter((e) => e.name === 'D-1 · wait or payment').map((e) => e.at)).toEqual([
      '2026-12-01T12:00:00.000Z',
      '2026-12-10T00:00:00.000Z',
    ]);
  });

  it('retries a throttled send and never sends a channel twice', async () => {
    // Registered the day before D0: D-3 has passed and is the latest passed stage, so it is performed at once.
    useHarness(defaultRule, '2026-12-09T12:00:00.000Z');
    const invoiceId = await register();
    let smsAttempts = 0;
    sns.on(PublishCommand).callsFake((input) => {
      if (input.PhoneNumber) {
        smsAttempts += 1;
        if (smsAttempts <= 2)
          throw new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
      }
      sent.push({
        channel: input.TopicArn ? 'operators' : 'sms',
        at: harness.now().toISOString(),
        to: '',
        text: input.Message,
      });
      return { MessageId: 'sns-ok' };
    });
    let emailAttempts = 0;
    ses.on(SendEmailCommand).callsFake(() => {
      emailAttempts += 1;
      if (emailAttempts === 1)
        throw new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } });
      sent.push({ channel: 'email', at: harness.now().toISOString(), to: '', text: '' });
      return { MessageId: `ses-${emailAttempts}` };
    });

    const run = await harness.run({ invoiceId }, [
      { at: new Date('2026-12-11T12:00:00.000Z'), run: () => pay(invoiceId) },
    ]);

    expect(run.status).toBe('SUCCEEDED');
    // D-3 (performed late, on registration) and D0: each channel went out exactly once despite 3 throttles, each
    // retry after the state machine's backoff (30 s, then 60 s) on the virtual clock
    expect(sent.map((s) => `${s.at} ${s.channel}`)).toEqual([
      '2026-12-09T12:00:31.000Z email', // due already: its schedule fires a second later; throttled, retried 30 s later
      '2026-12-10T12:00:00.000Z email',
      '2026-12-10T12:01:30.000Z sms', // throttled twice: 30 s + 60 s; the email was not sent again
    ]);
    expect(emailAttempts).toBe(3);
    expect(smsAttempts).toBe(3);
  });

  it('records an unhandled error and notifies the operators', async () => {
    useHarness(defaultRule, '2026-12-01T12:00:00.000Z');

    const run = await harness.run({ invoiceId: 'DOES-NOT-EXIST' });

    expect(run.status).toBe('FAILED');
    expect(run.entered.map((e) => e.name)).toEqual(
      expect.arrayContaining(['Plan next stage', 'Record failure · notify operators', 'Failed (operators notified)']),
    );
    expect(sent).toEqual([
      expect.objectContaining({ channel: 'operators', text: expect.stringContaining('InvoiceNotFound') }),
    ]);
  });
});
