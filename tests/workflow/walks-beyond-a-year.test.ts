import { randomUUID } from 'node:crypto';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionNameFor } from '../../functions/invoices/execution-name';
import { installClock } from '../../functions/platform/clock';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { LocalWaitScheduler } from '../../local/stepfunctions/wait-scheduler';
import { type JsonValue, LocalWorkflowRuntime } from '../../local/stepfunctions/workflow-runtime';
import { workflowFor } from '../support/definition';
import { defaultRule, lambdaContext } from '../support/fixtures';
import { providersRecordEveryMessage } from '../support/providers';
import { type Handler, invoiceRegistrar, serveSchedules, useDynaliteHandlers } from '../support/workflow-harness';

// Walks longer than a Standard execution's year (AWS ends an execution TIMED_OUT after 365 days, no Catch): the real
// definition on the local runtime, which enforces that limit, with the real handlers on dynalite. A dispute that lasts
// more than a year and a due date years ahead both go on in a new execution (continue-as-new) before the limit, and
// the walk still does its work at the right instants.

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

const TABLE = 'dunning-walks-beyond-a-year-test';
const DAY_MS = 86_400_000;
const START = new Date('2026-12-01T12:00:00.000Z');

const { handlers, api } = useDynaliteHandlers(TABLE, {
  createInvoices: 'create-invoices',
  changeInvoice: 'change-invoice',
  getHistory: 'get-history',
});
const register = invoiceRegistrar('YEAR', api);

let clock: VirtualClock;
let runtime: LocalWorkflowRuntime;
let restoreClock: () => void = () => {};
let sent: { at: string; channel: string }[] = [];
let schedules: LocalWaitScheduler | undefined;
const scheduler = mockClient(SchedulerClient);

beforeEach(() => {
  clock = new VirtualClock(START);
  const { definition, handlerByArn } = workflowFor(defaultRule);
  const byFile: Record<string, Handler> = {
    'plan-stage': handlers.planStage,
    'wait-for-event': handlers.waitForEvent,
    'send-stage': handlers.sendStage,
    'handle-failure': handlers.handleFailure,
    'continue-walk': handlers.continueWalk,
  };
  // the waits' one-time schedules, on the same clock, resuming this runtime's tokens (as Scheduler calls Step Functions)
  schedules?.shutdown();
  schedules = new LocalWaitScheduler({
    clock,
    resume: (token, output) => runtime.sendTaskSuccess(token, output as JsonValue),
  });
  serveSchedules(scheduler, schedules);
  runtime = new LocalWorkflowRuntime({
    definition,
    clock,
    invokeLambda: async (arn, payload) => {
      const handler = byFile[handlerByArn.get(arn) ?? ''];
      if (!handler) throw new Error(`No handler for ${arn}`);
      return handler(payload, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 });
    },
  });
  restoreClock = installClock(clock);
  sent = [];
  providersRecordEveryMessage(ses, sns, {
    now: () => clock.now(),
    record: (message) => sent.push({ at: message.at, channel: message.channel }),
  });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    runtime.sendTaskSuccess(input.taskToken, JSON.parse(input.output) as JsonValue);
    return {};
  });
  // continue-walk starts the next execution through the SDK, as on AWS
  sfn
    .on(StartExecutionCommand)
    .callsFake((input: { name: string; input: string }) =>
      runtime.startExecution({ name: input.name, input: JSON.parse(input.input) }),
    );
});

afterEach(() => {
  restoreClock();
  for (const mock of [ses, sns, sfn, sqs, scheduler]) mock.reset();
});

async function operator(action: string, invoiceId: string): Promise<void> {
  const response = (await api.changeInvoice(
    {
      resource: `/invoices/{id}/${action}`,
      pathParameters: { id: invoiceId },
      body: JSON.stringify({ reason: 'customer called' }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { statusCode: number; body: string };
  expect(response.statusCode, response.body).toBe(200);
}

async function history(invoiceId: string): Promise<{ type: string; walk?: number }[]> {
  const response = (await api.getHistory(
    { pathParameters: { id: invoiceId } } as unknown as APIGatewayProxyEvent,
    lambdaContext,
  )) as { body: string };
  const body = JSON.parse(response.body) as { history: { type: string; walk?: number }[] };
  return body.history;
}

const day = (n: number) => new Date(START.getTime() + n * DAY_MS);
/** The executions in the order they started. */
const executions = () =>
  runtime.listExecutions().sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
const statusesOf = () => executions().map((e) => `${e.name} ${e.status}`);

describe('a walk longer than an execution’s year', () => {
  it('a dispute that lasts 500 days: the walk continues in a new execution and resumes when it is resolved', async () => {
    const { invoiceId } = await register();
    const first = runtime.startExecution({ name: invoiceId, input: { invoiceId } });
    await runtime.advanceTo(day(7)); // D-3 went out on the 7th
    await operator('dispute', invoiceId);
    await runtime.runUntilSettled();

    await runtime.advanceTo(day(500));
    const second = executionNameFor(invoiceId, 2);
    expect(statusesOf()).toEqual([`${invoiceId} SUCCEEDED`, `${second} RUNNING`]);
    const firstStates = runtime.history(first.executionArn).filter((e) => e.type === 'StateEntered');
    expect(firstStates.at(-1)).toMatchObject({ stateName: 'Continued in a new execution' });
    // it continued before the limit, with a week to spare
    const ended = runtime.describeExecution(first.executionArn).stopDate as Date;
    expect(ended.getTime()).toBeLessThanOrEqual(day(365 - 7 + 1).getTime());

    await operator('resolve', invoiceId);
    await runtime.runUntilSettled();

    // the stage that fell due during the dispute goes out at once in the new execution, and the walk goes on to its end
    expect(sent.filter((s) => s.at === day(500).toISOString() || s.at > day(500).toISOString()).length).toBeGreaterThan(
      0,
    );
    expect(statusesOf()).toEqual([`${invoiceId} SUCCEEDED`, `${second} SUCCEEDED`]);
    expect(runtime.listExecutions().some((e) => e.status === 'TIMED_OUT' || e.status === 'FAILED')).toBe(false);
    expect((await history(invoiceId)).filter((e) => e.type === 'walk-continued')).toHaveLength(1);
  });

  it('a due date 500 days ahead: waits across executions and sends D-3 at its instant', async () => {
    const { invoiceId } = await register({ dueDate: '2028-04-14' });
    runtime.startExecution({ name: invoiceId, input: { invoiceId } });

    await runtime.advanceTo(new Date('2028-04-12T00:00:00.000Z'));

    // the first execution waited until shortly before its year's end, the second waits for D-3 and sends it on time
    expect(statusesOf()).toEqual([`${invoiceId} SUCCEEDED`, `${executionNameFor(invoiceId, 2)} RUNNING`]);
    const [first] = executions();
    expect(runtime.history(first?.executionArn ?? '').map((e) => e.stateName)).toEqual(
      expect.arrayContaining(["Wait until this execution's year ends", 'Continued in a new execution']),
    );
    // D-3 of Friday 2028-04-14 is Tuesday the 11th, 09:00 in São Paulo
    expect(sent).toEqual([{ at: '2028-04-11T12:00:00.000Z', channel: 'email' }]);
    expect(runtime.listExecutions().some((e) => e.status === 'TIMED_OUT' || e.status === 'FAILED')).toBe(false);
  });
});
