import type { ContactLogEntry } from '../contact/contact-log';
import { InvoiceNotFound } from '../contracts/errors';
import { formatDecimalAmount } from '../values/money';
import type { AuditLog, InvoiceEvent } from './audit-log';
import type { Invoice } from './invoice';
import type { InvoiceStore } from './invoice-store';

/** One entry of an invoice's audit trail: a contact attempt (or deferral, skip) or a lifecycle event. */
export type HistoryEntry =
  | {
      readonly at: string;
      readonly type: 'contact';
      readonly stage: string;
      /** `email`, `sms`, `escalate`, or `*` for what concerns the whole stage (deferred, superseded). */
      readonly channel: string;
      readonly outcome: ContactLogEntry['outcome'];
      readonly template?: string;
      /** The provider's message id (SES, SNS). */
      readonly messageId?: string;
      readonly reason?: string;
      /** Deferrals: when the stage is tried again. */
      readonly until?: string;
    }
  | ({ readonly at: string; readonly type: InvoiceEvent['type'] } & Readonly<Record<string, unknown>>);

export interface InvoiceHistory {
  readonly invoiceId: string;
  readonly status: Invoice['status'];
  readonly currency: string;
  readonly history: HistoryEntry[];
}

/** Events that cause what the walk does at the same instant (a resume before the stage it lets out). */
const CAUSES = new Set<InvoiceEvent['type']>([
  'registered',
  'execution-started',
  'resumed',
  'resolved',
  'promise-kept',
  'promise-broken',
]);

/** Events written without a sequence number, in the order they happen at one instant. */
const UNSEQUENCED_ORDER: readonly InvoiceEvent['type'][] = ['registered', 'execution-started'];

/**
 * The invoice's audit trail in time order (`GET /invoices/{id}/history`): its registration, every contact attempt
 * with channel, template, provider message id and outcome, every deferral and skip with its reason, and every
 * lifecycle event — pause, resume, dispute, promise, payment, credit, write-off, escalation, failure — with who and
 * why. Amounts are decimal strings in the invoice's currency.
 */
export async function invoiceHistory(
  invoiceId: string,
  deps: { readonly invoices: InvoiceStore; readonly auditLog: AuditLog },
): Promise<InvoiceHistory> {
  const invoice = await deps.invoices.getInvoice(invoiceId);
  if (!invoice) throw new InvoiceNotFound(invoiceId);
  const { contacts, events } = await deps.auditLog.invoiceHistory(invoiceId);
  const currency = invoice.amount.currency;
  const instants = [...new Set([...contacts.map((c) => c.at), ...events.map((e) => e.at)])].sort();
  const history: HistoryEntry[] = [];
  for (const at of instants) {
    // One instant: its events in the order they were written; its contacts (in log order) right after the last
    // event that caused them (registration, a resume…), before whatever happened next (a payment, a pause).
    const atEvents = events.filter((e) => e.at === at).sort(byWriteOrder);
    const lastCause = atEvents.map((e) => CAUSES.has(e.type)).lastIndexOf(true);
    history.push(
      ...atEvents.slice(0, lastCause + 1).map((e) => eventEntry(e, currency)),
      ...contacts.filter((c) => c.at === at).map(contactEntry),
      ...atEvents.slice(lastCause + 1).map((e) => eventEntry(e, currency)),
    );
  }
  return { invoiceId, status: invoice.status, currency, history };
}

/** Events of one instant in the order they were written: registration first, then by the version they wrote. */
function byWriteOrder(a: InvoiceEvent, b: InvoiceEvent): number {
  const rank = (e: InvoiceEvent) => {
    const unsequenced = UNSEQUENCED_ORDER.indexOf(e.type);
    return unsequenced >= 0 ? unsequenced - UNSEQUENCED_ORDER.length : (e.seq ?? 0);
  };
  return rank(a) - rank(b);
}

function contactEntry(c: ContactLogEntry): HistoryEntry {
  return {
    at: c.at,
    type: 'contact',
    stage: c.stageId,
    channel: c.channel,
    outcome: c.outcome,
    ...(c.template ? { template: c.template } : {}),
    ...(c.messageId ? { messageId: c.messageId } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.until ? { until: c.until } : {}),
  };
}

/** An audit event with its detail inline; `…Minor` amounts become decimal strings (`amountMinor` → `amount`). */
function eventEntry(e: InvoiceEvent, currency: string): HistoryEntry {
  const detail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e.detail ?? {})) {
    if (key.endsWith('Minor') && typeof value === 'number') {
      detail[key.slice(0, -'Minor'.length)] = formatDecimalAmount(value, currency);
    } else if (value !== null && value !== undefined) {
      detail[key] = value;
    }
  }
  return { ...detail, at: e.at, type: e.type };
}
