import type { StepResult } from '../contracts/step-result';

/**
 * A Standard Step Functions execution runs at most one year; at that point AWS ends it TIMED_OUT, whatever state it
 * is in, and no Catch applies: the walk would stop silently. Walks can be longer than that — a due date years ahead,
 * a promise up to 395 days away, a dispute with no end — so every wait is kept inside the execution's year, and a
 * walk whose next wait would not fit goes on in a new execution (continue-as-new: `continue-walk`, the next walk
 * generation, recorded in the audit trail). docs/architecture.md "Workflow".
 */

/** AWS's limit on a Standard execution's duration: one year (365 days). */
export const EXECUTION_MAX_SECONDS = 365 * 86_400;

/**
 * How long before the limit a walk continues in a new execution: a week, room for the send step's retries (about
 * 91 minutes), a deferral to the next business day and a long holiday, and the continue step's own retries.
 */
export const CONTINUE_MARGIN_SECONDS = 7 * 86_400;

/** The longest an execution may plan to wait from its start: the limit less the margin (358 days). */
export const EXECUTION_LIFE_SECONDS = EXECUTION_MAX_SECONDS - CONTINUE_MARGIN_SECONDS;

/** Seconds this execution may still wait, from `now`, before it must continue in a new one (may be ≤ 0). */
export function secondsLeftToWait(startedAt: string, now: Date): number {
  const started = Date.parse(startedAt);
  if (Number.isNaN(started)) throw new Error(`startedAt is not an ISO instant: ${startedAt}`);
  return Math.floor((started + EXECUTION_LIFE_SECONDS * 1000 - now.getTime()) / 1000);
}

/** Results after which the workflow waits for a stage: the stage's own wait, a deferral, or the next stage's. */
const STAGE_WAITS: ReadonlySet<StepResult['outcome']> = new Set(['wait', 'deferred', 'sent', 'skipped', 'superseded']);

/**
 * Keeps a step's result inside the execution's year (`startedAt`, the execution's start from the context object
 * `$$.Execution.StartTime`):
 * - a hold (`held`) waits until the year's end at most, then plans again;
 * - a promise (`promised`) waits until its deadline or the year's end, whichever comes first, then plans again;
 * - a stage's wait — planned (`wait`), deferred, or the next stage's after this one was sent, skipped or superseded —
 *   that would end after the year's end becomes `wait-then-continue`: wait (interruptibly) until the year's end, then
 *   continue in a new execution, which plans the same stage afresh;
 * - with no time left, any of them becomes `continue`.
 * A wait cut short ends at the year's end: `until` says so too (the wait's schedule fires then). Other results (paid,
 * closed, the last stage done…) and a result without `startedAt` pass unchanged.
 */
export function withinExecutionLife(result: StepResult, startedAt: string | undefined, now: Date): StepResult {
  if (startedAt === undefined) return result;
  const { outcome } = result;
  const stageWait = STAGE_WAITS.has(outcome) && result.until !== '';
  if (outcome !== 'held' && outcome !== 'promised' && !stageWait) return result;
  const left = secondsLeftToWait(startedAt, now);
  if (left < 1) return { ...result, outcome: 'continue', seconds: 1, reason: 'execution-year' };
  if (outcome === 'held') return { ...result, seconds: left };
  if (result.seconds <= left) return result;
  const yearEnd = new Date(now.getTime() + left * 1000).toISOString();
  if (outcome === 'promised') return { ...result, seconds: left, until: yearEnd };
  return { ...result, outcome: 'wait-then-continue', seconds: left, until: yearEnd, reason: 'execution-year' };
}
