import { ConcurrentChange, InvoiceNotFound } from '../contracts/errors';
import type { InterruptOutput } from '../contracts/step-result';
import type { TaskTokens } from '../executions/task-tokens';
import type { WalkAttention } from '../executions/walk-attention';
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
  /** Where a resume Step Functions did not take is marked for the reconciler's next look. */
  readonly walkAttention?: WalkAttention;
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
  /**
   * The change is written, but telling the waiting workflow step failed (Step Functions throttled or answered 5xx
   * after the SDK's retries): the task token stays on the invoice with what it is to be told (`pendingResume`), and
   * the next change of the invoice or the reconciler tells it.
   */
  readonly resumePending?: true;
}

/** How many times a change is decided again when the invoice changed between the read and the write. */
const ATTEMPTS = 8;

/**
 * Applies a lifecycle command to an invoice: reads it, decides (pure, `invoices/lifecycle.ts`), writes the change with
 * one conditional write on the invoice's version (read again and decide again on a concurrent change), records the
 * audit events, then tells the waiting workflow step (`paid` or `changed`) with the task token it had parked. The
 * write keeps the token and records what it is to be told (`pendingResume`); the token comes off the invoice only
 * once Step Functions took the `SendTaskSuccess` (or said the token no longer waits), so a throttled or failed call
 * never leaves the walk parked with no way to reach it: the next change, or the reconciler, tells it (see
 * {@link deliverPendingResume}). Telling a token twice is harmless — the second `SendTaskSuccess` finds it no longer
 * waiting. If the workflow is between steps its next step re-reads the invoice; a wait that starts later refuses to
 * park (its condition is on the status) and resumes itself. The write commits before anybody is told.
 * @throws InvoiceNotFound, InvalidTransition (the status does not allow the command), ConcurrentChange.
 */
export async function changeInvoice(
  invoiceId: string,
  command: InvoiceCommand,
  deps: ChangeDeps,
): Promise<ChangeResult> {
  let tellPending = true;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await deps.invoices.getInvoice(invoiceId);
    if (!current) throw new InvoiceNotFound(invoiceId);
    // An earlier change could not tell the workflow: tell it first (then read again: the token came off the item).
    if (tellPending && current.pendingResume && current.taskToken && deps.tokens) {
      tellPending = false;
      if ((await deliverPendingResume(current, deps)) !== 'pending') continue;
    }
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
    const result = await applyChange(current, command, decision, at, deps);
    if (result !== 'conflict') return result;
  }
  throw new ConcurrentChange(invoiceId);
}

/** Writes a decided change, records its audit events and tells the waiting walk; 'conflict' when the lock was lost. */
async function applyChange(
  current: Invoice,
  command: InvoiceCommand,
  decision: Extract<ReturnType<typeof decide>, { kind: 'change' }>,
  at: string,
  deps: ChangeDeps,
): Promise<ChangeResult | 'conflict'> {
  const { invoiceId } = current;
  const resume = deps.tokens ? interruptOutput(decision.interrupt, decision.change.status) : undefined;
  const written = decision.change.instalments
    ? await deps.invoices.writeRenegotiation(current, decision.change, at, resume ? { resume } : {})
    : await deps.invoices.writeInvoiceChange(current, decision.change, at, resume ? { resume } : {});
  if (written === 'conflict') return 'conflict';
  for (const event of decision.events) {
    await deps.auditLog.logEvent({ at, invoiceId, type: event.type, detail: event.detail, seq: written.version });
  }
  const told =
    resume && current.taskToken ? await tellParkedToken(invoiceId, current.taskToken, resume, at, deps) : 'none';
  const resumedWorkflow = told === 'resumed';
  // The command's type and the statuses only: reasons, operators' names and amounts stay in the audit events.
  log.info('invoice changed', {
    invoiceId,
    command: command.type,
    from: current.status,
    to: written.status,
    events: decision.events.map((e) => e.type).join(','),
    resumedWorkflow,
  });
  return {
    // Once told, the token and its pending resume are off the stored invoice too (`resumeDelivered`).
    invoice: told === 'resumed' || told === 'stale' ? withoutParkedToken(written) : written,
    previousStatus: current.status,
    events: decision.events,
    resumedWorkflow,
    ...(told === 'pending' ? { resumePending: true as const } : {}),
  };
}

/**
 * Tells the invoice's parked task token what its `pendingResume` says (`SendTaskSuccess`) and then takes both off the
 * invoice. 'resumed' when the wait took it, 'stale' when the token no longer waited (its wait had ended: the next
 * step re-reads the invoice anyway), 'pending' when Step Functions could not be reached (throttled, 5xx, network):
 * both stay on the invoice for the next attempt — the next change, the reconciler — and this is logged.
 * 'none' when there is nothing to tell.
 */
export async function deliverPendingResume(
  invoice: Invoice,
  deps: Pick<ChangeDeps, 'invoices' | 'tokens' | 'now' | 'walkAttention'>,
): Promise<'resumed' | 'stale' | 'pending' | 'none'> {
  const { taskToken, pendingResume } = invoice;
  if (!taskToken || !pendingResume) return 'none';
  return tellParkedToken(invoice.invoiceId, taskToken, pendingResume, deps.now().toISOString(), deps);
}

/** What the waiting walk is told of a change that interrupts it (`paid`, or `changed` and the new status). */
function interruptOutput(
  interrupt: 'paid' | 'changed' | undefined,
  status: InvoiceStatus,
): InterruptOutput | undefined {
  if (interrupt === undefined) return undefined;
  return interrupt === 'paid' ? { event: 'paid' } : { event: 'changed', status };
}

function withoutParkedToken(invoice: Invoice): Invoice {
  const { taskToken: _token, waitUntil: _until, pendingResume: _resume, ...rest } = invoice;
  return rest;
}

async function tellParkedToken(
  invoiceId: string,
  taskToken: string,
  output: InterruptOutput,
  at: string,
  deps: Pick<ChangeDeps, 'invoices' | 'tokens' | 'walkAttention'>,
): Promise<'resumed' | 'stale' | 'pending' | 'none'> {
  if (!deps.tokens) return 'none';
  let resumed: boolean;
  try {
    resumed = await deps.tokens.resume(taskToken, output);
  } catch (error) {
    log.warn('workflow not told yet: the next change or the reconciler tells it', {
      invoiceId,
      event: output.event,
      error: (error as Error).name,
    });
    // The reconciler's daily look finds it by this mark (if even the mark cannot be written, the next change of the
    // invoice still tells it; a stage's wait also ends by itself at the stage's time and re-reads the invoice).
    await deps.walkAttention?.flagWalk({ invoiceId, reason: 'resume', at }).catch((markError: unknown) => {
      log.error('resume not marked for the reconciler', { invoiceId, error: (markError as Error).name });
    });
    return 'pending';
  }
  // The wait's one-time schedule is no longer needed (best effort: left behind, it fires on a stale token).
  await deps.tokens.forgetSchedule(invoiceId, taskToken);
  // Taking them off may fail in its turn: they stay, and the next delivery finds the token no longer waiting.
  await deps.invoices.resumeDelivered(invoiceId, taskToken, at).catch((error) => {
    log.warn('workflow told, parked token not taken off yet', { invoiceId, error: (error as Error).name });
  });
  return resumed ? 'resumed' : 'stale';
}
