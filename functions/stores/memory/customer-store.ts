import type { ContactSlots } from '../../contact/contact-slots';
import type { CustomerStore } from '../../invoices/customer-store';
import type { Customer, RecentContact } from '../../invoices/invoice';
import { copy, type MemoryTables, newSecret, without } from './tables';

/** The contact fields a registration sets (or removes when absent), as the DynamoDB store writes them. */
const CONTACT_FIELDS = [
  'name',
  'email',
  'phone',
  'timezone',
  'locale',
  'country',
  'region',
  'segment',
  'riskScore',
] as const;

/**
 * The customers in memory, with their frequency-cap slots (`recentContacts`, versioned by `contactsVersion`): the
 * semantics of functions/stores/dynamodb/customer-store.ts, one object for both interfaces as there.
 */
export class MemoryCustomerStore implements CustomerStore, ContactSlots {
  constructor(private readonly tables: MemoryTables) {}

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const stored = this.tables.customers.get(customerId);
    return stored ? copy(stored) : undefined;
  }

  async upsertCustomer(customer: Customer, at: string): Promise<void> {
    this.writeContactDetails(customer, at);
  }

  async replaceCustomerContact(customer: Customer, at: string): Promise<'replaced' | 'not-found'> {
    if (!this.tables.customers.has(customer.customerId)) return 'not-found';
    this.writeContactDetails(customer, at);
    return 'replaced';
  }

  /** A customer's name and contact details (absent ones removed); everything else recorded earlier stays. */
  private writeContactDetails(customer: Customer, at: string): void {
    const stored = this.tables.customers.get(customer.customerId);
    const given: Record<string, unknown> = {};
    for (const field of CONTACT_FIELDS) if (customer[field] !== undefined) given[field] = customer[field];
    this.tables.customers.set(customer.customerId, {
      ...(stored ? without(stored, ...CONTACT_FIELDS) : {}),
      ...(copy(given) as Partial<Customer>),
      customerId: customer.customerId,
      updatedAt: at,
      unsubscribeToken: stored?.unsubscribeToken ?? newSecret(),
    } as Customer);
  }

  async addOptOut(customerId: string, channel: string, at: string): Promise<readonly string[] | undefined> {
    const stored = this.tables.customers.get(customerId);
    if (!stored) return undefined;
    const optOuts = stored.optOuts ?? [];
    if (optOuts.includes(channel)) return [...optOuts];
    const next = [...optOuts, channel];
    this.tables.customers.set(customerId, { ...stored, optOuts: next, updatedAt: at } as Customer);
    return [...next];
  }

  async statementSecret(customerId: string): Promise<string | undefined> {
    const stored = this.tables.customers.get(customerId);
    if (!stored) return undefined;
    if (stored.statementSecret !== undefined) return stored.statementSecret;
    const statementSecret = newSecret();
    this.tables.customers.set(customerId, { ...stored, statementSecret });
    return statementSecret;
  }

  async reserveContact(
    customerId: string,
    read: { contacts: readonly RecentContact[]; version: number },
    contact: RecentContact,
    keepSince: string,
  ): Promise<'reserved' | 'conflict'> {
    const contacts = [...read.contacts.filter((c) => c.at >= keepSince), contact];
    return this.writeContacts(customerId, contacts, read.version);
  }

  async releaseContact(customerId: string, contact: RecentContact): Promise<void> {
    const stored = this.tables.customers.get(customerId);
    const contacts = stored?.recentContacts ?? [];
    const kept = contacts.filter((c) => !(c.invoiceId === contact.invoiceId && c.stageId === contact.stageId));
    if (!stored || kept.length === contacts.length) return;
    this.writeContacts(customerId, kept, stored.contactsVersion ?? 0);
  }

  async uncoverContact(customerId: string, contact: RecentContact, invoiceIds: readonly string[]): Promise<void> {
    const isSlot = (c: RecentContact) => c.invoiceId === contact.invoiceId && c.stageId === contact.stageId;
    const stored = this.tables.customers.get(customerId);
    const contacts = stored?.recentContacts ?? [];
    const slot = contacts.find(isSlot);
    const covers = slot?.covers?.filter((s) => !invoiceIds.includes(s.invoiceId));
    if (!stored || !slot || covers?.length === slot.covers?.length) return;
    const rest = without(slot, 'covers');
    const updated = contacts.map((c) => (c === slot ? { ...rest, ...(covers?.length ? { covers } : {}) } : c));
    this.writeContacts(customerId, updated, stored.contactsVersion ?? 0);
  }

  /** Writes the slots only if the customer exists and they are still at `version` (absent counts as 0). */
  private writeContacts(
    customerId: string,
    contacts: readonly RecentContact[],
    version: number,
  ): 'reserved' | 'conflict' {
    const stored = this.tables.customers.get(customerId);
    if (!stored) return 'conflict';
    if (version === 0 ? stored.contactsVersion !== undefined : stored.contactsVersion !== version) return 'conflict';
    this.tables.customers.set(customerId, { ...stored, recentContacts: copy(contacts), contactsVersion: version + 1 });
    return 'reserved';
  }
}
