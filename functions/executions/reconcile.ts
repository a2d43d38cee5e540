import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  ListExecutionsCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { InvoiceNotFound, WalkRunning } from '../contracts/errors';
import { type Invoice, walkShouldRun } from '../invoices/invoice';
import { deliverPendingResume } from '../invoices/invoice-changes';
import { mapWithConcurrency } from '../platform/concurrency';
import { log } from '../platform/logger';
import { executionNameOf, type StarterDeps, startExecution, startNamedExecution } from './start-executions';
import type { TaskTokens } from './task-tokens';
import type { WalkAttention } from './walk-attention';
import { startNextWalk } from './walks';

/**
 * The reconciler (docs/architecture.md "Workflow"): finds every invoice whose walk should be running and is not, and
 * starts it again. What it repairs:
 * - a walk that was never started (stored, but its start message never reached the starter) → started;
 * - an execution that FAILED or TIMED_OUT while the invoice is still open or on hold → restarted under a new name
 *   (the next walk), at most {@link AUTOMATIC_RESTARTS} times per invoice (a walk that keeps failing is a bug the
 *   operators were told about by each failure);
 * - a next walk recorded whose StartExecution failed (the execution does not exist) → started;
 * - a change whose resume never reached the waiting walk (`pendingResume`) → told;
 * - a walk stuck between steps: RUNNING, no task token parked for {@link STUCK_AFTER_SECONDS} → stopped and
 *   restarted.
 * An ABORTED execution was stopped by a person: only an operator's restart starts it again. Every restart is an
 * audit event (`walk-restarted`, with why).
 */

/** A registration's start message may still be on its way through the start queue (and its retries) this long. */
export const START_GRACE_SECONDS = 30 * 60;
/**
 * Longer than any step takes without a token parked: a send retried for about 91 minutes, Lambda's 15 minutes.
 */
export const STUCK_AFTER_SECONDS = 24 * 3600;
/** Automatic restarts per invoice; an operator's restart is not counted against them. */
export const AUTOMATIC_RESTARTS = 3;

export interface ReconcileDeps extends StarterDeps {
  readonly tokens: TaskTokens;
}

export type ReconcileAction =
  | { readonly action: 'none'; readonly why: string }
  | { readonly action: 'told' }
  | { readonly action: 'started'; readonly executionArn: string }
  | { readonly action: 'restarted'; readonly executionArn: string; readonly walk: number; readonly why: string };

/**
 * Looks at one invoice's walk and repairs it (see above). `force` (an operator's restart) also restarts an ABORTED
 * execution, a walk past its automatic restarts, and a registration still in its start grace.
 * @throws InvoiceNotFound; WalkRunning when forced on a walk that is running and not stuck.
 */
export async function reconcileWalk(
  invoiceId: string,
  deps: ReconcileDeps,
  options: { force?: boolean; detail?: Readonly<Record<string, unknown>> } = {},
): Promise<ReconcileAction> {
  const invoice = await deps.invoices.getInvoice(invoiceId);
  if (!invoice) throw new InvoiceNotFound(invoiceId);
  // A change the walk was never told of (a payment, too: the walk must end in `Invoice paid`, not sit waiting).
  if (invoice.pendingResume && invoice.taskToken) {
    const told = await deliverPendingResume(invoice, deps);
    if (told === 'resumed') return { action: 'told' };
    if (told === 'pending') return { action: 'none', why: 'Step Functions did not take the resume yet' };
  }
  if (!walkShouldRun(invoice.status)) return { action: 'none', why: `invoice ${invoice.status.toLowerCase()}` };
  const now = deps.now();
  if (!invoice.executionArn) {
    const age = (now.getTime() - Date.parse(invoice.createdAt)) / 1000;
    if (age < START_GRACE_SECONDS && !options.force) return { action: 'none', why: 'registration still starting' };
    const { executionArn } = await startExecution(invoiceId, deps);
    return { action: 'started', executionArn };
  }
  const status = await executionStatus(invoice.executionArn, deps);
  switch (status) {
    case 'MISSING': {
      // A next walk recorded whose StartExecution failed: start it now (idempotent by name).
      await startNamedExecution(invoiceId, invoice.ruleId, executionNameOf(invoice.executionArn), deps);
      return { action: 'started', executionArn: invoice.executionArn };
    }
    case 'RUNNING': {
      if (!isStuck(invoice, now)) {
        if (options.force) throw new WalkRunning(invoiceId);
        return { action: 'none', why: 'running' };
      }
      // StopExecution of an execution that ended meanwhile is a no-op; its next walk starts under a new name.
      await deps.sfn.send(
        new StopExecutionCommand({
          executionArn: invoice.executionArn,
          error: 'DunningWalkStuck',
          cause: 'No step for a day and no task token parked: the reconciler restarted the walk in a new execution.',
        }),
      );
      return restart(invoice, 'stuck', deps, options);
    }
    case 'FAILED':
    case 'TIMED_OUT': {
      if (!options.force && (await automaticRestarts(invoiceId, deps)) >= AUTOMATIC_RESTARTS) {
        return { action: 'none', why: `restarted ${AUTOMATIC_RESTARTS} times already: an operator must restart it` };
      }
      return restart(invoice, status.toLowerCase().replace('_', '-'), deps, options);
    }
    case 'ABORTED':
      return options.force
        ? restart(invoice, 'aborted', deps, options)
        : { action: 'none', why: 'aborted by a person: only an operator restarts it' };
    default:
      // SUCCEEDED: the walk ended by itself (every stage walked); PENDING_REDRIVE: Step Functions is redriving it.
      return { action: 'none', why: String(status).toLowerCase() };
  }
}

async function restart(
  invoice: Invoice,
  why: string,
  deps: ReconcileDeps,
  options: { force?: boolean; detail?: Readonly<Record<string, unknown>> },
): Promise<ReconcileAction> {
  const automatic = !options.force;
  const next = await startNextWalk(invoice, 'restarted', deps, { ...options.detail, why, automatic });
  if (next === 'moved-on') return { action: 'none', why: 'restarted by someone else meanwhile' };
  return { action: 'restarted', executionArn: next.executionArn, walk: next.walk, why };
}

function isStuck(invoice: Invoice, now: Date): boolean {
  if (invoice.taskToken) return false;
  return (now.getTime() - Date.parse(invoice.updatedAt)) / 1000 >= STUCK_AFTER_SECONDS;
}

async function automaticRestarts(invoiceId: string, deps: ReconcileDeps): Promise<number> {
  const { events } = await deps.auditLog.invoiceHistory(invoiceId);
  return events.filter((e) => e.type === 'walk-restarted' && e.detail?.automatic === true).length;
}

/** DescribeExecution's status, or MISSING (`ExecutionDoesNotExist`). */
async function executionStatus(executionArn: string, deps: ReconcileDeps): Promise<ExecutionStatus | 'MISSING'> {
  try {
    const out = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status ?? 'RUNNING';
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return 'MISSING';
    throw error;
  }
}

export interface ReconcileRun {
  readonly looked: number;
  readonly repaired: Readonly<Record<string, number>>;
  readonly errors: number;
  /** The run stopped before it had looked at everything (time budget): the next run goes on. */
  readonly incomplete: boolean;
}

/** Answers after which a walk's mark stays for the next run: it could not be repaired yet. */
const NOT_YET = new Set(['Step Functions did not take the resume yet', 'registration still starting']);

/**
 * One scheduled run. `executions` (hourly): every execution that FAILED or TIMED_OUT since `since` (ListExecutions,
 * newest first, 100 a page; DescribeExecution for its input's invoice id). `full` (daily) also looks at every walk
 * marked for attention (`WalkAttention`: a resume not delivered, a start message not queued — one Query, not a Scan),
 * and takes the mark off once repaired. Each invoice is reconciled on its own: an error is logged and counted, and the
 * run goes on. Stops early when `timeLeft` (Lambda's remaining time) falls under a minute: Lambda ends an invocation
 * at 15 minutes, and whatever is left is found again next run.
 */
export async function reconcileWalks(
  mode: 'executions' | 'full',
  deps: ReconcileDeps & { readonly walkAttention: WalkAttention },
  options: { since: Date; timeLeft: () => number },
): Promise<ReconcileRun> {
  const repaired: Record<string, number> = {};
  let looked = 0;
  let errors = 0;
  let incomplete = false;
  const seen = new Set<string>();
  /** Looks at the walk; true when it needs no further look (repaired, or nothing to do). */
  const look = async (invoiceId: string): Promise<boolean> => {
    if (seen.has(invoiceId)) return true;
    seen.add(invoiceId);
    looked++;
    try {
      const result = await reconcileWalk(invoiceId, deps);
      if (result.action !== 'none') {
        repaired[result.action] = (repaired[result.action] ?? 0) + 1;
        log.info('walk reconciled', { invoiceId, ...result });
      }
      return result.action !== 'none' || !NOT_YET.has(result.why);
    } catch (error) {
      errors++;
      log.warn('walk not reconciled', { invoiceId, error: (error as Error).name });
      // an invoice that does not exist (any more) needs no look
      return (error as { code?: string }).code === 'InvoiceNotFound';
    }
  };
  const outOfTime = () => {
    if (options.timeLeft() < 60_000) incomplete = true;
    return incomplete;
  };

  for await (const invoiceId of invoicesOfEndedWalks(deps, options.since)) {
    if (outOfTime()) break;
    await look(invoiceId);
  }
  if (mode === 'full' && !incomplete) {
    for await (const mark of deps.walkAttention.flaggedWalks()) {
      if (outOfTime()) break;
      if (await look(mark.invoiceId)) await deps.walkAttention.clearWalk(mark.invoiceId);
    }
  }
  const run = { looked, repaired, errors, incomplete };
  log.info('reconciler run', { mode, looked, errors, incomplete, ...repaired });
  return run;
}

/**
 * The invoices of the executions that FAILED or TIMED_OUT since `since` (ListExecutions, newest first, 100 a page;
 * DescribeExecution for each one's input), page by page.
 */
async function* invoicesOfEndedWalks(deps: ReconcileDeps, since: Date): AsyncGenerator<string> {
  for (const statusFilter of ['FAILED', 'TIMED_OUT'] as const) {
    let nextToken: string | undefined;
    do {
      const page = await deps.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: deps.stateMachineArn, statusFilter, maxResults: 100, nextToken }),
      );
      const executions = page.executions ?? [];
      const recent = executions.filter((e) => !e.stopDate || e.stopDate >= since);
      const invoiceIds = await mapWithConcurrency(recent, 4, async (e) => invoiceIdOf(e.executionArn, deps));
      for (const invoiceId of invoiceIds) if (invoiceId) yield invoiceId;
      // Newest first: once a page reaches back past `since`, the rest is older.
      nextToken = recent.length < executions.length ? undefined : page.nextToken;
    } while (nextToken);
  }
}

/** The invoice id an execution walks (its input), or undefined when it has none. */
async function invoiceIdOf(executionArn: string | undefined, deps: ReconcileDeps): Promise<string | undefined> {
  if (!executionArn) return undefined;
  const out = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  try {
    const input = JSON.parse(out.input ?? '{}') as { invoiceId?: unknown };
    return typeof input.invoiceId === 'string' ? input.invoiceId : undefined;
  } catch {
    return undefined;
  }
}
