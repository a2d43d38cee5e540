import { type Invoice, type InvoiceStatus, newInvoice } from '../../invoices/invoice';
import type { InvoiceStore } from '../../invoices/invoice-store';
import { byKey, copy, type MemoryTables, without } from './tables';

const CONTACTABLE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED'];
const ON_HOLD: readonly InvoiceStatus[] = ['PAUSED', 'DISPUTED'];

/**
 * The invoices in memory, with the semantics of the DynamoDB store (functions/stores/dynamodb/invoice-store.ts):
 * each change is applied whole or not at all, under the same conditions (optimistic lock on `version`, the status a
 * mark is for), and answers the same values.
 */
export function memoryInvoiceStore(tables: MemoryTables): InvoiceStore {
  return {
    async getInvoice(invoiceId) {
      const row = tables.invoices.get(invoiceId);
      return row ? copy(row.invoice) : undefined;
    },

    async createInvoice(registration, ruleId, at) {
      if (tables.invoices.has(registration.invoiceId)) return 'duplicate';
      const invoice = newInvoice(copy(registration), ruleId, at);
      tables.invoices.set(registration.invoiceId, { customerId: registration.customer.customerId, invoice });
      return 'created';
    },

    async setExecution(invoiceId, executionArn, at) {
      const row = tables.invoices.get(invoiceId);
      // The DynamoDB store's update is conditional on the item existing and throws when it does not.
      if (!row) throw new Error(`The conditional request failed: no invoice ${invoiceId}`);
      row.invoice = { ...row.invoice, executionArn, updatedAt: at };
    },

    async recordNextWalk(invoiceId, next, at) {
      const row = tables.invoices.get(invoiceId);
      if (!row || row.invoice.executionArn !== next.replacing) return false;
      row.invoice = { ...row.invoice, executionArn: next.executionArn, walk: next.walk, updatedAt: at };
      return true;
    },

    async storeTaskToken(invoiceId, stageId, taskToken, at, options = {}) {
      const hold = options.kind === 'hold';
      const until = options.until ?? '';
      const row = tables.invoices.get(invoiceId);
      if (!row) return { stored: false, status: 'MISSING' };
      const current = row.invoice;
      if ((hold ? ON_HOLD : CONTACTABLE).includes(current.status)) {
        const next = {
          ...without(current, 'waitUntil', 'pendingResume'),
          taskToken,
          updatedAt: at,
          version: current.version + 1,
          ...(hold ? {} : { currentStage: stageId }),
          ...(until ? { waitUntil: until } : {}),
        };
        row.invoice = next;
        return { stored: true };
      }
      if (!hold && ON_HOLD.includes(current.status)) {
        // The walk moved on to `stageId` while the invoice is on hold: dunning resumes there.
        row.invoice = { ...current, currentStage: stageId, updatedAt: at, version: current.version + 1 };
      }
      return { stored: false, status: current.status };
    },

    async writeInvoiceChange(current, change, at, options = {}) {
      const row = tables.invoices.get(current.invoiceId);
      if (!row || row.invoice.version !== current.version) return 'conflict';
      const removed = change.hold === null ? ['hold'] : [];
      const next: Invoice = {
        ...without(row.invoice, ...removed),
        status: change.status,
        updatedAt: at,
        version: current.version + 1,
        ...(change.balanceMinor !== undefined ? { balanceMinor: change.balanceMinor } : {}),
        ...(change.creditMinor !== undefined ? { creditMinor: change.creditMinor } : {}),
        ...(change.paymentRefs !== undefined ? { paymentRefs: copy(change.paymentRefs) } : {}),
        ...(change.paidAt !== undefined ? { paidAt: change.paidAt } : {}),
        ...(change.hold !== undefined && change.hold !== null ? { hold: copy(change.hold) } : {}),
        ...(options.resume && current.taskToken ? { pendingResume: copy(options.resume) } : {}),
      };
      row.invoice = next;
      return copy(next);
    },

    async writeRenegotiation(current, change, at, options = {}) {
      if (!change.instalments) throw new Error('writeRenegotiation needs the instalments of the agreement');
      const row = tables.invoices.get(current.invoiceId);
      if (!row || row.invoice.version !== current.version) return 'conflict';
      const next: Invoice = {
        ...without(row.invoice, 'hold'),
        status: change.status,
        instalments: copy(change.instalments),
        updatedAt: at,
        version: current.version + 1,
        ...(options.resume && current.taskToken ? { pendingResume: copy(options.resume) } : {}),
      };
      row.invoice = next;
      return copy(next);
    },

    async resumeDelivered(invoiceId, taskToken, at) {
      const row = tables.invoices.get(invoiceId);
      if (!row || row.invoice.taskToken !== taskToken) return false;
      const current = row.invoice;
      row.invoice = { ...without(current, 'taskToken', 'waitUntil', 'pendingResume'), updatedAt: at };
      return true;
    },

    async markEscalated(invoiceId, at) {
      const row = tables.invoices.get(invoiceId);
      if (row?.invoice.status !== 'OPEN') return;
      row.invoice = { ...row.invoice, status: 'ESCALATED', updatedAt: at, version: row.invoice.version + 1 };
    },

    async recordFailure(invoiceId, message, at) {
      const row = tables.invoices.get(invoiceId);
      if (row) row.invoice = { ...row.invoice, lastError: message, updatedAt: at };
    },

    async recordEarlyPaymentOffer(invoiceId, offer, at) {
      const row = tables.invoices.get(invoiceId);
      if (!row || !CONTACTABLE.includes(row.invoice.status) || row.invoice.balanceMinor !== offer.balanceMinor) {
        return 'stale';
      }
      row.invoice = { ...row.invoice, earlyPayment: copy(offer), updatedAt: at, version: row.invoice.version + 1 };
      return 'recorded';
    },

    /** Every invoice listed under the customer (the customer it was registered with), by invoice id. */
    async customerInvoices(customerId) {
      return [...tables.invoices.values()]
        .filter((row) => row.customerId === customerId)
        .map((row) => copy(row.invoice))
        .sort((a, b) => byKey(a.invoiceId, b.invoiceId));
    },
  };
}
