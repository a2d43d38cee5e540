/**
 * The one result shape every workflow Lambda (plan, send) returns, so the state machine can route on it with a
 * fixed ResultSelector. Shared by the builder (which routes on it) and the handlers (which produce it).
 */
export const STEP_OUTCOMES = [
  /** plan: wait for `stageId` for `seconds` (until `until`) */
  'wait',
  /** send: the stage was performed (at least one message or escalation went out); go on to the next stage */
  'sent',
  /** send: nothing could be sent (no address, opted out, failed); go on to the next stage */
  'skipped',
  /** send: a later stage is already due, so this one was skipped; go on to the next stage */
  'superseded',
  /** send: contacting now is not allowed; wait for the same stage until `until` */
  'deferred',
  /** plan/send: the invoice is paid */
  'paid',
  /** plan/send: the invoice is no longer open (written off, renegotiated, …) */
  'closed',
  /**
   * plan/send: the invoice is paused or disputed: wait for it to resume; plan's `seconds` end the wait before the
   * execution's year does (then plan again)
   */
  'held',
  /** plan: a promise to pay is pending: wait for a payment or until its deadline `until` (`seconds`) */
  'promised',
  /** plan: no stage is left */
  'completed',
  /**
   * send: a change (pause, dispute, promise, a new due date…) ended the stage's wait before its instant: nothing was
   * sent; plan again from the invoice as it now is
   */
  'changed',
  /**
   * plan/send: this execution is near a Standard execution's one-year limit: the walk goes on in a new execution now
   * (`functions/executions/execution-life.ts`)
   */
  'continue',
  /**
   * plan/send: the next wait would outlive this execution: wait `seconds` (a payment or change still interrupts it),
   * then go on in a new execution
   */
  'wait-then-continue',
] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

export interface StepResult {
  readonly outcome: StepOutcome;
  /** Stage to wait for next ('' when none). */
  readonly stageId: string;
  /** Seconds to wait (>= 1; 1 when nothing to wait for). */
  readonly seconds: number;
  /** ISO instant the wait ends ('' when none). */
  readonly until: string;
  /** Why (deferral reason, closed status…), '' when nothing to say. */
  readonly reason: string;
}

/**
 * What ends a waiting task (SendTaskSuccess): the wait's one-time schedule sends `due` at its instant (act now); a
 * payment, pause, dispute, promise, write-off… sends `paid` (the walk ends) or `changed` (plan again from the invoice
 * as it now is).
 */
export interface InterruptOutput {
  readonly event: 'due' | 'paid' | 'changed';
  readonly status?: string;
}
