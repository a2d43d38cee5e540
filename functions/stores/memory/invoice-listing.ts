import type { InvoiceListing, WalkUnderWay } from '../../invoices/invoice-store';
import { byKey, type MemoryTables } from './tables';

const UNDER_WAY = new Set(['OPEN', 'ESCALATED', 'PAUSED', 'DISPUTED']);

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
        if (invoice.executionArn === undefined || !UNDER_WAY.has(invoice.status)) continue;
        walks.push({ invoiceId: invoice.invoiceId, ruleId: invoice.ruleId, executionArn: invoice.executionArn });
      }
      return walks;
    },

    async *walksToReconcile(part) {
      const ids = [...tables.invoices.keys()].sort(byKey);
      for (const [index, invoiceId] of ids.entries()) {
        if (part && index % part.totalSegments !== part.segment) continue;
        const invoice = tables.invoices.get(invoiceId)?.invoice;
        if (!invoice || !UNDER_WAY.has(invoice.status)) continue;
        if (invoice.pendingResume || !invoice.executionArn || !invoice.taskToken) yield invoiceId;
      }
    },
  };
}
