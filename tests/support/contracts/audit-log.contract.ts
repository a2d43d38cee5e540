import { describe, expect, it } from 'vitest';
import type { ContactLogEntry } from '../../../functions/contact/contact-log';
import type { InvoiceEvent } from '../../../functions/invoices/audit-log';
import { AT, freshId, LATER, type MakeStores, registration } from './stores';

/** What every AuditLog (invoices/audit-log.ts) does, with the contact log it reads an invoice's history with. */
export function describeAuditLogContract(implementation: string, make: MakeStores): void {
  describe(`AuditLog contract: ${implementation}`, () => {
    it("answers an invoice's events and contact log, each oldest first, exactly as logged, and only its own", async () => {
      const { auditLog, contactLog, invoices } = await make();
      const invoiceId = freshId('INV');
      const customerId = freshId('C');
      await invoices.createInvoice(registration(invoiceId, customerId), 'standard', AT);
      const registered: InvoiceEvent = { at: AT, invoiceId, type: 'registered' };
      const started: InvoiceEvent = {
        at: AT,
        invoiceId,
        type: 'execution-started',
        detail: { executionArn: 'arn:x' },
      };
      const paused: InvoiceEvent = { at: LATER, invoiceId, type: 'paused', detail: { reason: 'asked' }, seq: 2 };
      const contact: ContactLogEntry = {
        at: '2026-12-01T15:00:00.000Z',
        invoiceId,
        customerId,
        stageId: 'D-3',
        channel: 'email',
        outcome: 'sent',
        template: 'reminder',
        messageId: 'ses-1',
      };
      for (const event of [paused, started, registered]) await auditLog.logEvent(event);
      await contactLog.logContact(contact);
      const other = freshId('INV');
      await auditLog.logEvent({ at: AT, invoiceId: other, type: 'registered' });
      await contactLog.logContact({ ...contact, invoiceId: other });

      const history = await auditLog.invoiceHistory(invoiceId);
      expect(history.contacts).toEqual([contact]);
      expect(history.events.map((e) => e.at)).toEqual([AT, AT, LATER]);
      expect(history.events).toEqual(expect.arrayContaining([registered, started, paused]));
      expect(history.events).toHaveLength(3);
    });

    it('keeps two events of one type at one instant apart by their sequence', async () => {
      const { auditLog } = await make();
      const invoiceId = freshId('INV');
      const paid = (seq: number): InvoiceEvent => ({
        at: AT,
        invoiceId,
        type: 'partially-paid',
        detail: { amountMinor: 100 * seq },
        seq,
      });
      await auditLog.logEvent(paid(3));
      await auditLog.logEvent(paid(2));
      expect((await auditLog.invoiceHistory(invoiceId)).events).toEqual([paid(2), paid(3)]);
    });

    it('answers empty lists for an invoice without history', async () => {
      const { auditLog } = await make();
      expect(await auditLog.invoiceHistory(freshId('INV'))).toEqual({ contacts: [], events: [] });
    });
  });
}
