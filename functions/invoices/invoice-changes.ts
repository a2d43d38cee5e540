import { ConcurrentChange, InvoiceNotFound } from '../contracts/errors';
import type { InterruptOutput } from '../contracts/step-result';
import type { TaskTokens } from '../executions/task-tokens';
import { log } from '../platform/logger';
import type { AuditLog } from './audit-log';
import type { Invoice, InvoiceStatus } from './invoice';
import type { InvoiceStore } from './invoice-store';
import { decide, type InvoiceCommand, type LifecycleEvent } from './lifecycle';

export interface ChangeDeps {
  readonly invoices: InvoiceStore;
  readonly auditLog: AuditLog;
  readonly now: () => Date;
  /** Resumes the waiting workflow step; without it nobody is told (the workflow itself is the caller). */
  readonly tokens?: TaskTokens;
}

export interface ChangeResult {
  /** The invoice after the change (as it was, when nothing changed). */
  readonly invoice: Invoice;
  readonly previousStatus: InvoiceStatus;
  /** The audit events written (none when nothing changed). */
  readonly events: readonly LifecycleEvent[];
  /**
   * The command changed nothing: a payment whose reference was applied already, a deadline that no longer applies, the
   * same renegotiation agreement again.
   */
  readonly unchanged?: 'duplicate-payment' | 'not-applicable' | 'duplicate-agreement';
  /** A waiting workflow step was resumed (SendTaskSuccess) and re-reads the invoice now. */
  readonly resumedWorkflow: boolean;
}

/** How many times a change is decided again when the invoice changed between the read and the write. */
const ATTEMPTS = 8;

/**
 * Applies a lifecycle command to an invoice: reads it, decides (pure, `invoices/lifecycle.ts`), writes the change with
 * one conditional write on the invoice's version (read again and decide again on a concurrent change), records the
 * audit events, then tells the waiting workflow step (`paid` or `changed`) with the task token it had parked — taken
 * off the item by the same write, so two changes never resume one token twice. If the workflow is between steps its
 * next step re-reads the invoice; a wait that starts later refuses to park (its condition is on the status) and
 * resumes itself. The write commits before anybody is told.
 * @throws InvoiceNotFound, InvalidTransition (the status does not allow the command), ConcurrentChange.
 */
export async function changeInvoice(
  invoiceId: string,
  command: InvoiceCommand,
  deps: ChangeDeps,
): Promise<ChangeResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await deps.invoices.getInvoice(invoiceId);
    if (!current) throw new InvoiceNotFound(invoiceId);
    const at = deps.now().toISOString();
    const decision = decide(current, command, at);
    if (decision.kind === 'no-change') {
      log.info('invoice unchanged', { invoiceId, command: command.type, status: current.status, why: decision.why });
      return {
        invoice: current,
        previousStatus: current.status,
        events: [],
        unchanged: decision.why,
        resumedWorkflow: false,
      };
    }
    const tell = decision.interrupt !== undefined && deps.tokens !== undefined;
    const written = decision.change.instalments
      ? await deps.invoices.writeRenegotiation(current, decision.change, at, { clearToken: tell })
      : await deps.invoices.writeInvoiceChange(current, decision.change, at, { clearToken: tell });
    if (written === 'conflict') continue;
    for (const event of decision.events) {
      await deps.auditLog.logEvent({ at, invoiceId, type: event.type, detail: event.detail, seq: written.version });
    }
    let resumedWorkflow = false;
    if (tell && decision.interrupt && current.taskToken && deps.tokens) {
      const output: InterruptOutput =
        decision.interrupt === 'paid' ? { event: 'paid' } : { event: 'changed', status: written.status };
      resumedWorkflow = await deps.tokens.resume(current.taskToken, output);
    }
    // The command's type and the statuses only: reasons, operators' names and amounts stay in the audit events.
    log.info('invoice changed', {
      invoiceId,
      command: command.type,
      from: current.status,
      to: written.status,
      events: decision.events.map((e) => e.type).join(','),
      resumedWorkflow,
    });
    return { invoice: written, previousStatus: current.status, events: decision.events, resumedWorkflow };
  }
  throw new ConcurrentChange(invoiceId);
}
