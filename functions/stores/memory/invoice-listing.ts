import { walkShouldRun } from '../../invoices/invoice';
import type { InvoiceListing, WalkUnderWay } from '../../invoices/invoice-store';
import { byKey, type MemoryTables } from './tables';

/** Reads over every invoice in memory, as functions/stores/dynamodb/invoice-listing.ts scans the table. */
export function memoryInvoiceListing(tables: MemoryTables): InvoiceListing {
  return {
    async allInvoiceIds() {
      return [...tables.invoices.keys()].sort(byKey);
    },

    async walksUnderWay() {
      const walks: WalkUnderWay[] = [];
      for (const { invoice } of tables.invoices.values()) {
        // Walks still running: contactable, or on hold (paused, disputed) waiting to resume.
        if (invoice.executionArn === undefined || !walkShouldRun(invoice.status)) continue;
        walks.push({ invoiceId: invoice.invoiceId, ruleId: invoice.ruleId, executionArn: invoice.executionArn });
      }
      return walks;
    },
  };
}
