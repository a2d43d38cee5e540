import type { InvoiceListing } from '../../invoices/invoice-store';
import type { Stores } from '../stores';
import { MemoryAuditLog } from './audit-log';
import { MemoryContactLog } from './contact-log';
import { MemoryCustomerStore } from './customer-store';
import { MemoryInvoiceListing } from './invoice-listing';
import { MemoryInvoiceStore } from './invoice-store';
import { MemorySendClaims } from './send-claims';
import { memoryTables } from './tables';

export type { MemorySendClaim } from './tables';
export {
  MemoryAuditLog,
  MemoryContactLog,
  MemoryCustomerStore,
  MemoryInvoiceListing,
  MemoryInvoiceStore,
  MemorySendClaims,
};

/** A set of stores in memory, with the listing over its invoices (for the local system, tools and tests). */
export interface MemoryStores extends Stores {
  readonly invoices: MemoryInvoiceStore;
  readonly customers: MemoryCustomerStore;
  readonly contactSlots: MemoryCustomerStore;
  readonly sendClaims: MemorySendClaims;
  readonly listing: InvoiceListing;
}

/**
 * Every store over plain maps of this process, one fresh set per call, with the semantics of the DynamoDB stores
 * (functions/stores/dynamodb/): the same conditional writes, answers and read orders. Values are copied in and out.
 */
export function memoryStores(): MemoryStores {
  const tables = memoryTables();
  const customers = new MemoryCustomerStore(tables);
  return {
    invoices: new MemoryInvoiceStore(tables),
    customers,
    contactSlots: customers,
    sendClaims: new MemorySendClaims(tables),
    contactLog: new MemoryContactLog(tables),
    auditLog: new MemoryAuditLog(tables),
    listing: new MemoryInvoiceListing(tables),
  };
}
