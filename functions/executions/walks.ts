import { InvoiceNotFound } from '../contracts/errors';
import { executionNameFor } from '../invoices/execution-name';
import { type Invoice, walkShouldRun } from '../invoices/invoice';
import { log } from '../platform/logger';
import { executionArnFor, executionNameOf, type StarterDeps, startNamedExecution } from './start-executions';

/**
 * An invoice's walk in a new execution (docs/architecture.md "Workflow"): the next walk generation (`walk` 2, 3, …),
 * named `<id>-w<walk>-<hash>`, started in place of the execution the invoice records — because that one reached
 * the end of its year (`continued`, continue-as-new) or because it failed, timed out, was lost or is stuck
 * (`restarted`, the reconciler or an operator). The new execution re-enters the walk where the invoice is: `Plan next
 * stage` reads its current stage, hold and promise, and sends are idempotent (send claims).
 */

export type NextWalkReason = 'continued' | 'restarted';

export interface NextWalk {
  readonly executionArn: string;
  readonly walk: number;
}

/**
 * Starts the invoice's next walk. The new execution is recorded on the invoice first, with one write conditional on
 * the invoice still recording the execution it replaces — so two callers (a retried continue step, two reconciler
 * runs, an operator) never start two walks: the loser gets 'moved-on'. Then StartExecution, idempotent by name. If
 * StartExecution fails after the record (throttled, 5xx), the error is thrown for the caller's retry, and an invoice
 * recording an execution that does not exist is what the reconciler restarts (`reconcileWalk`).
 */
export async function startNextWalk(
  invoice: Invoice,
  reason: NextWalkReason,
  deps: StarterDeps,
  detail: Readonly<Record<string, unknown>> = {},
): Promise<NextWalk | 'moved-on'> {
  const walk = (invoice.walk ?? 1) + 1;
  const name = executionNameFor(invoice.invoiceId, walk);
  const executionArn = executionArnFor(deps.stateMachineArn, name);
  const at = deps.now().toISOString();
  const recorded = await deps.invoices.recordNextWalk(
    invoice.invoiceId,
    { executionArn, walk, replacing: invoice.executionArn },
    at,
  );
  if (!recorded) {
    log.info('walk not started again: the invoice records another execution now', {
      invoiceId: invoice.invoiceId,
      reason,
    });
    return 'moved-on';
  }
  await deps.auditLog.logEvent({
    at,
    invoiceId: invoice.invoiceId,
    type: reason === 'continued' ? 'walk-continued' : 'walk-restarted',
    detail: { ...detail, executionArn, walk, ...(invoice.executionArn ? { replaces: invoice.executionArn } : {}) },
    // each walk once: two restarts at one instant stay two events
    seq: walk,
  });
  await startNamedExecution(invoice.invoiceId, invoice.ruleId, name, deps);
  log.info(reason === 'continued' ? 'walk continued in a new execution' : 'walk restarted', {
    invoiceId: invoice.invoiceId,
    walk,
    execution: name,
  });
  return { executionArn, walk };
}

/**
 * Workflow step `Continue in a new execution`: this execution (`executionArn`, from `$$.Execution.Id`) is near its
 * one-year limit, so the walk goes on in the next one, and this one then ends (`Continued in a new execution`). A
 * retry of the step after the new walk was recorded finds the invoice recording it and starts nothing more; an
 * invoice no longer under way (paid, written off meanwhile) needs no new walk.
 */
export async function continueWalk(
  input: { invoiceId: string; executionArn: string },
  deps: StarterDeps,
): Promise<'continued' | 'already-continued' | 'walk-over'> {
  const invoice = await deps.invoices.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  if (!walkShouldRun(invoice.status)) return 'walk-over';
  if (invoice.executionArn !== undefined && invoice.executionArn !== input.executionArn) {
    // Recorded by an earlier attempt of this step: make sure its execution was started (idempotent by name).
    await startNamedExecution(invoice.invoiceId, invoice.ruleId, executionNameOf(invoice.executionArn), deps);
    return 'already-continued';
  }
  const next = await startNextWalk(invoice, 'continued', deps);
  return next === 'moved-on' ? 'already-continued' : 'continued';
}
