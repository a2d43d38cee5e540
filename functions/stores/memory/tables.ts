import { randomBytes } from 'node:crypto';
import type { Channel, ContactLogEntry } from '../../contact/contact-log';
import type { SendingBreaker } from '../../contact/sending-breakers';
import type { WalkMark } from '../../executions/walk-attention';
import type { InvoiceEvent } from '../../invoices/audit-log';
import type { Customer, Invoice } from '../../invoices/invoice';

/** A send claim as the DynamoDB store keeps it (functions/stores/dynamodb/send-claims.ts). */
export interface MemorySendClaim {
  readonly state: 'PENDING' | 'SENT';
  readonly claimedAt?: string;
  readonly sentAt?: string;
  readonly messageId?: string;
  readonly consolidatedInto?: string;
  /** Epoch seconds the claim expires at (`sendRecordExpiry`); kept, not enforced. */
  readonly expiresAt?: number;
}

/** One line of an invoice's history: a contact log entry or an audit event. */
export type HistoryItem =
  | { readonly kind: 'contact'; readonly entry: ContactLogEntry }
  | { readonly kind: 'event'; readonly event: InvoiceEvent };

/**
 * The state every in-memory store of one set shares, as plain maps: what the single DynamoDB table holds
 * (docs/architecture.md "Data model"), keyed the same way so that reads come back in the same order.
 */
export interface MemoryTables {
  /** By invoice id: the invoice, with the customer it is listed under (the customer at registration). */
  readonly invoices: Map<string, { readonly customerId: string; invoice: Invoice }>;
  readonly customers: Map<string, Customer>;
  /** By `invoice#stage#channel`. */
  readonly sendClaims: Map<string, MemorySendClaim>;
  /** By invoice id, then by the item's sort key (contracts/table-layout.ts): its contact log and audit events. */
  readonly histories: Map<string, Map<string, HistoryItem>>;
  /** The sending breakers, by channel (the one `ACCOUNT#sending` item). */
  readonly breakers: Map<Channel, SendingBreaker>;
  /** The walks the reconciler must look at, by invoice id (the `WALKS#attention` partition). */
  readonly attention: Map<string, WalkMark>;
}

/** The invoice's history (contact log and audit events by sort key), made empty on first use. */
export function historyOf(tables: MemoryTables, invoiceId: string): Map<string, HistoryItem> {
  let history = tables.histories.get(invoiceId);
  if (!history) {
    history = new Map();
    tables.histories.set(invoiceId, history);
  }
  return history;
}

export function memoryTables(): MemoryTables {
  return {
    invoices: new Map(),
    customers: new Map(),
    sendClaims: new Map(),
    histories: new Map(),
    breakers: new Map(),
    attention: new Map(),
  };
}

/** A deep copy: what goes into a map and what comes out of it, so that no caller shares stored state. */
export const copy = <T>(value: T): T => structuredClone(value);

/** A fresh secret (unsubscribe token, statement secret): 144 random bits, base64url (24 characters). */
export const newSecret = (): string => randomBytes(18).toString('base64url');

/** Orders strings as DynamoDB orders sort keys of ASCII text. */
export const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `value` without the properties named (removed attributes). */
export function without<T extends object>(value: T, ...names: readonly string[]): T {
  const rest = { ...value } as Record<string, unknown>;
  for (const name of names) delete rest[name];
  return rest as T;
}
