import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../../functions/invoices/invoice';
import { AT, freshId, LATER, type MakeStores, registration } from './stores';

const offerOn = (balanceMinor: number) => ({
  stageId: 'D-3',
  discountPercent: 5,
  balanceMinor,
  discountMinor: Math.round(balanceMinor * 0.05),
  payMinor: balanceMinor - Math.round(balanceMinor * 0.05),
  offeredAt: AT,
  payBy: '2026-12-10',
  validUntil: '2026-12-11T03:00:00.000Z',
});
const pause = { kind: 'pause', reason: 'customer asked', since: AT, resumeTo: 'OPEN' } as const;

/** What every InvoiceStore (invoices/invoice-store.ts) does. */
export function describeInvoiceStoreContract(implementation: string, make: MakeStores): void {
  describe(`InvoiceStore contract: ${implementation}`, () => {
    /** A new OPEN invoice (version 1) and the store. */
    async function created(overrides: Parameters<typeof registration>[2] = {}) {
      const { invoices } = await make();
      const invoiceId = freshId('INV');
      expect(await invoices.createInvoice(registration(invoiceId, undefined, overrides), 'standard', AT)).toBe(
        'created',
      );
      return { invoices, invoiceId, invoice: (await invoices.getInvoice(invoiceId)) as Invoice };
    }
    async function paused() {
      const { invoices, invoiceId, invoice } = await created();
      const written = await invoices.writeInvoiceChange(invoice, { status: 'PAUSED', hold: pause }, AT);
      return { invoices, invoiceId, invoice: written as Invoice };
    }

    it('answers undefined for an unknown invoice', async () => {
      const { invoices } = await make();
      expect(await invoices.getInvoice(freshId('INV'))).toBeUndefined();
    });

    it('creates an invoice OPEN at version 1 with its balance, rule and instants, and only once', async () => {
      const { invoices } = await make();
      const invoiceId = freshId('INV');
      const first = registration(invoiceId);
      expect(await invoices.createInvoice(first, 'standard', AT)).toBe('created');
      expect(await invoices.createInvoice({ ...first, dueDate: '2027-01-01' }, 'other', LATER)).toBe('duplicate');
      expect(await invoices.getInvoice(invoiceId)).toEqual({
        ...first,
        status: 'OPEN',
        balanceMinor: 123450,
        ruleId: 'standard',
        version: 1,
        createdAt: AT,
        updatedAt: AT,
      });
    });

    it('records the execution of an invoice, and refuses one for an unknown invoice', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.setExecution(invoiceId, 'arn:aws:states:::execution:dunning:x', LATER);
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({
        executionArn: 'arn:aws:states:::execution:dunning:x',
        updatedAt: LATER,
        version: 1,
      });
      await expect(invoices.setExecution(freshId('INV'), 'arn', LATER)).rejects.toThrow();
      expect(await invoices.getInvoice(freshId('INV'))).toBeUndefined();
    });

    it("parks a stage's task token on a contactable invoice, with its stage and end, bumping the version", async () => {
      const { invoices, invoiceId } = await created();
      expect(
        await invoices.storeTaskToken(invoiceId, 'D-3', 'token-1', LATER, { until: '2026-12-07T12:00:00.000Z' }),
      ).toEqual({ stored: true });
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({
        taskToken: 'token-1',
        currentStage: 'D-3',
        waitUntil: '2026-12-07T12:00:00.000Z',
        updatedAt: LATER,
        version: 2,
      });
      // a wait without an end takes the previous end off
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'token-2', LATER)).toEqual({ stored: true });
      const invoice = await invoices.getInvoice(invoiceId);
      expect(invoice).toMatchObject({ taskToken: 'token-2', currentStage: 'D0', version: 3 });
      expect(invoice?.waitUntil).toBeUndefined();
    });

    it("refuses a stage's wait on an invoice on hold, answering its status and recording the stage", async () => {
      const { invoices, invoiceId } = await paused();
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'token-1', LATER)).toEqual({
        stored: false,
        status: 'PAUSED',
      });
      const invoice = await invoices.getInvoice(invoiceId);
      expect(invoice).toMatchObject({ currentStage: 'D0', status: 'PAUSED', version: 3 });
      expect(invoice?.taskToken).toBeUndefined();
    });

    it("refuses a stage's wait on a closed invoice and a hold on a contactable one; MISSING when there is none", async () => {
      const { invoices, invoiceId, invoice } = await created();
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'hold-1', LATER, { kind: 'hold' })).toEqual({
        stored: false,
        status: 'OPEN',
      });
      await invoices.writeInvoiceChange(invoice, { status: 'PAID', balanceMinor: 0, paidAt: AT }, AT);
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'token-1', LATER)).toEqual({
        stored: false,
        status: 'PAID',
      });
      expect((await invoices.getInvoice(invoiceId))?.currentStage).toBeUndefined();
      expect(await invoices.storeTaskToken(freshId('INV'), 'D0', 'token-1', LATER)).toEqual({
        stored: false,
        status: 'MISSING',
      });
    });

    it('parks a hold on an invoice on hold, leaving its current stage', async () => {
      const { invoices, invoiceId } = await paused();
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'hold-1', LATER, { kind: 'hold' })).toEqual({
        stored: true,
      });
      const invoice = await invoices.getInvoice(invoiceId);
      expect(invoice).toMatchObject({ taskToken: 'hold-1', version: 3 });
      expect(invoice?.currentStage).toBeUndefined();
    });

    it('writes a change only onto the version it was decided on (optimistic lock), and answers the invoice written', async () => {
      const { invoices, invoiceId, invoice } = await created();
      const change = { status: 'OPEN', balanceMinor: 100000, paymentRefs: ['P-1'] } as const;
      const written = await invoices.writeInvoiceChange(invoice, change, LATER);
      expect(written).toEqual({ ...invoice, ...change, updatedAt: LATER, version: 2 });
      expect(await invoices.getInvoice(invoiceId)).toEqual(written);
      // decided on version 1, which is gone: nothing written
      expect(await invoices.writeInvoiceChange(invoice, { status: 'WRITTEN_OFF' }, LATER)).toBe('conflict');
      expect(await invoices.getInvoice(invoiceId)).toEqual(written);
    });

    it('sets and removes the hold, and records what the parked token is to be told, keeping the token', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.storeTaskToken(invoiceId, 'D0', 'token-1', AT, { until: LATER });
      const open = (await invoices.getInvoice(invoiceId)) as Invoice;
      const held = (await invoices.writeInvoiceChange(open, { status: 'PAUSED', hold: pause }, AT)) as Invoice;
      expect(held).toMatchObject({ status: 'PAUSED', hold: pause, taskToken: 'token-1', waitUntil: LATER });
      expect(held).not.toHaveProperty('pendingResume');
      const resumed = (await invoices.writeInvoiceChange(held, { status: 'OPEN', hold: null }, LATER, {
        resume: { event: 'changed', status: 'OPEN' },
      })) as Invoice;
      expect(resumed).toMatchObject({
        status: 'OPEN',
        version: held.version + 1,
        taskToken: 'token-1',
        pendingResume: { event: 'changed', status: 'OPEN' },
      });
      expect(resumed).not.toHaveProperty('hold');
      expect(await invoices.getInvoice(invoiceId)).toEqual(resumed);
    });

    it('records no pending resume when no token is parked', async () => {
      const { invoices, invoice } = await created();
      const paid = await invoices.writeInvoiceChange(invoice, { status: 'PAID', balanceMinor: 0 }, LATER, {
        resume: { event: 'paid' },
      });
      expect(paid).toMatchObject({ status: 'PAID' });
      expect(paid).not.toHaveProperty('pendingResume');
    });

    it('takes a delivered token, its end and its pending resume off, only while that token is parked', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.storeTaskToken(invoiceId, 'D0', 'token-1', AT, { until: LATER });
      const open = (await invoices.getInvoice(invoiceId)) as Invoice;
      const paid = (await invoices.writeInvoiceChange(open, { status: 'PAID', balanceMinor: 0 }, AT, {
        resume: { event: 'paid' },
      })) as Invoice;
      expect(await invoices.resumeDelivered(invoiceId, 'token-other', LATER)).toBe(false);
      expect(await invoices.getInvoice(invoiceId)).toEqual(paid);
      expect(await invoices.resumeDelivered(invoiceId, 'token-1', LATER)).toBe(true);
      const after = (await invoices.getInvoice(invoiceId)) as Invoice;
      expect(after).toMatchObject({ status: 'PAID', version: paid.version, updatedAt: LATER });
      for (const gone of ['taskToken', 'waitUntil', 'pendingResume'] as const) expect(after).not.toHaveProperty(gone);
      expect(await invoices.resumeDelivered(invoiceId, 'token-1', LATER)).toBe(false);
      expect(await invoices.resumeDelivered('no-such-invoice', 'token-1', LATER)).toBe(false);
    });

    it('a new wait replaces the token and drops the pending resume of the one it replaces', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.storeTaskToken(invoiceId, 'D0', 'token-1', AT, { until: LATER });
      const open = (await invoices.getInvoice(invoiceId)) as Invoice;
      await invoices.writeInvoiceChange(open, { status: 'OPEN', balanceMinor: 100 }, AT, {
        resume: { event: 'changed', status: 'OPEN' },
      });
      expect(await invoices.storeTaskToken(invoiceId, 'D0', 'token-2', LATER, { until: LATER })).toEqual({
        stored: true,
      });
      const parked = (await invoices.getInvoice(invoiceId)) as Invoice;
      expect(parked.taskToken).toBe('token-2');
      expect(parked).not.toHaveProperty('pendingResume');
    });

    it('writes a renegotiation with its instalments, ending the hold, under the same lock', async () => {
      const { invoices, invoiceId, invoice } = await paused();
      const instalments = [
        { invoiceId: `${invoiceId}-1of2`, dueDate: '2027-01-05', amountMinor: 61725 },
        { invoiceId: `${invoiceId}-2of2`, dueDate: '2027-02-05', amountMinor: 61725 },
      ];
      await expect(invoices.writeRenegotiation(invoice, { status: 'RENEGOTIATED' }, LATER)).rejects.toThrow();
      const written = await invoices.writeRenegotiation(invoice, { status: 'RENEGOTIATED', instalments }, LATER, {
        resume: { event: 'changed', status: 'RENEGOTIATED' },
      });
      expect(written).toMatchObject({ status: 'RENEGOTIATED', instalments, version: invoice.version + 1 });
      expect(written).not.toHaveProperty('hold');
      expect(await invoices.getInvoice(invoiceId)).toEqual(written);
      expect(await invoices.writeRenegotiation(invoice, { status: 'RENEGOTIATED', instalments }, LATER)).toBe(
        'conflict',
      );
    });

    it('marks an OPEN invoice ESCALATED (bumping the version) and leaves any other as it is', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.markEscalated(invoiceId, LATER);
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({ status: 'ESCALATED', updatedAt: LATER, version: 2 });
      await invoices.markEscalated(invoiceId, LATER);
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({ status: 'ESCALATED', version: 2 });
      const held = await paused();
      await held.invoices.markEscalated(held.invoiceId, LATER);
      expect(await held.invoices.getInvoice(held.invoiceId)).toEqual(held.invoice);
      await invoices.markEscalated(freshId('INV'), LATER);
    });

    it('records a failure on an invoice, and nothing for an unknown one', async () => {
      const { invoices, invoiceId } = await created();
      await invoices.recordFailure(invoiceId, 'States.Timeout: late', LATER);
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({
        lastError: 'States.Timeout: late',
        updatedAt: LATER,
        version: 1,
      });
      const unknown = freshId('INV');
      await invoices.recordFailure(unknown, 'boom', LATER);
      expect(await invoices.getInvoice(unknown)).toBeUndefined();
    });

    it('records an early-payment offer only on a contactable invoice with the balance it was computed on', async () => {
      const { invoices, invoiceId, invoice } = await created();
      expect(await invoices.recordEarlyPaymentOffer(invoiceId, offerOn(100), AT)).toBe('stale');
      expect(await invoices.recordEarlyPaymentOffer(invoiceId, offerOn(invoice.balanceMinor), AT)).toBe('recorded');
      expect(await invoices.getInvoice(invoiceId)).toMatchObject({
        earlyPayment: offerOn(invoice.balanceMinor),
        version: 2,
      });
      const held = await paused();
      expect(await held.invoices.recordEarlyPaymentOffer(held.invoiceId, offerOn(123450), AT)).toBe('stale');
      expect(await invoices.recordEarlyPaymentOffer(freshId('INV'), offerOn(123450), AT)).toBe('stale');
    });

    it("lists every invoice of a customer, whatever its status, by invoice id, and only the customer's", async () => {
      const stores = await make();
      const { invoices } = stores;
      const customerId = freshId('C');
      const ids = [freshId('INV-B'), freshId('INV-A'), freshId('INV-C')];
      for (const id of ids) await invoices.createInvoice(registration(id, customerId), 'standard', AT);
      await invoices.createInvoice(registration(freshId('INV'), freshId('C')), 'standard', AT);
      const first = (await invoices.getInvoice(ids[0] as string)) as Invoice;
      await invoices.writeInvoiceChange(first, { status: 'PAID', balanceMinor: 0 }, LATER);
      // the customer's contact log is no invoice
      await stores.contactLog.logContact({
        at: AT,
        invoiceId: ids[1] as string,
        customerId,
        stageId: 'D-3',
        channel: 'email',
        outcome: 'sent',
      });
      const listed = await invoices.customerInvoices(customerId);
      expect(listed.map((i) => i.invoiceId)).toEqual([...ids].sort());
      expect(listed.find((i) => i.invoiceId === ids[0])).toEqual(await invoices.getInvoice(ids[0] as string));
      expect(await invoices.customerInvoices(freshId('C'))).toEqual([]);
    });
  });
}
