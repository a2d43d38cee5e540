import type { ContactLogEntry } from '../contact/contact-log';
import type { LifecycleEventType } from './lifecycle';

/** Lifecycle events of an invoice, for the audit trail. */
export interface InvoiceEvent {
  readonly at: string;
  readonly invoiceId: string;
  readonly type:
    | 'registered'
    | 'execution-started'
    /** The walk went on in a new execution before an execution's one-year limit (functions/executions/walks.ts). */
    | 'walk-continued'
    /** The walk was started again in a new execution: its execution had failed, timed out, was lost or stuck. */
    | 'walk-restarted'
    | 'failed'
    | 'completed'
    | LifecycleEventType;
  readonly detail?: Record<string, unknown>;
  /**
   * Orders the events of one instant (the invoice version the change wrote), and keeps two events of one type at one
   * instant apart (two payments in the same millisecond).
   */
  readonly seq?: number;
}

/**
 * The audit trail of each invoice: its lifecycle events, read together with its contact log (contact/contact-log.ts)
 * as the invoice's history. DynamoDB: functions/stores/dynamodb/audit-log.ts.
 */
export interface AuditLog {
  /** Appends an event to the invoice's history (two events differing in `at`, `seq` or `type` are both kept). */
  logEvent(event: InvoiceEvent): Promise<void>;

  /**
   * The invoice's contact log and audit events, each oldest first (by `at`; the events of one instant that carry a
   * `seq` in its order; invoices/history.ts orders the rest of one instant). Empty lists for an unknown invoice.
   */
  invoiceHistory(invoiceId: string): Promise<{ contacts: ContactLogEntry[]; events: InvoiceEvent[] }>;
}
