import { describe, expect, it, vi } from 'vitest';
import type { TaskTokens } from '../../../functions/executions/task-tokens';
import type { Invoice } from '../../../functions/invoices/invoice';
import { recordPayment } from '../../../functions/invoices/payments';
import { memoryStores } from '../../../functions/stores/memory';
import { registration } from '../../support/contracts/stores';

// recordPayment (functions/invoices/payments.ts) on the in-memory stores and a fake for the workflow's task tokens:
// what a payment leaves in the stores and whom it tells. The handler and its DynamoDB writes are
// tests/unit/invoices/payment-handler.test.ts.

const REGISTERED = '2026-12-01T12:00:00.000Z';
const NOW = '2026-12-05T15:00:00.000Z';

/**
 * The waiting workflow steps: what was resumed, answering `waiting` (false: the wait timed out meanwhile), and whose
 * wait schedules were deleted.
 */
function fakeTaskTokens(waiting = true) {
  const resumed: { taskToken: string; output: unknown }[] = [];
  const forgotten: { invoiceId: string; taskToken: string }[] = [];
  const fake = {
    async resume(taskToken: string, output: unknown) {
      resumed.push({ taskToken, output });
      return waiting;
    },
    async forgetSchedule(invoiceId: string, taskToken: string) {
      forgotten.push({ invoiceId, taskToken });
    },
    async fail(): Promise<boolean> {
      throw new Error('a payment never fails a task');
    },
  };
  // TaskTokens is a class holding its SFN client privately: a plain object stands in for it through a cast.
  return { tokens: fake as unknown as TaskTokens, resumed, forgotten };
}

/** An OPEN invoice of R$ 1234,50 (or `amountMinor`) whose stage D0 waits with token `token-D0`. */
async function waitingInvoice(options: { amountMinor?: number; waiting?: boolean } = {}) {
  const stores = memoryStores();
  const { tokens, resumed, forgotten } = fakeTaskTokens(options.waiting);
  const invoiceId = 'INV-1';
  const amount = { minor: options.amountMinor ?? 123450, currency: 'BRL' };
  await stores.invoices.createInvoice(registration(invoiceId, 'C-1', { amount }), 'standard', REGISTERED);
  await stores.invoices.storeTaskToken(invoiceId, 'D0', 'token-D0', REGISTERED, { until: '2026-12-10T12:00:00.000Z' });
  const deps = { invoices: stores.invoices, auditLog: stores.auditLog, tokens, now: () => new Date(NOW) };
  const stored = async () => (await stores.invoices.getInvoice(invoiceId)) as Invoice;
  const events = async () => (await stores.auditLog.invoiceHistory(invoiceId)).events;
  return { stores, deps, invoiceId, resumed, forgotten, stored, events };
}

describe('recording a payment', () => {
  it('settles the invoice, takes the parked token off, resumes the waiting stage with it and deletes its schedule', async () => {
    const { deps, invoiceId, resumed, forgotten, stored, events } = await waitingInvoice();

    const result = await recordPayment({ invoiceId }, deps);

    expect(result).toMatchObject({ event: 'paid', excessMinor: 0, promiseKept: false, resumedWorkflow: true });
    expect(await stored()).toMatchObject({ status: 'PAID', balanceMinor: 0, paidAt: NOW, updatedAt: NOW, version: 3 });
    expect(await stored()).not.toHaveProperty('taskToken');
    expect(await stored()).not.toHaveProperty('waitUntil');
    expect(result.invoice).toEqual(await stored());
    expect(resumed).toEqual([{ taskToken: 'token-D0', output: { event: 'paid' } }]);
    // the wait's one-time schedule is no longer needed
    expect(forgotten).toEqual([{ invoiceId, taskToken: 'token-D0' }]);
    expect(await events()).toEqual([
      { at: NOW, invoiceId, type: 'paid', detail: { amountMinor: 123450, balanceMinor: 0 }, seq: 3 },
    ]);
  });

  it('lowers the balance on a partial payment and leaves the stage waiting', async () => {
    const { deps, invoiceId, resumed, forgotten, stored, events } = await waitingInvoice();

    const result = await recordPayment({ invoiceId, amountMinor: 23450 }, deps);

    expect(result).toMatchObject({ event: 'partially-paid', resumedWorkflow: false });
    expect(await stored()).toMatchObject({ status: 'OPEN', balanceMinor: 100000, taskToken: 'token-D0', version: 3 });
    expect(resumed).toEqual([]);
    expect(forgotten).toEqual([]);
    expect((await events()).map((e) => [e.type, e.detail])).toEqual([
      ['partially-paid', { amountMinor: 23450, balanceMinor: 100000 }],
    ]);
  });

  it('decides again on the invoice as another writer left it (optimistic lock)', async () => {
    const { stores, deps, invoiceId, stored, events } = await waitingInvoice();
    const write = stores.invoices.writeInvoiceChange.bind(stores.invoices);
    const writes = vi.spyOn(stores.invoices, 'writeInvoiceChange').mockImplementationOnce(async (...args) => {
      // Another payment lands between this one's read and its write.
      await write(await stored(), { status: 'OPEN', balanceMinor: 100000, paymentRefs: ['P-0'] }, NOW);
      return write(...args);
    });

    const result = await recordPayment({ invoiceId }, deps);

    expect(writes).toHaveBeenCalledTimes(2);
    expect(result.event).toBe('paid');
    expect(await stored()).toMatchObject({ status: 'PAID', balanceMinor: 0, version: 4 });
    // the whole balance as it was after the other payment
    expect((await events()).map((e) => e.detail)).toEqual([{ amountMinor: 100000, balanceMinor: 0 }]);
  });

  it('succeeds when the wait already timed out: the workflow re-reads the invoice', async () => {
    const { deps, invoiceId, resumed, stored } = await waitingInvoice({ waiting: false });

    const result = await recordPayment({ invoiceId }, deps);

    expect(result).toMatchObject({ event: 'paid', resumedWorkflow: false });
    expect(resumed).toHaveLength(1);
    expect(await stored()).toMatchObject({ status: 'PAID' });
    expect(await stored()).not.toHaveProperty('taskToken');
  });

  it('refuses an unknown invoice, and a paid one when nothing is owed, changing nothing and telling nobody', async () => {
    const { deps, invoiceId, resumed, stored, events } = await waitingInvoice();
    await expect(recordPayment({ invoiceId: 'NOPE' }, deps)).rejects.toMatchObject({ code: 'InvoiceNotFound' });

    await recordPayment({ invoiceId }, deps);
    const paid = await stored();
    await expect(recordPayment({ invoiceId }, deps)).rejects.toMatchObject({ code: 'InvoiceNotOpen' });

    expect(await stored()).toEqual(paid);
    expect(await events()).toHaveLength(1);
    expect(resumed).toHaveLength(1);
  });
});

describe('paying more than the balance, or the same payment twice', () => {
  it('leaves the balance at 0 and keeps the excess as credit, with the reference', async () => {
    const { deps, invoiceId, stored, events } = await waitingInvoice({ amountMinor: 10000 });

    const result = await recordPayment({ invoiceId, amountMinor: 15000, reference: 'PIX-77' }, deps);

    expect(result).toMatchObject({ event: 'paid', excessMinor: 5000 });
    expect(await stored()).toMatchObject({
      status: 'PAID',
      balanceMinor: 0,
      creditMinor: 5000,
      paymentRefs: ['PIX-77'],
    });
    expect((await events())[0]?.detail).toEqual({
      amountMinor: 15000,
      balanceMinor: 0,
      excessMinor: 5000,
      creditMinor: 5000,
      reference: 'PIX-77',
    });
  });

  it('answers a payment whose reference was applied already as a duplicate, changing nothing', async () => {
    const { deps, invoiceId, resumed, stored, events } = await waitingInvoice();
    await recordPayment({ invoiceId, amountMinor: 1000, reference: 'PIX-77' }, deps);
    const before = await stored();

    const result = await recordPayment({ invoiceId, amountMinor: 1000, reference: 'PIX-77' }, deps);

    expect(result).toMatchObject({ event: 'duplicate', resumedWorkflow: false });
    expect(result.invoice).toEqual(before);
    expect(await stored()).toEqual(before);
    expect(await events()).toHaveLength(1);
    expect(resumed).toEqual([]);
  });
});
