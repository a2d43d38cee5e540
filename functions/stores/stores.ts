import type { ContactLog } from '../contact/contact-log';
import type { ContactSlots } from '../contact/contact-slots';
import type { SendClaims } from '../contact/send-claims';
import type { SendingBreakers } from '../contact/sending-breakers';
import type { WalkAttention } from '../executions/walk-attention';
import type { AuditLog } from '../invoices/audit-log';
import type { CustomerStore } from '../invoices/customer-store';
import type { InvoiceStore } from '../invoices/invoice-store';

/**
 * Every store the services use, each behind the interface its module declares. Services take the ones they need in
 * their `deps` under these names (a handler passes `{ ...stores(), … }`); the method names differ across the
 * interfaces, so one object may implement several (an in-memory set of stores, a test double).
 */
export interface Stores {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly contactSlots: ContactSlots;
  readonly sendClaims: SendClaims;
  readonly sendingBreakers: SendingBreakers;
  readonly contactLog: ContactLog;
  readonly auditLog: AuditLog;
  readonly walkAttention: WalkAttention;
}
