import type { ContactLog, ContactLogEntry } from '../../contact/contact-log';
import { CONTACT_LOG_END, KEY_PREFIX, tableKeys } from '../../contracts/table-layout';
import { byKey, copy, historyOf, type MemoryTables } from './tables';

/**
 * The contact log in memory, kept in each invoice's history (read with its events by ./audit-log.ts) under the sort
 * key the DynamoDB store uses (functions/stores/dynamodb/contact-log.ts): an entry with the same instant, stage,
 * channel and outcome replaces the earlier one, as a put of the same item does.
 */
export function memoryContactLog(tables: MemoryTables): ContactLog {
  return {
    async logContact(entry) {
      historyOf(tables, entry.invoiceId).set(tableKeys.contact(entry).sk, { kind: 'contact', entry: copy(entry) });
    },

    /** The customer's entries since `since`, ordered as the customer index orders them (instant, invoice, stage…). */
    async customerContacts(customerId, since) {
      const from = `${KEY_PREFIX.contact}${since}`;
      const found: { key: string; entry: ContactLogEntry }[] = [];
      for (const history of tables.histories.values()) {
        for (const item of history.values()) {
          if (item.kind !== 'contact' || item.entry.customerId !== customerId) continue;
          const key = tableKeys.contactInCustomerIndex(item.entry).gsi1sk;
          if (key >= from && key <= CONTACT_LOG_END) found.push({ key, entry: item.entry });
        }
      }
      return found.sort((a, b) => byKey(a.key, b.key)).map((f) => copy(f.entry));
    },
  };
}
