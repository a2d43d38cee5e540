import type { ContactLogEntry } from '../../contact/contact-log';
import { tableKeys } from '../../contracts/table-layout';
import type { AuditLog, InvoiceEvent } from '../../invoices/audit-log';
import { byKey, copy, historyOf, type MemoryTables } from './tables';

/**
 * The audit events in memory, in each invoice's history next to its contact log (./contact-log.ts), under the sort
 * key the DynamoDB store uses (functions/stores/dynamodb/audit-log.ts): the history reads back in the same order.
 */
export function memoryAuditLog(tables: MemoryTables): AuditLog {
  return {
    async logEvent(event) {
      historyOf(tables, event.invoiceId).set(tableKeys.event(event).sk, { kind: 'event', event: copy(event) });
    },

    async invoiceHistory(invoiceId) {
      const contacts: ContactLogEntry[] = [];
      const events: InvoiceEvent[] = [];
      const history = tables.histories.get(invoiceId) ?? new Map();
      for (const key of [...history.keys()].sort(byKey)) {
        const item = history.get(key);
        if (item?.kind === 'contact') contacts.push(copy(item.entry));
        else if (item?.kind === 'event') events.push(copy(item.event));
      }
      return { contacts, events };
    },
  };
}
