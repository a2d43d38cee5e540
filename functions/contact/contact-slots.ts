import type { RecentContact } from '../invoices/invoice';

/**
 * The frequency-cap slots of a customer (`recentContacts`, contact/contact-policy.ts): a stage takes one before it
 * sends, so that two invoices of one customer never both contact them past the caps. Kept on the customer, versioned
 * by `contactsVersion` (read them with `CustomerStore.getCustomer`). DynamoDB: functions/stores/dynamodb/customer-store.ts.
 */
export interface ContactSlots {
  /**
   * Takes a contact slot: writes `contacts` (what the caller read, entries older than `keepSince` dropped) plus
   * `contact` — with the other invoices' stages its message consolidates (`covers`) — only if nobody changed them
   * since the caller read version `version` (0: never written). 'conflict' when somebody did, or the customer does not
   * exist: read again and decide again.
   */
  reserveContact(
    customerId: string,
    read: { contacts: readonly RecentContact[]; version: number },
    contact: RecentContact,
    keepSince: string,
  ): Promise<'reserved' | 'conflict'>;

  /** Gives back the slot of `contact` (a stage that took one and then sent nothing), retrying on concurrent changes. */
  releaseContact(customerId: string, contact: RecentContact): Promise<void>;

  /**
   * Takes `invoiceIds` out of what the slot of `contact` covers (their stage was not in the consolidated message after
   * all: paid or put on hold meanwhile), so that they perform it themselves; retries on concurrent changes.
   */
  uncoverContact(customerId: string, contact: RecentContact, invoiceIds: readonly string[]): Promise<void>;
}
