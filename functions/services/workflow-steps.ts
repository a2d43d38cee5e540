import type { InterruptOutput, StepResult } from '../../state-machines/step-result';
import type { DunningTable } from '../adapters/dunning-table';
import type { TaskTokens } from '../adapters/providers';
import type { BillingRule } from '../domain/billing-rule';
import type { Invoice } from '../domain/invoice';
import { debtorTimezone, planStage, secondsUntil, stageDueInstant } from '../domain/schedule';
import { InvoiceNotFound, UnknownStage } from './errors';

export interface WorkflowDeps {
  readonly table: DunningTable;
  readonly now: () => Date;
}

/** StepResult for an invoice that can no longer be contacted. */
export function closedResult(invoice: Invoice): StepResult {
  return {
    outcome: invoice.status === 'PAID' ? 'paid' : 'closed',
    stageId: '',
    seconds: 1,
    until: '',
    reason: invoice.status.toLowerCase(),
  };
}

export function stageIndexOf(rule: BillingRule, stageId: string): number {
  const index = rule.stages.findIndex((s) => s.id === stageId);
  if (index < 0) throw new UnknownStage(stageId, rule.id);
  return index;
}

/**
 * Plans the wait for the stage to act on next, from `fromIndex`: the latest already-due stage (earlier due ones are
 * recorded as superseded), else the next future one. 'completed' when no stage is left.
 */
export async function planFrom(
  rule: BillingRule,
  invoice: Invoice,
  timezone: string,
  fromIndex: number,
  deps: WorkflowDeps,
): Promise<StepResult> {
  const now = deps.now();
  const plan = planStage(rule, invoice.dueDate, timezone, now, fromIndex);
  if (!plan) return { outcome: 'completed', stageId: '', seconds: 1, until: '', reason: '' };
  for (const skipped of plan.superseded) {
    await deps.table.logContact({
      at: now.toISOString(),
      invoiceId: invoice.invoiceId,
      customerId: invoice.customer.customerId,
      stageId: skipped.stageId,
      channel: '*',
      outcome: 'superseded',
      reason: 'superseded',
    });
  }
  return {
    outcome: 'wait',
    stageId: plan.stageId,
    seconds: secondsUntil(now, plan.dueAt),
    until: plan.dueAt.toISOString(),
    reason: plan.superseded.length > 0 ? 'superseded' : '',
  };
}

/** Plan step: where does this invoice's walk start (or resume)? */
export async function planNextStage(
  input: { invoiceId: string; rule: BillingRule },
  deps: WorkflowDeps,
): Promise<StepResult> {
  const invoice = await deps.table.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  if (invoice.status !== 'OPEN' && invoice.status !== 'ESCALATED') return closedResult(invoice);
  const customer = await deps.table.getCustomer(invoice.customer.customerId);
  const timezone = debtorTimezone(input.rule, customer ?? invoice.customer);
  const fromIndex = invoice.currentStage ? stageIndexOf(input.rule, invoice.currentStage) : 0;
  return planFrom(input.rule, invoice, timezone, fromIndex, deps);
}

/** Due instant of a stage for an invoice, in the debtor's zone. */
export function dueInstantOf(
  rule: BillingRule,
  stageIndex: number,
  invoice: Invoice,
  timezone: string,
): Date | undefined {
  const stage = rule.stages[stageIndex];
  return stage ? stageDueInstant(invoice.dueDate, stage, timezone) : undefined;
}

export interface WaitDeps extends WorkflowDeps {
  readonly tokens: TaskTokens;
}

/**
 * Wait step (`.waitForTaskToken`): stores the token on the invoice so a payment can resume the wait at once. If the
 * invoice stopped being contactable before the wait began, resumes the token itself so nothing waits in vain.
 */
export async function waitForEvent(
  input: { invoiceId: string; stageId: string; taskToken: string },
  deps: WaitDeps,
): Promise<void> {
  const result = await deps.table.storeTaskToken(
    input.invoiceId,
    input.stageId,
    input.taskToken,
    deps.now().toISOString(),
  );
  if (result.stored) return;
  const output: InterruptOutput =
    result.status === 'PAID' ? { event: 'paid' } : { event: 'changed', status: result.status };
  await deps.tokens.resume(input.taskToken, output);
}
