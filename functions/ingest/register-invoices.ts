import type { StartQueue } from '../executions/start-queue';
import type { WalkAttention } from '../executions/walk-attention';
import type { AuditLog } from '../invoices/audit-log';
import type { CustomerStore } from '../invoices/customer-store';
import type { InvoiceRegistration } from '../invoices/invoice';
import type { InvoiceStore } from '../invoices/invoice-store';
import { mapWithConcurrency } from '../platform/concurrency';
import { log } from '../platform/logger';

export interface RegisterDeps {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly auditLog: AuditLog;
  readonly queue: StartQueue;
  /** The billing rule each invoice walks: one for all, or chosen per invoice (a rule file's segments). */
  readonly ruleId: string | ((registration: InvoiceRegistration) => string);
  readonly now: () => Date;
  /** Where a registration stored but not queued is marked for the reconciler's next look. */
  readonly walkAttention?: WalkAttention;
}

export interface RegistrationSummary {
  /** Newly registered and queued for their workflow. */
  readonly registered: string[];
  /** Already known: nothing new was started. */
  readonly duplicates: string[];
  /** Could not be stored or queued (infrastructure error): safe to submit again. */
  readonly failed: { invoiceId: string; error: string }[];
}

/**
 * Registers valid invoices: stores the customer and the invoice (idempotent by invoice id) and queues the start of
 * its workflow. A duplicate whose workflow never started (e.g. the queue was down the first time) is queued again;
 * the starter is idempotent by execution name, so a duplicate never starts a second walk.
 */
export async function registerInvoices(
  registrations: readonly InvoiceRegistration[],
  deps: RegisterDeps,
): Promise<RegistrationSummary> {
  const registered: string[] = [];
  const duplicates: string[] = [];
  const failed: { invoiceId: string; error: string }[] = [];
  const toQueue: string[] = [];

  await mapWithConcurrency(registrations, 16, async (registration) => {
    const at = registration.registeredAt ?? deps.now().toISOString();
    try {
      await deps.customers.upsertCustomer(registration.customer, at);
      const ruleId = typeof deps.ruleId === 'string' ? deps.ruleId : deps.ruleId(registration);
      const result = await deps.invoices.createInvoice(registration, ruleId, at);
      if (result === 'created') {
        await deps.auditLog.logEvent({ at, invoiceId: registration.invoiceId, type: 'registered' });
        registered.push(registration.invoiceId);
        toQueue.push(registration.invoiceId);
        log.info('invoice registered', { invoiceId: registration.invoiceId, ruleId });
      } else {
        duplicates.push(registration.invoiceId);
        const existing = await deps.invoices.getInvoice(registration.invoiceId);
        const requeued = existing !== undefined && !existing.executionArn;
        if (requeued) toQueue.push(registration.invoiceId);
        log.info('invoice already registered', { invoiceId: registration.invoiceId, requeued });
      }
    } catch (error) {
      failed.push({ invoiceId: registration.invoiceId, error: (error as Error).message });
      log.warn('invoice not registered', { invoiceId: registration.invoiceId, error: (error as Error).name });
    }
  });

  // Concurrency finishes in any order: answer in the order the invoices came in.
  const position = new Map(registrations.map((r, i) => [r.invoiceId, i]));
  const byInput = (a: string, b: string) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
  registered.sort(byInput);
  duplicates.sort(byInput);
  toQueue.sort(byInput);
  failed.sort((a, b) => byInput(a.invoiceId, b.invoiceId));

  if (toQueue.length > 0) {
    const notQueued = new Set(await deps.queue.enqueue(toQueue));
    const at = deps.now().toISOString();
    for (const invoiceId of notQueued) {
      failed.push({ invoiceId, error: 'stored, but its workflow could not be queued yet: submit it again to retry' });
      log.warn('invoice stored, workflow not queued', { invoiceId });
      // Whether or not it is submitted again, the reconciler's daily look starts it by this mark.
      await deps.walkAttention?.flagWalk({ invoiceId, reason: 'start', at }).catch((error: unknown) => {
        log.error('unqueued registration not marked for the reconciler', { invoiceId, error: (error as Error).name });
      });
    }
    const keep = (id: string) => !notQueued.has(id);
    return { registered: registered.filter(keep), duplicates: duplicates.filter(keep), failed };
  }
  return { registered, duplicates, failed };
}
