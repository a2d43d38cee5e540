import { CONSOLIDATED_REASON } from '../../functions/contact/consolidation';
import type { ContactLogEntry } from '../../functions/contact/contact-log';
import type { InvoiceEvent } from '../../functions/invoices/audit-log';

/**
 * The event names of docs/formats.md's simulator output, in the order events of one instant are listed, plus `written-off`
 * (an operator closed the invoice), `renegotiated` (instalments replaced it; each is `registered` as an invoice of its
 * own) and `failed` (an unhandled error the operators were told of).
 */
export const TIMELINE_EVENTS = [
  'registered',
  // at one instant a resume comes before what the walk then does; a pause, a dispute or a payment after it
  'resumed',
  'skipped',
  'deferred',
  'sent',
  'escalated',
  'partially-paid',
  'paid',
  'paused',
  'disputed',
  'completed',
  'written-off',
  'renegotiated',
  'failed',
] as const;
export type TimelineEventName = (typeof TIMELINE_EVENTS)[number];

/**
 * One line of the dunning timeline (docs/formats.md, `dunning simulate --format json`): what happened to an invoice, when
 * (ISO instant, UTC), at which stage and through which channel, and why.
 */
export interface TimelineEvent {
  readonly at: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly stage?: string;
  readonly channel?: string;
  readonly event: TimelineEventName;
  readonly reason?: string;
  /** `deferred`: when the stage will be tried again. */
  readonly until?: string;
}

/** What the contact log's outcomes become on the timeline. */
const CONTACT_EVENTS: Record<ContactLogEntry['outcome'], TimelineEventName> = {
  sent: 'sent',
  escalated: 'escalated',
  deferred: 'deferred',
  skipped: 'skipped',
  superseded: 'skipped',
  failed: 'skipped',
};

/**
 * Audit events that appear on the timeline, with their reason (execution bookkeeping and credit on a paid invoice do
 * not appear). An operator's hold is `paused` / `disputed` and its end `resumed`, the reason saying how it ended.
 */
const AUDIT_EVENTS: Partial<
  Record<InvoiceEvent['type'], (e: InvoiceEvent) => { event: TimelineEventName; reason?: string } | undefined>
> = {
  registered: () => ({ event: 'registered' }),
  paid: (e) => ({ event: 'paid', ...(Number(e.detail?.excessMinor ?? 0) > 0 ? { reason: 'overpaid' } : {}) }),
  'partially-paid': () => ({ event: 'partially-paid' }),
  failed: (e) => ({ event: 'failed', ...(e.detail?.error ? { reason: String(e.detail.error) } : {}) }),
  completed: () => ({ event: 'completed' }),
  paused: () => ({ event: 'paused' }),
  promised: () => ({ event: 'paused', reason: 'promise-to-pay' }),
  disputed: () => ({ event: 'disputed' }),
  resumed: () => ({ event: 'resumed' }),
  resolved: () => ({ event: 'resumed', reason: 'resolved' }),
  'promise-broken': () => ({ event: 'resumed', reason: 'promise-broken' }),
  // a kept promise resumes dunning only when something is left to pay (otherwise `paid` ends the walk)
  'promise-kept': (e) => (e.detail?.resumed === true ? { event: 'resumed', reason: 'promise-kept' } : undefined),
  'written-off': () => ({ event: 'written-off' }),
  renegotiated: () => ({ event: 'renegotiated' }),
  escalated: () => ({ event: 'escalated', reason: 'manual' }),
};

/**
 * The reason of a `sent` line whose stage went out in another invoice's message (one consolidated message listing
 * several invoices of the customer): that message is the contact, this line is part of it.
 */
export { CONSOLIDATED_REASON };

/** A contact-log line the send step wrote for an invoice another invoice's message listed (`consolidated:<id>`). */
function isConsolidated(c: ContactLogEntry): boolean {
  return c.reason === CONSOLIDATED_REASON || (c.reason?.startsWith(`${CONSOLIDATED_REASON}:`) ?? false);
}

/**
 * An invoice's timeline from its contact log and audit events (as `GET /invoices/{id}` returns them), plus the end
 * of its walk when the execution ended in `Billing rule completed`.
 */
export function invoiceTimeline(
  invoice: { readonly invoiceId: string; readonly customerId: string },
  history: { readonly contacts: readonly ContactLogEntry[]; readonly events: readonly InvoiceEvent[] },
  completedAt?: string,
): TimelineEvent[] {
  const { invoiceId, customerId } = invoice;
  const timeline: TimelineEvent[] = [];
  for (const c of history.contacts) {
    const event = CONTACT_EVENTS[c.outcome];
    const stageLevel = c.channel === '*' || c.channel === 'escalate';
    timeline.push({
      at: c.at,
      invoiceId,
      customerId,
      stage: c.stageId,
      ...(stageLevel ? {} : { channel: c.channel }),
      event,
      ...(c.outcome === 'failed'
        ? { reason: 'provider-rejected' }
        : c.reason && event !== 'sent' && event !== 'escalated'
          ? { reason: c.reason }
          : event === 'sent' && isConsolidated(c)
            ? { reason: CONSOLIDATED_REASON }
            : {}),
      ...(c.outcome === 'deferred' && c.until ? { until: c.until } : {}),
    });
  }
  for (const e of history.events) {
    const mapped = AUDIT_EVENTS[e.type]?.(e);
    if (!mapped) continue;
    timeline.push({ at: e.at, invoiceId, customerId, ...mapped });
  }
  if (completedAt !== undefined && !timeline.some((t) => t.event === 'completed')) {
    timeline.push({ at: completedAt, invoiceId, customerId, event: 'completed' });
  }
  return timeline.sort(compareTimelineEvents);
}

/** Time order; at one instant, one invoice's events in the order they happen (registered first, completed last). */
export function compareTimelineEvents(a: TimelineEvent, b: TimelineEvent): number {
  return (
    a.at.localeCompare(b.at) ||
    a.invoiceId.localeCompare(b.invoiceId) ||
    TIMELINE_EVENTS.indexOf(a.event) - TIMELINE_EVENTS.indexOf(b.event) ||
    (a.stage ?? '').localeCompare(b.stage ?? '') ||
    (a.channel ?? '').localeCompare(b.channel ?? '')
  );
}

/** A stable key of a timeline line (to print each one once). */
export function timelineKey(e: TimelineEvent): string {
  return [e.at, e.invoiceId, e.event, e.stage ?? '', e.channel ?? '', e.reason ?? ''].join('|');
}
