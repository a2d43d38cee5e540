import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTOMATIC_RESTARTS, reconcileWalk, reconcileWalks } from '../../../functions/executions/reconcile';
import { executionArnFor } from '../../../functions/executions/start-executions';
import { TaskTokens } from '../../../functions/executions/task-tokens';
import { executionNameFor } from '../../../functions/invoices/execution-name';
import type { Invoice } from '../../../functions/invoices/invoice';
import { memoryStores } from '../../../functions/stores/memory';
import { registration } from '../../support/contracts/stores';

// The reconciler (functions/executions/reconcile.ts) finds every walk that should be running and is not, on the
// in-memory stores with Step Functions mocked.

const sfnMock = mockClient(SFNClient);
afterEach(() => sfnMock.reset());

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Walk';
const REGISTERED = '2026-12-01T12:00:00.000Z';
const NOW = '2026-12-20T09:00:00.000Z';
const FIRST = executionArnFor(STATE_MACHINE, 'INV-1');
const SECOND = executionArnFor(STATE_MACHINE, executionNameFor('INV-1', 2));

async function system(options: { started?: boolean; now?: string } = {}) {
  const stores = memoryStores();
  await stores.invoices.createInvoice(registration('INV-1', 'C-1'), 'standard', REGISTERED);
  if (options.started !== false) await stores.invoices.setExecution('INV-1', FIRST, REGISTERED);
  const sfn = new SFNClient({ region: 'us-east-1' });
  const deps = {
    sfn,
    ...stores,
    tokens: new TaskTokens(sfn),
    stateMachineArn: STATE_MACHINE,
    now: () => new Date(options.now ?? NOW),
  };
  const stored = async () => (await stores.invoices.getInvoice('INV-1')) as Invoice;
  const events = async () => (await stores.auditLog.invoiceHistory('INV-1')).events;
  return { deps, stores, stored, events };
}

const described = (status: string) => sfnMock.on(DescribeExecutionCommand).resolves({ status: status as 'RUNNING' });

describe('the reconciler, one walk at a time', () => {
  it('restarts a walk whose execution failed (or timed out) under its next name, and records why', async () => {
    const { deps, stored, events } = await system();
    described('FAILED');
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: SECOND });

    expect(await reconcileWalk('INV-1', deps)).toEqual({
      action: 'restarted',
      executionArn: SECOND,
      walk: 2,
      why: 'failed',
    });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { name: executionNameFor('INV-1', 2) });
    expect(await stored()).toMatchObject({ executionArn: SECOND, walk: 2 });
    expect(await events()).toEqual([
      {
        at: NOW,
        invoiceId: 'INV-1',
        type: 'walk-restarted',
        detail: { why: 'failed', automatic: true, executionArn: SECOND, walk: 2, replaces: FIRST },
        seq: 2,
      },
    ]);

    sfnMock.reset();
    described('TIMED_OUT');
    sfnMock.on(StartExecutionCommand).resolves({});
    expect(await reconcileWalk('INV-1', deps)).toMatchObject({ action: 'restarted', walk: 3, why: 'timed-out' });
  });

  it('leaves running, ended and closed walks alone, and an aborted one to the operators', async () => {
    const { deps, stores, stored } = await system();
    await stores.invoices.storeTaskToken('INV-1', 'D0', 'token-1', NOW, { until: '2026-12-24T12:00:00.000Z' });
    described('RUNNING');
    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'none', why: 'running' });
    described('SUCCEEDED');
    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'none', why: 'succeeded' });
    described('ABORTED');
    expect(await reconcileWalk('INV-1', deps)).toMatchObject({ action: 'none' });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);

    await stores.invoices.writeInvoiceChange(await stored(), { status: 'PAID', balanceMinor: 0 }, NOW);
    described('FAILED');
    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'none', why: 'invoice paid' });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    await expect(reconcileWalk('NOPE', deps)).rejects.toMatchObject({ code: 'InvoiceNotFound' });
  });

  it(`stops restarting a walk that keeps failing after ${AUTOMATIC_RESTARTS} times; an operator still can`, async () => {
    const { deps } = await system();
    described('FAILED');
    sfnMock.on(StartExecutionCommand).resolves({});
    for (let i = 0; i < AUTOMATIC_RESTARTS; i++) {
      expect(await reconcileWalk('INV-1', deps)).toMatchObject({ action: 'restarted' });
    }
    expect(await reconcileWalk('INV-1', deps)).toMatchObject({
      action: 'none',
      why: expect.stringMatching(/operator/),
    });
    expect(await reconcileWalk('INV-1', deps, { force: true, detail: { by: 'ana' } })).toMatchObject({
      action: 'restarted',
      walk: AUTOMATIC_RESTARTS + 2,
    });
  });

  it('starts a registration that never got its walk, once its start grace is over', async () => {
    const early = await system({ started: false, now: '2026-12-01T12:10:00.000Z' });
    expect(await reconcileWalk('INV-1', early.deps)).toEqual({ action: 'none', why: 'registration still starting' });

    const { deps, stored } = await system({ started: false });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: FIRST });
    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'started', executionArn: FIRST });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'INV-1' });
    expect(await stored()).toMatchObject({ executionArn: FIRST });
  });

  it('starts a next walk that was recorded but whose StartExecution never went through', async () => {
    const { deps, stores } = await system();
    await stores.invoices.recordNextWalk('INV-1', { executionArn: SECOND, walk: 2, replacing: FIRST }, NOW);
    sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: SECOND });

    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'started', executionArn: SECOND });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { name: executionNameFor('INV-1', 2) });
  });

  it('tells a walk the resume a change could not deliver', async () => {
    const { deps, stores, stored } = await system();
    await stores.invoices.storeTaskToken('INV-1', 'D0', 'token-1', REGISTERED, { until: '2026-12-24T12:00:00.000Z' });
    await stores.invoices.writeInvoiceChange(await stored(), { status: 'PAID', balanceMinor: 0 }, NOW, {
      resume: { event: 'paid' },
    });
    sfnMock.on(SendTaskSuccessCommand).resolves({});

    expect(await reconcileWalk('INV-1', deps)).toEqual({ action: 'told' });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-1',
      output: '{"event":"paid"}',
    });
    expect(await stored()).not.toHaveProperty('taskToken');
  });

  it('stops and restarts a walk stuck between steps for a day; an operator cannot restart a running one', async () => {
    const { deps } = await system();
    described('RUNNING');
    sfnMock.on(StopExecutionCommand).resolves({});
    sfnMock.on(StartExecutionCommand).resolves({});

    expect(await reconcileWalk('INV-1', deps)).toMatchObject({ action: 'restarted', why: 'stuck' });
    expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: FIRST });

    const fresh = await system({ now: '2026-12-01T13:00:00.000Z' });
    await expect(reconcileWalk('INV-1', fresh.deps, { force: true })).rejects.toMatchObject({
      statusCode: 409,
      code: 'WalkRunning',
    });
  });
});

describe('a reconciler run', () => {
  it('finds failed executions since the last day, and (full) the walks marked for attention, each once', async () => {
    const { deps, stores } = await system();
    await stores.invoices.createInvoice(registration('INV-2', 'C-2'), 'standard', REGISTERED);
    await stores.invoices.createInvoice(registration('INV-3', 'C-3'), 'standard', NOW);
    // INV-2's start message could not be queued; INV-3's neither, but it is still within its start grace
    await stores.walkAttention.flagWalk({ invoiceId: 'INV-2', reason: 'start', at: REGISTERED });
    await stores.walkAttention.flagWalk({ invoiceId: 'INV-3', reason: 'start', at: NOW });
    sfnMock
      .on(ListExecutionsCommand, { statusFilter: 'FAILED' })
      .resolves({
        executions: [
          {
            executionArn: FIRST,
            stateMachineArn: STATE_MACHINE,
            name: 'INV-1',
            status: 'FAILED',
            startDate: new Date(REGISTERED),
            stopDate: new Date('2026-12-19T00:00:00Z'),
          },
          {
            executionArn: executionArnFor(STATE_MACHINE, 'OLD'),
            stateMachineArn: STATE_MACHINE,
            name: 'OLD',
            status: 'FAILED',
            startDate: new Date(REGISTERED),
            stopDate: new Date('2026-12-02T00:00:00Z'),
          },
        ],
      })
      .on(ListExecutionsCommand, { statusFilter: 'TIMED_OUT' })
      .resolves({ executions: [] });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: FIRST })
      .resolves({ status: 'FAILED', input: JSON.stringify({ invoiceId: 'INV-1' }) });
    sfnMock.on(StartExecutionCommand).resolves({});
    const options = { since: new Date('2026-12-19T00:00:00Z'), timeLeft: () => 600_000 };

    const hourly = await reconcileWalks('executions', deps, options);
    expect(hourly).toEqual({ looked: 1, repaired: { restarted: 1 }, errors: 0, incomplete: false });

    // the daily run: INV-1 again (its restart is running now), then the marked walks
    const daily = await reconcileWalks('full', deps, options);
    expect(daily).toEqual({ looked: 3, repaired: { started: 1 }, errors: 0, incomplete: false });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { name: 'INV-2' });
    // INV-2 is repaired: its mark goes; INV-3's stays for the next run
    const marks = [];
    for await (const mark of stores.walkAttention.flaggedWalks()) marks.push(mark.invoiceId);
    expect(marks).toEqual(['INV-3']);
  });

  it('stops early when the Lambda is out of time, saying so', async () => {
    const { deps, stores } = await system();
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: FIRST,
          stateMachineArn: STATE_MACHINE,
          name: 'INV-1',
          status: 'FAILED',
          startDate: new Date(REGISTERED),
        },
      ],
    });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', input: '{"invoiceId":"INV-1"}' });
    await stores.walkAttention.flagWalk({ invoiceId: 'INV-1', reason: 'resume', at: NOW });
    const run = await reconcileWalks('full', deps, { since: new Date(REGISTERED), timeLeft: () => 30_000 });
    expect(run).toEqual({ looked: 0, repaired: {}, errors: 0, incomplete: true });
  });
});
