import type { ContactSlots } from '../../contact/contact-slots';
import type { CustomerStore } from '../../invoices/customer-store';
import type { InvoiceListing } from '../../invoices/invoice-store';
import type { Stores } from '../stores';
import { memoryAuditLog } from './audit-log';
import { memoryContactLog } from './contact-log';
import { memoryCustomerStore } from './customer-store';
import { memoryInvoiceListing } from './invoice-listing';
import { memoryInvoiceStore } from './invoice-store';
import { type MemorySendClaims, memorySendClaims } from './send-claims';
import { memorySendingBreakers } from './sending-breakers';
import { memoryTables } from './tables';
import { memoryWalkAttention } from './walk-attention';

export type { MemorySendClaims } from './send-claims';
export type { MemorySendClaim } from './tables';
export {
  memoryAuditLog,
  memoryContactLog,
  memoryCustomerStore,
  memoryInvoiceListing,
  memoryInvoiceStore,
  memorySendClaims,
  memorySendingBreakers,
  memoryWalkAttention,
};

/** A set of stores in memory, with the listing over its invoices (for the local system, tools and tests). */
export interface MemoryStores extends Stores {
  readonly customers: CustomerStore & ContactSlots;
  readonly contactSlots: CustomerStore & ContactSlots;
  readonly sendClaims: MemorySendClaims;
  readonly listing: InvoiceListing;
}

/**
 * Every store over plain maps of this process, one fresh set per call, with the semantics of the DynamoDB stores
 * (functions/stores/dynamodb/): the same conditional writes, answers and read orders. Values are copied in and out.
 */
export function memoryStores(): MemoryStores {
  const tables = memoryTables();
  const customers = memoryCustomerStore(tables);
  return {
    invoices: memoryInvoiceStore(tables),
    customers,
    contactSlots: customers,
    sendClaims: memorySendClaims(tables),
    sendingBreakers: memorySendingBreakers(tables),
    contactLog: memoryContactLog(tables),
    auditLog: memoryAuditLog(tables),
    walkAttention: memoryWalkAttention(tables),
    listing: memoryInvoiceListing(tables),
  };
}
