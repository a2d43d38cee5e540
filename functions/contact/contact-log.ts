/** A channel of a stage action. */
export type Channel = 'email' | 'sms' | 'escalate';

/** One line of the contact log: what happened to one channel of one stage of one invoice. */
export interface ContactLogEntry {
  readonly at: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly stageId: string;
  /** '*' for stage-level entries (deferred, superseded). */
  readonly channel: Channel | '*';
  readonly outcome: 'sent' | 'skipped' | 'failed' | 'deferred' | 'superseded' | 'escalated';
  readonly template?: string;
  readonly messageId?: string;
  readonly reason?: string;
  /** For deferrals: when the stage will be tried again. */
  readonly until?: string;
  /** A sent message that also listed other invoices of the customer (one consolidated message): their ids. */
  readonly consolidates?: readonly string[];
}

/**
 * The contact log: every contact attempt, skip, deferral and escalation, per invoice and per customer. An invoice's
 * log is read with its audit events (invoices/audit-log.ts). DynamoDB: functions/stores/dynamodb/contact-log.ts.
 */
export interface ContactLog {
  /** Appends to the invoice's contact log (and to its customer's). */
  logContact(entry: ContactLogEntry): Promise<void>;

  /** The customer's contact log since `since` (ISO, inclusive), across all of the customer's invoices, oldest first. */
  customerContacts(customerId: string, since: string): Promise<ContactLogEntry[]>;
}
