import { describe, expect, it } from 'vitest';
import type { TaskTokens } from '../../../functions/executions/task-tokens';
import type { Invoice } from '../../../functions/invoices/invoice';
import { changeInvoice, deliverPendingResume } from '../../../functions/invoices/invoice-changes';
import { recordPayment } from '../../../functions/invoices/payments';
import { memoryStores } from '../../../functions/stores/memory';
import { registration } from '../../support/contracts/stores';

// Telling the waiting walk (changeInvoice, functions/invoices/invoice-changes.ts) when Step Functions does not take
// the call: a throttled or failed SendTaskSuccess must not leave the walk parked with no way to reach it. The change
// keeps the task token on the invoice with what it is to be told (`pendingResume`) until a SendTaskSuccess went
// through; the next change (or the reconciler) tells it.

const REGISTERED = '2026-12-01T12:00:00.000Z';
const NOW = '2026-12-05T15:00:00.000Z';

/** Step Functions' task tokens: throws `failures` times (throttled), then resumes and records what it was told. */
function flakyTaskTokens(failures: number) {
  const told: { taskToken: string; output: unknown }[] = [];
  let left = failures;
  const fake = {
    async resume(taskToken: string, output: unknown) {
      if (left > 0) {
        left--;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      told.push({ taskToken, output });
      return true;
    },
    async forgetSchedule(): Promise<void> {},
    async fail(): Promise<boolean> {
      throw new Error('never failed here');
    },
  };
  // TaskTokens is a class holding its SFN client privately: a plain object stands in for it through a cast.
  return { tokens: fake as unknown as TaskTokens, told };
}

/** A PAUSED invoice whose walk waits in the hold (no timeout) with token `token-hold`. */
async function pausedWalk(failures: number) {
  const stores = memoryStores();
  const { tokens, told } = flakyTaskTokens(failures);
  const invoiceId = 'INV-1';
  await stores.invoices.createInvoice(registration(invoiceId, 'C-1'), 'standard', REGISTERED);
  const deps = {
    invoices: stores.invoices,
    auditLog: stores.auditLog,
    walkAttention: stores.walkAttention,
    tokens,
    now: () => new Date(NOW),
  };
  await changeInvoice(invoiceId, { type: 'pause', reason: 'customer called' }, deps);
  await stores.invoices.storeTaskToken(invoiceId, 'D0', 'token-hold', REGISTERED, { kind: 'hold' });
  const stored = async () => (await stores.invoices.getInvoice(invoiceId)) as Invoice;
  const marks = async () => {
    const found = [];
    for await (const mark of stores.walkAttention.flaggedWalks()) found.push(mark);
    return found;
  };
  return { deps, invoiceId, told, stored, marks };
}

describe('telling the waiting walk when Step Functions does not take the call', () => {
  it('a throttled resume keeps the token parked with what it is to be told, says so, and marks the walk', async () => {
    const { deps, invoiceId, told, stored, marks } = await pausedWalk(1);

    const result = await changeInvoice(invoiceId, { type: 'resume', reason: 'customer paid a part' }, deps);

    expect(result).toMatchObject({ resumedWorkflow: false, resumePending: true });
    expect(result.invoice.status).toBe('OPEN');
    expect(told).toEqual([]);
    // the write committed (OPEN) and the walk can still be reached: the token is still on the invoice
    expect(await stored()).toMatchObject({
      status: 'OPEN',
      taskToken: 'token-hold',
      pendingResume: { event: 'changed', status: 'OPEN' },
    });
    // for the reconciler's daily look
    expect(await marks()).toEqual([{ invoiceId, reason: 'resume', at: NOW }]);
  });

  it("the operator's retry tells the walk before answering that the invoice is open already", async () => {
    const { deps, invoiceId, told, stored } = await pausedWalk(1);
    await changeInvoice(invoiceId, { type: 'resume', reason: 'customer paid a part' }, deps);

    await expect(
      changeInvoice(invoiceId, { type: 'resume', reason: 'customer paid a part' }, deps),
    ).rejects.toMatchObject({ statusCode: 409 });

    expect(told).toEqual([{ taskToken: 'token-hold', output: { event: 'changed', status: 'OPEN' } }]);
    expect(await stored()).not.toHaveProperty('taskToken');
    expect(await stored()).not.toHaveProperty('pendingResume');
  });

  it('a later payment tells the walk it is paid (the latest news wins), once', async () => {
    const { deps, invoiceId, told, stored } = await pausedWalk(1);
    await changeInvoice(invoiceId, { type: 'resume', reason: 'customer paid a part' }, deps);

    const paid = await recordPayment({ invoiceId }, deps);

    expect(paid).toMatchObject({ event: 'paid', resumedWorkflow: false });
    // the pending resume went first; the payment's own tell found the token already taken off
    expect(told).toEqual([{ taskToken: 'token-hold', output: { event: 'changed', status: 'OPEN' } }]);
    expect(await stored()).toMatchObject({ status: 'PAID' });
    expect(await stored()).not.toHaveProperty('taskToken');
  });

  it('deliverPendingResume (what the reconciler calls) tells it once Step Functions answers again', async () => {
    const { deps, invoiceId, told, stored } = await pausedWalk(2);
    await changeInvoice(invoiceId, { type: 'resume', reason: 'customer paid a part' }, deps);

    expect(await deliverPendingResume(await stored(), deps)).toBe('pending');
    expect(await stored()).toHaveProperty('taskToken', 'token-hold');
    expect(await deliverPendingResume(await stored(), deps)).toBe('resumed');
    expect(told).toEqual([{ taskToken: 'token-hold', output: { event: 'changed', status: 'OPEN' } }]);
    expect(await deliverPendingResume(await stored(), deps)).toBe('none');
  });
});
