import { randomUUID } from 'node:crypto';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installClock } from '../../../functions/platform/clock';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { type JsonValue, LocalWorkflowRuntime } from '../../../local/stepfunctions/workflow-runtime';
import { workflowFor } from '../../support/definition';
import { defaultRule, lambdaContext } from '../../support/fixtures';
import { providersRecordEveryMessage } from '../../support/providers';
import { type Handler, invoiceRegistrar, useDynaliteHandlers } from '../../support/workflow-harness';

// The real billing-rule definition on the local runtime: an invoice paused with no end (the hold waits for a resume
// without a timeout) stays parked — until the execution reaches the maximum execution time of a Standard workflow,
// where it ends TIMED_OUT like on AWS, in its hold, without the workflow's Catch or failure path running. A short
// limit stands for the 1-year quota (the runtime option tests may set).

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

const TABLE = 'dunning-paused-walk-limit-test';
const DAY_MS = 86_400_000;
const LIMIT_DAYS = 30;
const START = new Date('2026-12-01T12:00:00.000Z');

const { handlers, api } = useDynaliteHandlers(TABLE, {
  createInvoices: 'create-invoices',
  changeInvoice: 'change-invoice',
});
const register = invoiceRegistrar('LIMIT', api);

const HANDLER_OF_FILE: Record<string, () => Handler> = {
  'plan-stage': () => handlers.planStage,
  'wait-for-event': () => handlers.waitForEvent,
  'send-stage': () => handlers.sendStage,
  'handle-failure': () => handlers.handleFailure,
};

let clock: VirtualClock;
let runtime: LocalWorkflowRuntime;
let restoreClock: () => void = () => {};

beforeEach(() => {
  clock = new VirtualClock(START);
  const { definition, handlerByArn } = workflowFor(defaultRule);
  runtime = new LocalWorkflowRuntime({
    definition,
    clock,
    executionLimitSeconds: LIMIT_DAYS * 86_400,
    invokeLambda: async (arn, payload) => {
      const handler = HANDLER_OF_FILE[handlerByArn.get(arn) ?? '']?.();
      if (!handler) throw new Error(`No handler for ${arn}`);
      return handler(payload, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 });
    },
  });
  restoreClock = installClock(clock);
  providersRecordEveryMessage(ses, sns, { now: () => clock.now(), record: () => 0 });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    runtime.sendTaskSuccess(input.taskToken, JSON.parse(input.output) as JsonValue);
    return {};
  });
});

afterEach(() => {
  restoreClock();
  for (const mock of [ses, sns, sfn, sqs]) mock.reset();
});

async function pause(invoiceId: string): Promise<void> {
  const response = (await api.changeInvoice(
    {
      resource: '/invoices/{id}/pause',
      pathParameters: { id: invoiceId },
      body: JSON.stringify({ reason: 'under review' }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { statusCode: number; body: string };
  expect(response.statusCode, response.body).toBe(200);
}

describe('a walk paused with no end', () => {
  it('ends TIMED_OUT in its hold when the execution reaches the time limit', async () => {
    // Prepare: registered, walked, paused a week in; fast mode leaves it parked in the hold
    const { invoiceId } = await register();
    const { executionArn } = runtime.startExecution({ name: invoiceId, input: { invoiceId } });
    await runtime.advanceTo(new Date(START.getTime() + 7 * DAY_MS));
    await pause(invoiceId);
    await runtime.runUntilSettled();
    const parked = runtime.describeExecution(executionArn).status;
    const hold = runtime.history(executionArn).at(-1);

    // Act: time is played past the limit
    await runtime.advanceTo(new Date(START.getTime() + (LIMIT_DAYS + 10) * DAY_MS));

    // Assess: TIMED_OUT at exactly start + limit, right after entering the hold (no Catch, no failure path ran)
    expect(parked).toBe('RUNNING');
    const described = runtime.describeExecution(executionArn);
    expect(described).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      stopDate: new Date(START.getTime() + LIMIT_DAYS * DAY_MS),
    });
    expect(hold).toMatchObject({ type: 'StateEntered', stateName: 'Paused or disputed (wait for resume)' });
    expect(runtime.history(executionArn).slice(-2)).toEqual([
      hold,
      expect.objectContaining({ type: 'ExecutionTimedOut', error: 'States.Timeout' }),
    ]);
  });
});
