import type { ContactSlots } from '../../contact/contact-slots';
import { CUSTOMER_CONTACT_FIELDS, type CustomerStore } from '../../invoices/customer-store';
import type { Customer, RecentContact } from '../../invoices/invoice';
import { copy, type MemoryTables, newSecret, without } from './tables';

/**
 * The customers in memory, with their frequency-cap slots (`recentContacts`, versioned by `contactsVersion`): the
 * semantics of functions/stores/dynamodb/customer-store.ts, one object for both interfaces as there.
 */
export function memoryCustomerStore(tables: MemoryTables): CustomerStore & ContactSlots {
  /** A customer's name and contact details (absent ones removed); everything else recorded earlier stays. */
  function writeContactDetails(customer: Customer, at: string): void {
    const stored = tables.customers.get(customer.customerId);
    const given: Record<string, unknown> = {};
    for (const field of CUSTOMER_CONTACT_FIELDS) if (customer[field] !== undefined) given[field] = customer[field];
    tables.customers.set(customer.customerId, {
      ...(stored ? without(stored, ...CUSTOMER_CONTACT_FIELDS) : {}),
      ...(copy(given) as Partial<Customer>),
      customerId: customer.customerId,
      updatedAt: at,
      unsubscribeToken: stored?.unsubscribeToken ?? newSecret(),
    } as Customer);
  }

  /** Writes the slots only if the customer exists and they are still at `version` (absent counts as 0). */
  function writeContacts(
    customerId: string,
    contacts: readonly RecentContact[],
    version: number,
  ): 'reserved' | 'conflict' {
    const stored = tables.customers.get(customerId);
    if (!stored) return 'conflict';
    if (version === 0 ? stored.contactsVersion !== undefined : stored.contactsVersion !== version) return 'conflict';
    tables.customers.set(customerId, { ...stored, recentContacts: copy(contacts), contactsVersion: version + 1 });
    return 'reserved';
  }

  return {
    async getCustomer(customerId) {
      const stored = tables.customers.get(customerId);
      return stored ? copy(stored) : undefined;
    },

    async upsertCustomer(customer, at) {
      writeContactDetails(customer, at);
    },

    async replaceCustomerContact(customer, at) {
      if (!tables.customers.has(customer.customerId)) return 'not-found';
      writeContactDetails(customer, at);
      return 'replaced';
    },

    async addOptOut(customerId, channel, at) {
      const stored = tables.customers.get(customerId);
      if (!stored) return undefined;
      const optOuts = stored.optOuts ?? [];
      if (optOuts.includes(channel)) return [...optOuts];
      const next = [...optOuts, channel];
      tables.customers.set(customerId, { ...stored, optOuts: next, updatedAt: at } as Customer);
      return [...next];
    },

    async statementSecret(customerId) {
      const stored = tables.customers.get(customerId);
      if (!stored) return undefined;
      if (stored.statementSecret !== undefined) return stored.statementSecret;
      const statementSecret = newSecret();
      tables.customers.set(customerId, { ...stored, statementSecret });
      return statementSecret;
    },

    async reserveContact(customerId, read, contact, keepSince) {
      const contacts = [...read.contacts.filter((c) => c.at >= keepSince), contact];
      return writeContacts(customerId, contacts, read.version);
    },

    async releaseContact(customerId, contact) {
      const stored = tables.customers.get(customerId);
      const contacts = stored?.recentContacts ?? [];
      const kept = contacts.filter((c) => !(c.invoiceId === contact.invoiceId && c.stageId === contact.stageId));
      if (!stored || kept.length === contacts.length) return;
      writeContacts(customerId, kept, stored.contactsVersion ?? 0);
    },

    async uncoverContact(customerId, contact, invoiceIds) {
      const isSlot = (c: RecentContact) => c.invoiceId === contact.invoiceId && c.stageId === contact.stageId;
      const stored = tables.customers.get(customerId);
      const contacts = stored?.recentContacts ?? [];
      const slot = contacts.find(isSlot);
      const covers = slot?.covers?.filter((s) => !invoiceIds.includes(s.invoiceId));
      if (!stored || !slot || covers?.length === slot.covers?.length) return;
      const rest = without(slot, 'covers');
      const updated = contacts.map((c) => (c === slot ? { ...rest, ...(covers?.length ? { covers } : {}) } : c));
      writeContacts(customerId, updated, stored.contactsVersion ?? 0);
    },
  };
}
