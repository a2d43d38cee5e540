import { describe, expect, it } from 'vitest';
import { AT, customer, freshId, LATER, type MakeStores } from './stores';

const SECRET = /^[A-Za-z0-9_-]{24}$/;

/** What every CustomerStore (invoices/customer-store.ts) does. */
export function describeCustomerStoreContract(implementation: string, make: MakeStores): void {
  describe(`CustomerStore contract: ${implementation}`, () => {
    it('answers undefined for an unknown customer', async () => {
      const { customers } = await make();
      expect(await customers.getCustomer(freshId('C'))).toBeUndefined();
    });

    it('creates a customer with its contact details and an unsubscribe secret of 144 random bits', async () => {
      const { customers } = await make();
      const customerId = freshId('C');
      const details = customer(customerId, { segment: 'vip', riskScore: 120 });
      await customers.upsertCustomer(details, AT);
      const stored = await customers.getCustomer(customerId);
      expect(stored).toEqual({ ...details, updatedAt: AT, unsubscribeToken: expect.stringMatching(SECRET) });
      const other = freshId('C');
      await customers.upsertCustomer(customer(other), AT);
      expect((await customers.getCustomer(other))?.unsubscribeToken).not.toBe(stored?.unsubscribeToken);
    });

    it('refreshes the contact details (a field not given is removed), keeping opt-outs and the secret', async () => {
      const { customers } = await make();
      const customerId = freshId('C');
      await customers.upsertCustomer(customer(customerId), AT);
      await customers.addOptOut(customerId, 'sms', AT);
      const before = await customers.getCustomer(customerId);
      const { phone: _phone, ...withoutPhone } = customer(customerId, { email: 'new@example.com' });
      await customers.upsertCustomer(withoutPhone, LATER);
      const after = await customers.getCustomer(customerId);
      expect(after).toEqual({
        ...withoutPhone,
        optOuts: ['sms'],
        updatedAt: LATER,
        unsubscribeToken: before?.unsubscribeToken,
      });
    });

    it('replaces the contact details of a known customer only', async () => {
      const { customers } = await make();
      const unknown = freshId('C');
      expect(await customers.replaceCustomerContact(customer(unknown), AT)).toBe('not-found');
      expect(await customers.getCustomer(unknown)).toBeUndefined();
      const customerId = freshId('C');
      await customers.upsertCustomer(customer(customerId), AT);
      await customers.addOptOut(customerId, 'email', AT);
      const before = await customers.getCustomer(customerId);
      const { email: _email, ...replacement } = customer(customerId, { name: 'Maria S. Souza' });
      expect(await customers.replaceCustomerContact(replacement, LATER)).toBe('replaced');
      expect(await customers.getCustomer(customerId)).toEqual({
        ...replacement,
        optOuts: ['email'],
        updatedAt: LATER,
        unsubscribeToken: before?.unsubscribeToken,
      });
    });

    it('records each opt-out once, answering the opt-outs; undefined for an unknown customer', async () => {
      const { customers } = await make();
      const customerId = freshId('C');
      await customers.upsertCustomer(customer(customerId), AT);
      expect(await customers.addOptOut(customerId, 'email', AT)).toEqual(['email']);
      expect(await customers.addOptOut(customerId, 'email', LATER)).toEqual(['email']);
      expect(await customers.addOptOut(customerId, 'sms', LATER)).toEqual(['email', 'sms']);
      expect((await customers.getCustomer(customerId))?.optOuts).toEqual(['email', 'sms']);
      const unknown = freshId('C');
      expect(await customers.addOptOut(unknown, 'email', AT)).toBeUndefined();
      expect(await customers.getCustomer(unknown)).toBeUndefined();
    });

    it('makes the statement secret on first use and keeps it; two first uses at once agree', async () => {
      const { customers } = await make();
      const customerId = freshId('C');
      await customers.upsertCustomer(customer(customerId), AT);
      const [a, b] = await Promise.all([customers.statementSecret(customerId), customers.statementSecret(customerId)]);
      expect(a).toMatch(SECRET);
      expect(b).toBe(a);
      expect(await customers.statementSecret(customerId)).toBe(a);
      const stored = await customers.getCustomer(customerId);
      expect(stored?.statementSecret).toBe(a);
      expect(stored?.unsubscribeToken).not.toBe(a);
      const unknown = freshId('C');
      expect(await customers.statementSecret(unknown)).toBeUndefined();
      expect(await customers.getCustomer(unknown)).toBeUndefined();
    });
  });
}
