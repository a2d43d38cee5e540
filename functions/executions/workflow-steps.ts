import type { ContactLog } from '../contact/contact-log';
import { InvoiceNotFound, UnknownStage } from '../contracts/errors';
import type { InterruptOutput, StepResult } from '../contracts/step-result';
import type { AuditLog } from '../invoices/audit-log';
import type { CustomerStore } from '../invoices/customer-store';
import type { Invoice } from '../invoices/invoice';
import { changeInvoice } from '../invoices/invoice-changes';
import type { InvoiceStore, WaitKind } from '../invoices/invoice-store';
import { promiseDeadline } from '../invoices/lifecycle/promise';
import { log } from '../platform/logger';
import type { BillingRule } from '../rules/billing-rule';
import { debtorTimezone, planStage, secondsUntil, stageDueInstant } from '../rules/schedule';
import { EXECUTION_LIFE_SECONDS } from './execution-life';
import type { TaskTokens } from './task-tokens';
import type { WaitSchedules } from './wait-schedules';

export interface WorkflowDeps {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly contactLog: ContactLog;
  readonly auditLog: AuditLog;
  readonly now: () => Date;
}

/**
 * StepResult for an invoice that cannot be contacted now: `held` while it is paused or disputed (the walk waits for
 * it to resume), `paid`, or `closed` for good (written off, renegotiated).
 */
export function closedResult(invoice: Invoice): StepResult {
  const held = invoice.status === 'PAUSED' || invoice.status === 'DISPUTED';
  return {
    outcome: held ? 'held' : invoice.status === 'PAID' ? 'paid' : 'closed',
    stageId: held ? (invoice.currentStage ?? '') : '',
    // A hold has no end of its own: it waits until the execution's year is nearly over, then plans again.
    seconds: held ? EXECUTION_LIFE_SECONDS : 1,
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
    await deps.contactLog.logContact({
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

/**
 * Plan step: where does this invoice's walk start (or resume)? From the current stage (the one the walk waited for
 * last), so that after a pause, a dispute or a promise dunning goes on with the stage that was due — and when later
 * stages fell due meanwhile, with the latest of them, the earlier ones superseded. A pending promise to pay waits
 * until its deadline (the promised date plus the rule's `promiseGraceDays`, in the debtor's zone); once that has
 * passed the promise is broken (`promise-broken`) and dunning resumes.
 */
export async function planNextStage(
  input: { invoiceId: string; rule: BillingRule },
  deps: WorkflowDeps,
): Promise<StepResult> {
  let invoice = await deps.invoices.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  const customer = await deps.customers.getCustomer(invoice.customer.customerId);
  const timezone = debtorTimezone(input.rule, customer ?? invoice.customer);
  const promise = invoice.status === 'PAUSED' && invoice.hold?.kind === 'promise' ? invoice.hold.promise : undefined;
  if (promise) {
    const now = deps.now();
    const deadline = promiseDeadline(promise.date, input.rule.promiseGraceDays ?? 0, timezone);
    if (deadline.getTime() > now.getTime()) {
      return {
        outcome: 'promised',
        stageId: invoice.currentStage ?? '',
        seconds: secondsUntil(now, deadline),
        until: deadline.toISOString(),
        reason: 'promise-to-pay',
      };
    }
    invoice = (await changeInvoice(input.invoiceId, { type: 'promise-deadline' }, deps)).invoice;
  }
  if (invoice.status !== 'OPEN' && invoice.status !== 'ESCALATED') return closedResult(invoice);
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
  /** The waits' one-time schedules (`./wait-schedules.ts`). */
  readonly schedules: WaitSchedules;
}

/**
 * Wait step (`.waitForTaskToken`): stores the token on the invoice so a payment, pause, dispute… can resume the wait
 * at once, then sets the wait's end: a one-time schedule that resumes the token with `due` at `until` (a healthy wait
 * ends without an error; `./wait-schedules.ts`) — one that has come already, a second from now. A wait with no
 * `until` (a hold with no end of its own) is ended by its task timeout, at the execution's year. If Scheduler refuses
 * (throttled, 5xx, after the SDK's retries), the task timeout a few minutes after `until` ends the wait instead: a
 * stage goes out minutes late, never not at all.
 *
 * A stage's wait (`kind` 'stage') parks only while the invoice is contactable, a hold (`kind` 'hold': paused,
 * disputed, promised) only while it is on hold. If the invoice changed before the wait began, resumes the token
 * itself, so nothing waits in vain: the workflow plans again from the invoice as it now is.
 */
export async function waitForEvent(
  input: {
    invoiceId: string;
    stageId: string;
    taskToken: string;
    until?: string | undefined;
    kind?: WaitKind | undefined;
  },
  deps: WaitDeps,
): Promise<void> {
  const { invoiceId, taskToken } = input;
  const result = await deps.invoices.storeTaskToken(invoiceId, input.stageId, taskToken, deps.now().toISOString(), {
    kind: input.kind ?? 'stage',
    until: input.until ?? '',
  });
  if (!result.stored) {
    const output: InterruptOutput =
      result.status === 'PAID' ? { event: 'paid' } : { event: 'changed', status: result.status };
    await deps.tokens.resume(taskToken, output);
    return;
  }
  if (!input.until) return;
  const until = new Date(input.until);
  if (Number.isNaN(until.getTime())) throw new Error(`until is not an ISO instant: ${input.until}`);
  try {
    await deps.schedules.resumeAt({ invoiceId, taskToken, until, now: deps.now() });
  } catch (error) {
    log.warn('wait not scheduled: its task timeout ends it a few minutes late', {
      invoiceId,
      stageId: input.stageId,
      error: (error as Error).name,
    });
  }
}

/**
 * What the send step does when a change, not the wait's instant, ended the stage's wait (the wait's output,
 * `$.interrupt`): `paid` ends the walk, `changed` plans again; nothing is sent. Undefined when the stage is due — the
 * schedule's `due`, or the safety-net timeout's caught error (`{ Error: 'States.Timeout' }`).
 */
export function interruptResult(interrupt: { event?: string | undefined } | undefined): StepResult | undefined {
  if (interrupt?.event === 'paid') return { outcome: 'paid', stageId: '', seconds: 1, until: '', reason: 'paid' };
  if (interrupt?.event === 'changed') return { outcome: 'changed', stageId: '', seconds: 1, until: '', reason: '' };
  return undefined;
}
