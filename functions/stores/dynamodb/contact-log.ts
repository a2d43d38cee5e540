import type { ContactLog, ContactLogEntry } from '../../contact/contact-log';
import { CONTACT_LOG_END, ITEM_TYPE, KEY_PREFIX, tableKeys } from '../../contracts/table-layout';
import { queryCustomerIndex, TableStore } from './table';

/**
 * The contact log items (`INVOICE#<id>` / `CONTACT#…`, and `CONTACT#…` under the customer in `gsi1`):
 * contracts/table-layout.ts. An invoice's log is read with its events by the audit log (./audit-log.ts).
 */
export class DynamoContactLog extends TableStore implements ContactLog {
  /** Appends to the invoice's contact log (and, through the GSI, to the customer's). */
  async logContact(entry: ContactLogEntry): Promise<void> {
    await this.putItem({
      ...tableKeys.contact(entry),
      ...tableKeys.contactInCustomerIndex(entry),
      itemType: ITEM_TYPE.contact,
      ...entry,
    });
  }

  /**
   * The customer's contact log since `since` (ISO), across all of the customer's invoices, oldest first (the
   * customer's invoices, `INVOICE#…` in the same index, sort after `CONTACT$` and are left out).
   */
  async customerContacts(customerId: string, since: string): Promise<ContactLogEntry[]> {
    return queryCustomerIndex<ContactLogEntry>(this.table, customerId, 'gsi1sk BETWEEN :since AND :end', {
      ':since': `${KEY_PREFIX.contact}${since}`,
      ':end': CONTACT_LOG_END,
    });
  }
}
