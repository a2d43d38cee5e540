import { localLambdaArn } from '../../local/stepfunctions/asl';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { type HistoryEvent, LocalWorkflowRuntime } from '../../local/stepfunctions/workflow-runtime';

/**
 * What the local workflow runtime's tests (tests/workflow/local-runtime/) share: a hand-written definition shaped
 * like the synthesized dunning workflow — plan → token wait with TimeoutSecondsPath (timeout = time to act; a
 * payment resumes it) → send with Retry on a custom error → Choice → Succeed — and a runtime on a fresh virtual
 * clock with fake Lambdas that record each call and its virtual instant.
 */

export const PLAN = localLambdaArn('PlanStage');
export const WAIT = localLambdaArn('WaitForEvent');
export const SEND = localLambdaArn('SendStage');
export const WAIT_STATE = 'D-3 · wait or payment';
export const SEND_STATE = 'D-3 · send email';
export const T0 = new Date('2026-11-01T12:00:00.000Z');
export const DAY_S = 86_400;

export const definition = {
  StartAt: 'Plan next stage',
  States: {
    'Plan next stage': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: PLAN, Payload: { 'invoiceId.$': '$.invoiceId' } },
      ResultSelector: { 'seconds.$': '$.Payload.seconds' },
      ResultPath: '$.step',
      Next: WAIT_STATE,
    },
    [WAIT_STATE]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.step.seconds',
      Parameters: {
        FunctionName: WAIT,
        Payload: { 'invoiceId.$': '$.invoiceId', stageId: 'D-3', 'taskToken.$': '$$.Task.Token' },
      },
      ResultPath: '$.interrupt',
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.waited', Next: SEND_STATE },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Record failure' },
      ],
      Next: 'Payment or other event?',
    },
    'Payment or other event?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.interrupt.event', StringEquals: 'paid', Next: 'Invoice paid' }],
      Default: 'Dunning stopped',
    },
    [SEND_STATE]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: SEND, Payload: { 'invoiceId.$': '$.invoiceId', stageId: 'D-3' } },
      ResultSelector: { 'outcome.$': '$.Payload.outcome' },
      ResultPath: '$.step',
      Retry: [{ ErrorEquals: ['TransientSendError'], IntervalSeconds: 30, BackoffRate: 2, MaxAttempts: 3 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Record failure' }],
      Next: 'D-3 · sent?',
    },
    'D-3 · sent?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.step.outcome', StringEquals: 'sent', Next: 'Dunning completed' }],
      Default: 'Record failure',
    },
    'Dunning completed': { Type: 'Succeed' },
    'Invoice paid': { Type: 'Succeed' },
    'Dunning stopped': { Type: 'Succeed' },
    'Record failure': { Type: 'Fail', Error: 'DunningFailed', Cause: 'a step failed' },
  },
};

export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

export interface Call {
  readonly fn: string;
  readonly payload: Record<string, unknown>;
  readonly at: string;
}

export interface World {
  /** Seconds until the stage is due, per invoice. */
  waitSeconds?: (invoiceId: string) => number;
  /** How many times the send fails with TransientSendError before it succeeds, per invoice. */
  sendFailures?: (invoiceId: string) => number;
  /** Runs inside the wait handler (after the token is known). */
  onWait?: (token: string, invoiceId: string) => void;
  /** Real milliseconds each handler spends on (simulated) I/O. */
  ioMs?: number;
}

/** A runtime on a fresh virtual clock at T0, with fake Lambdas that record each call and its virtual instant. */
export function setUp(world: World = {}, def: object = definition) {
  const clock = new VirtualClock(T0);
  const calls: Call[] = [];
  const failuresLeft = new Map<string, number>();
  const tokens = new Map<string, string>();
  const runtime = new LocalWorkflowRuntime({
    definition: def,
    clock,
    invokeLambda: async (fn, raw) => {
      const payload = raw as Record<string, unknown>;
      const invoiceId = String(payload.invoiceId);
      if (world.ioMs) await new Promise((resolve) => setTimeout(resolve, world.ioMs));
      calls.push({ fn, payload, at: clock.now().toISOString() });
      if (fn === PLAN) return { seconds: world.waitSeconds?.(invoiceId) ?? 3 * DAY_S };
      if (fn === WAIT) {
        tokens.set(invoiceId, String(payload.taskToken));
        world.onWait?.(String(payload.taskToken), invoiceId);
        return null;
      }
      if (fn === SEND) {
        const left = failuresLeft.get(invoiceId) ?? world.sendFailures?.(invoiceId) ?? 0;
        failuresLeft.set(invoiceId, left - 1);
        if (left > 0) throw new TransientSendError(`provider throttled ${invoiceId}`);
        return { outcome: 'sent' };
      }
      throw new Error(`no handler for ${fn}`);
    },
  });
  const sends = () => calls.filter((c) => c.fn === SEND);
  return { clock, runtime, calls, sends, tokens };
}

export const stateTrail = (history: readonly HistoryEvent[]) =>
  history.map((e) => (e.stateName ? `${e.type} ${e.stateName}` : e.type));
