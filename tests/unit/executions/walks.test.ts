import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArnFor } from '../../../functions/executions/start-executions';
import { continueWalk, startNextWalk } from '../../../functions/executions/walks';
import { executionNameFor } from '../../../functions/invoices/execution-name';
import type { Invoice } from '../../../functions/invoices/invoice';
import { memoryStores } from '../../../functions/stores/memory';
import { registration } from '../../support/contracts/stores';

// A walk in a new execution (functions/executions/walks.ts): continued before an execution's one-year limit, or
// restarted. On the in-memory stores, with Step Functions mocked (aws-sdk-client-mock).

const sfnMock = mockClient(SFNClient);
afterEach(() => sfnMock.reset());

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Walk';
const NOW = '2027-12-01T09:00:00.000Z';
const FIRST = executionArnFor(STATE_MACHINE, 'INV-1');

async function walking() {
  const stores = memoryStores();
  await stores.invoices.createInvoice(registration('INV-1', 'C-1'), 'standard', '2026-12-01T12:00:00.000Z');
  await stores.invoices.setExecution('INV-1', FIRST, '2026-12-01T12:00:01.000Z');
  const deps = {
    sfn: new SFNClient({ region: 'us-east-1' }),
    ...stores,
    stateMachineArn: STATE_MACHINE,
    now: () => new Date(NOW),
  };
  const stored = async () => (await stores.invoices.getInvoice('INV-1')) as Invoice;
  const events = async () => (await stores.auditLog.invoiceHistory('INV-1')).events;
  return { deps, stored, events };
}

describe('a walk in a new execution', () => {
  it('starts the next walk under its own name, records it on the invoice and in the audit trail', async () => {
    const { deps, stored, events } = await walking();
    const second = executionArnFor(STATE_MACHINE, executionNameFor('INV-1', 2));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: second });

    const next = await startNextWalk(await stored(), 'continued', deps);

    expect(next).toEqual({ executionArn: second, walk: 2 });
    expect(executionNameFor('INV-1', 2)).toMatch(/^INV-1-w2-[0-9a-f]{12}$/);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE,
      name: executionNameFor('INV-1', 2),
      input: JSON.stringify({ invoiceId: 'INV-1', ruleId: 'standard' }),
    });
    expect(await stored()).toMatchObject({ executionArn: second, walk: 2, updatedAt: NOW });
    expect(await events()).toEqual([
      {
        at: NOW,
        invoiceId: 'INV-1',
        type: 'walk-continued',
        detail: { executionArn: second, walk: 2, replaces: FIRST },
        seq: 2,
      },
    ]);
  });

  it('never starts two walks: the second caller finds the invoice moved on and starts nothing', async () => {
    const { deps, stored } = await walking();
    sfnMock.on(StartExecutionCommand).resolves({});
    const before = await stored();

    await startNextWalk(before, 'restarted', deps);
    const again = await startNextWalk(before, 'restarted', deps);

    expect(again).toBe('moved-on');
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(await stored()).toMatchObject({ walk: 2 });
  });

  it('continueWalk is idempotent: a retry after the new walk was recorded only makes sure it was started', async () => {
    const { deps, stored, events } = await walking();
    sfnMock
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    // first attempt: recorded, then StartExecution throttled → thrown for the state machine's retry
    await expect(continueWalk({ invoiceId: 'INV-1', executionArn: FIRST }, deps)).rejects.toThrow('Rate exceeded');
    expect(await stored()).toMatchObject({ walk: 2 });
    // the retry: the invoice records walk 2 already → start it by name (it exists: fine), nothing new recorded
    expect(await continueWalk({ invoiceId: 'INV-1', executionArn: FIRST }, deps)).toBe('already-continued');
    expect(sfnMock).toHaveReceivedNthCommandWith(StartExecutionCommand, 2, { name: executionNameFor('INV-1', 2) });
    expect((await events()).map((e) => e.type)).toEqual(['walk-continued']);
  });

  it('a walk that is over needs no new execution', async () => {
    const { deps } = await walking();
    await deps.invoices.writeInvoiceChange(
      (await deps.invoices.getInvoice('INV-1')) as Invoice,
      { status: 'PAID', balanceMinor: 0 },
      NOW,
    );

    expect(await continueWalk({ invoiceId: 'INV-1', executionArn: FIRST }, deps)).toBe('walk-over');
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    await expect(continueWalk({ invoiceId: 'NOPE', executionArn: FIRST }, deps)).rejects.toMatchObject({
      code: 'InvoiceNotFound',
    });
  });

  it('names later walks apart from every first walk, and fits 80 characters', () => {
    const long = 'X'.repeat(80);
    expect(executionNameFor(long, 3)).toHaveLength(80);
    expect(executionNameFor(long, 3)).not.toBe(executionNameFor(long, 4));
    expect(executionNameFor('NF 1/2026', 2)).toMatch(/^NF_1_2026-w2-[0-9a-f]{12}$/);
    // an id that looks like a later walk's name is still its own first walk's name, and differs from the real one
    const lookalike = executionNameFor('INV-1', 2);
    expect(executionNameFor(lookalike)).toBe(lookalike);
    expect(executionNameFor(lookalike, 2)).not.toBe(lookalike);
  });
});
