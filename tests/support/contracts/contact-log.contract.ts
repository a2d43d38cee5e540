import { describe, expect, it } from 'vitest';
import type { ContactLogEntry } from '../../../functions/contact/contact-log';
import { AT, freshId, type MakeStores, registration } from './stores';

/** What every ContactLog (contact/contact-log.ts) does; an invoice's log is read by the AuditLog contract. */
export function describeContactLogContract(implementation: string, make: MakeStores): void {
  describe(`ContactLog contract: ${implementation}`, () => {
    it("answers the customer's log since an instant, across their invoices, oldest first, exactly as logged", async () => {
      const { contactLog, invoices } = await make();
      const customerId = freshId('C');
      const [a, b] = [freshId('INV'), freshId('INV')];
      await invoices.createInvoice(registration(a, customerId), 'standard', AT);
      const entry = (at: string, invoiceId: string, fields: Partial<ContactLogEntry> = {}): ContactLogEntry => ({
        at,
        invoiceId,
        customerId,
        stageId: 'D0',
        channel: 'email',
        outcome: 'sent',
        ...fields,
      });
      const old = entry('2026-11-20T12:00:00.000Z', a);
      const sent = entry('2026-12-01T12:00:00.000Z', a, {
        template: 'reminder',
        messageId: 'ses-1',
        consolidates: [b],
      });
      const deferred = entry('2026-12-01T13:00:00.000Z', b, {
        channel: '*',
        outcome: 'deferred',
        reason: 'quiet-hours',
        until: '2026-12-02T11:00:00.000Z',
      });
      const skipped = entry('2026-12-02T12:00:00.000Z', b, { channel: 'sms', outcome: 'skipped', reason: 'opted-out' });
      for (const e of [skipped, old, deferred, sent]) await contactLog.logContact(e);
      await contactLog.logContact({ ...entry(AT, freshId('INV')), customerId: freshId('C') });
      expect(await contactLog.customerContacts(customerId, '2026-12-01T12:00:00.000Z')).toEqual([
        sent,
        deferred,
        skipped,
      ]);
      expect(await contactLog.customerContacts(customerId, '2026-01-01T00:00:00.000Z')).toHaveLength(4);
      expect(await contactLog.customerContacts(customerId, '2026-12-03T00:00:00.000Z')).toEqual([]);
      expect(await contactLog.customerContacts(freshId('C'), '2026-01-01T00:00:00.000Z')).toEqual([]);
    });

    it('keeps two outcomes of one channel of one stage at one instant apart', async () => {
      const { contactLog, auditLog } = await make();
      const customerId = freshId('C');
      const invoiceId = freshId('INV');
      const base = { at: AT, invoiceId, customerId, stageId: 'D0', channel: 'email' } as const;
      await contactLog.logContact({ ...base, outcome: 'failed', reason: 'throttled' });
      await contactLog.logContact({ ...base, outcome: 'sent', messageId: 'ses-1' });
      const { contacts } = await auditLog.invoiceHistory(invoiceId);
      expect(contacts.map((c) => c.outcome).sort()).toEqual(['failed', 'sent']);
    });
  });
}
