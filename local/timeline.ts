import type { ContactLogEntry, InvoiceEvent } from '../functions/adapters/dunning-table';

/** The event names of DESIGN §8's simulator output (plus `failed`, an unhandled error the operators were told of). */
export const TIMELINE_EVENTS = [
  'registered',
  'skipped',
  'deferred',
  'sent',
  'escalated',
  'partially-paid',
  'paid',
  'paused',
  'resumed',
  'disputed',
  'completed',
  'failed',
] as const;
export type TimelineEventName = (typeof TIMELINE_EVENTS)[number];

/**
 * One line of the dunning timeline (DESIGN §8, `dunning simulate --format json`): what happened to an invoice, when
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

/** Audit events that appear on the timeline (execution bookkeeping does not). */
const AUDIT_EVENTS: Partial<Record<InvoiceEvent['type'], TimelineEventName>> = {
  registered: 'registered',
  paid: 'paid',
  'partially-paid': 'partially-paid',
  failed: 'failed',
  completed: 'completed',
};

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
          : {}),
      ...(c.outcome === 'deferred' && c.until ? { until: c.until } : {}),
    });
  }
  for (const e of history.events) {
    const event = AUDIT_EVENTS[e.type];
    if (!event) continue;
    const reason = e.type === 'failed' ? String(e.detail?.error ?? '') : '';
    timeline.push({ at: e.at, invoiceId, customerId, event, ...(reason ? { reason } : {}) });
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
