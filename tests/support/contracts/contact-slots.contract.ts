import { describe, expect, it } from 'vitest';
import type { RecentContact } from '../../../functions/invoices/invoice';
import { AT, customer, freshId, LATER, type MakeStores } from './stores';

/** What every ContactSlots (contact/contact-slots.ts) does, read back through the CustomerStore. */
export function describeContactSlotsContract(implementation: string, make: MakeStores): void {
  describe(`ContactSlots contract: ${implementation}`, () => {
    async function knownCustomer() {
      const stores = await make();
      const customerId = freshId('C');
      await stores.customers.upsertCustomer(customer(customerId), AT);
      return { ...stores, customerId };
    }
    const slot = (invoiceId: string, stageId: string, at = AT, covers?: RecentContact['covers']): RecentContact => ({
      at,
      invoiceId,
      stageId,
      ...(covers ? { covers } : {}),
    });

    it('takes a slot only on the version read (optimistic lock), dropping contacts older than asked', async () => {
      const { customers, contactSlots, customerId } = await knownCustomer();
      const first = slot('INV-1', 'D-3', '2026-11-01T12:00:00.000Z');
      expect(await contactSlots.reserveContact(customerId, { contacts: [], version: 0 }, first, AT)).toBe('reserved');
      expect(await customers.getCustomer(customerId)).toMatchObject({ recentContacts: [first], contactsVersion: 1 });
      // a second writer that read version 0 too
      expect(await contactSlots.reserveContact(customerId, { contacts: [], version: 0 }, slot('INV-2', 'D0'), AT)).toBe(
        'conflict',
      );
      const second = slot('INV-2', 'D0', LATER);
      expect(await contactSlots.reserveContact(customerId, { contacts: [first], version: 1 }, second, AT)).toBe(
        'reserved',
      );
      // `first` is older than keepSince (AT): dropped
      expect(await customers.getCustomer(customerId)).toMatchObject({ recentContacts: [second], contactsVersion: 2 });
    });

    it('takes no slot for an unknown customer', async () => {
      const { customers, contactSlots } = await make();
      const unknown = freshId('C');
      expect(await contactSlots.reserveContact(unknown, { contacts: [], version: 0 }, slot('INV-1', 'D0'), AT)).toBe(
        'conflict',
      );
      expect(await customers.getCustomer(unknown)).toBeUndefined();
    });

    it('gives a slot back by its invoice and stage, and does nothing when it is not there', async () => {
      const { customers, contactSlots, customerId } = await knownCustomer();
      const a = slot('INV-1', 'D-3');
      const b = slot('INV-2', 'D-3');
      await contactSlots.reserveContact(customerId, { contacts: [], version: 0 }, a, AT);
      await contactSlots.reserveContact(customerId, { contacts: [a], version: 1 }, b, AT);
      await contactSlots.releaseContact(customerId, { ...a, at: LATER });
      expect(await customers.getCustomer(customerId)).toMatchObject({ recentContacts: [b], contactsVersion: 3 });
      await contactSlots.releaseContact(customerId, a);
      expect(await customers.getCustomer(customerId)).toMatchObject({ recentContacts: [b], contactsVersion: 3 });
      await contactSlots.releaseContact(freshId('C'), a);
    });

    it('takes invoices out of what a slot covers, dropping `covers` once it is empty', async () => {
      const { customers, contactSlots, customerId } = await knownCustomer();
      const covering = slot('INV-1', 'D0', AT, [
        { invoiceId: 'INV-2', stageId: 'D0' },
        { invoiceId: 'INV-3', stageId: 'D0' },
      ]);
      await contactSlots.reserveContact(customerId, { contacts: [], version: 0 }, covering, AT);
      await contactSlots.uncoverContact(customerId, covering, ['INV-2']);
      expect((await customers.getCustomer(customerId))?.recentContacts).toEqual([
        slot('INV-1', 'D0', AT, [{ invoiceId: 'INV-3', stageId: 'D0' }]),
      ]);
      await contactSlots.uncoverContact(customerId, covering, ['INV-3', 'INV-4']);
      expect(await customers.getCustomer(customerId)).toMatchObject({
        recentContacts: [slot('INV-1', 'D0')],
        contactsVersion: 3,
      });
      // nothing left to take out: no write
      await contactSlots.uncoverContact(customerId, covering, ['INV-3']);
      expect((await customers.getCustomer(customerId))?.contactsVersion).toBe(3);
    });
  });
}
