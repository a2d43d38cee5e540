import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../../functions/invoices/invoice';
import type { InvoiceListing, InvoiceStore } from '../../../functions/invoices/invoice-store';
import type { Stores } from '../../../functions/stores/stores';
import { AT, freshId, registration } from './stores';

/** The listing and the stores it lists the invoices of (the same data). */
export type MakeListing = () =>
  | { readonly stores: Stores; readonly listing: InvoiceListing }
  | Promise<{ readonly stores: Stores; readonly listing: InvoiceListing }>;

/**
 * What every InvoiceListing (invoices/invoice-store.ts) does. On a table other tests write to, "every invoice" holds
 * theirs too: the checks look at this test's invoices within the answer.
 */
export function describeInvoiceListingContract(implementation: string, make: MakeListing): void {
  describe(`InvoiceListing contract: ${implementation}`, () => {
    const create = async (invoices: InvoiceStore, invoiceId: string, ruleId = 'standard') => {
      await invoices.createInvoice(registration(invoiceId), ruleId, AT);
      return (await invoices.getInvoice(invoiceId)) as Invoice;
    };

    it('lists every invoice id, sorted, and nothing else', async () => {
      const { stores, listing } = await make();
      const ids = [freshId('INV-Z'), freshId('INV-A'), freshId('INV-M')];
      for (const id of ids) await create(stores.invoices, id);
      const customerId = freshId('C');
      await stores.customers.upsertCustomer(registration('x', customerId).customer, AT);
      await stores.auditLog.logEvent({ at: AT, invoiceId: freshId('INV'), type: 'registered' });
      const all = await listing.allInvoiceIds();
      expect(all).toEqual([...all].sort());
      expect(all.filter((id) => ids.includes(id))).toEqual([...ids].sort());
      expect(all).not.toContain(customerId);
      expect(all.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    });

    it('lists the walks under way: an execution, and contactable or on hold; with the rule', async () => {
      const { stores, listing } = await make();
      const { invoices } = stores;
      const [open, escalated, paused, paid, notStarted] = ['OPEN', 'ESC', 'PAUSED', 'PAID', 'NEW'].map((s) =>
        freshId(`INV-${s}`),
      ) as [string, string, string, string, string];
      await create(invoices, open, 'with-fees');
      await create(invoices, escalated);
      const held = await create(invoices, paused);
      const settled = await create(invoices, paid);
      await create(invoices, notStarted);
      for (const id of [open, escalated, paused, paid]) await invoices.setExecution(id, `arn:${id}`, AT);
      await invoices.markEscalated(escalated, AT);
      await invoices.writeInvoiceChange(
        { ...held, executionArn: `arn:${paused}` },
        { status: 'PAUSED', hold: { kind: 'pause', reason: 'asked', since: AT, resumeTo: 'OPEN' } },
        AT,
      );
      await invoices.writeInvoiceChange(settled, { status: 'PAID', balanceMinor: 0 }, AT);
      const mine = new Set([open, escalated, paused, paid, notStarted]);
      const walks = (await listing.walksUnderWay()).filter((w) => mine.has(w.invoiceId));
      expect(walks.sort((a, b) => a.invoiceId.localeCompare(b.invoiceId))).toEqual(
        [
          { invoiceId: open, ruleId: 'with-fees', executionArn: `arn:${open}` },
          { invoiceId: escalated, ruleId: 'standard', executionArn: `arn:${escalated}` },
          { invoiceId: paused, ruleId: 'standard', executionArn: `arn:${paused}` },
        ].sort((a, b) => a.invoiceId.localeCompare(b.invoiceId)),
      );
    });
  });
}
