import { describe, expect, it } from 'vitest';
import { ExecutionAlreadyExists, ExecutionDoesNotExist, InvalidName } from '../../../local/stepfunctions/api-errors';
import { DAY_S, SEND_STATE, setUp, stateTrail, T0, WAIT_STATE } from '../../support/local-runtime';

// The local workflow runtime: Retry backoffs on the virtual clock, execution names as on AWS, and the history.

describe('Retry with backoff waits on the virtual clock', () => {
  it('retries a handler throwing TransientSendError twice, 30 s then 60 s later, and succeeds', async () => {
    // Prepare
    const { runtime, sends } = setUp({ waitSeconds: () => DAY_S, sendFailures: () => 2 });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-RETRY', input: { invoiceId: 'INV-RETRY' } });
    await runtime.runUntilSettled();

    // Assess
    expect(sends().map((c) => c.at)).toEqual([
      '2026-11-02T12:00:00.000Z',
      '2026-11-02T12:00:30.000Z',
      '2026-11-02T12:01:30.000Z',
    ]);
    expect(runtime.describeExecution(executionArn).status).toBe('SUCCEEDED');
    const retried = runtime.history(executionArn).filter((e) => e.type === 'StateRetried');
    expect(retried.map((e) => [e.stateName, e.retryAttempt])).toEqual([
      [SEND_STATE, 1],
      [SEND_STATE, 2],
    ]);
  });

  it('gives up after MaxAttempts and surfaces the error name and cause to Catch', async () => {
    // Prepare
    const { runtime, sends } = setUp({ waitSeconds: () => DAY_S, sendFailures: () => 99 });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-GIVEUP', input: { invoiceId: 'INV-GIVEUP' } });
    await runtime.runUntilSettled();

    // Assess: 1 attempt + 3 retries (30 s, 60 s, 120 s apart), then caught
    expect(sends()).toHaveLength(4);
    expect(sends()[3]?.at).toBe('2026-11-02T12:03:30.000Z');
    const described = runtime.describeExecution(executionArn);
    expect(described.status).toBe('FAILED');
    const caught = runtime.history(executionArn).filter((e) => e.type === 'StateCaught');
    expect(caught.map((e) => e.stateName)).toEqual([WAIT_STATE, SEND_STATE]);
    const sendFailures = runtime
      .history(executionArn)
      .filter((e) => e.type === 'StateFailed' && e.stateName === SEND_STATE);
    expect(sendFailures).toHaveLength(4);
    const lastFailed = sendFailures.at(-1);
    expect(lastFailed?.error).toBe('TransientSendError');
    expect(JSON.parse(lastFailed?.cause ?? '{}')).toEqual({
      errorType: 'TransientSendError',
      errorMessage: 'provider throttled INV-GIVEUP',
    });
  });
});

describe('executions are named and idempotent as on AWS (Standard workflows)', () => {
  it('returns the running execution for the same name and input, refuses another input or an ended one', async () => {
    // Prepare
    const { runtime } = setUp({ onWait: () => {} });
    const first = runtime.startExecution({ name: 'INV-DUP', input: { invoiceId: 'INV-DUP' } });

    // Act
    const again = runtime.startExecution({ name: 'INV-DUP', input: { invoiceId: 'INV-DUP' } });

    // Assess
    expect(again).toEqual(first);
    expect(() => runtime.startExecution({ name: 'INV-DUP', input: { invoiceId: 'OTHER' } })).toThrow(
      ExecutionAlreadyExists,
    );
    await runtime.runUntilSettled();
    expect(() => runtime.startExecution({ name: 'INV-DUP', input: { invoiceId: 'INV-DUP' } })).toThrow(
      ExecutionAlreadyExists,
    );
    expect(runtime.listExecutions()).toHaveLength(1);
  });

  it('refuses names Step Functions refuses, and unknown executions', () => {
    // Prepare
    const { runtime } = setUp();

    // Act / Assess
    for (const name of ['', 'has space', 'a/b', 'x'.repeat(81), 'tab\there']) {
      expect(() => runtime.startExecution({ name, input: {} })).toThrow(InvalidName);
    }
    expect(() => runtime.describeExecution(runtime.executionArnOf('nope'))).toThrow(ExecutionDoesNotExist);
  });
});

describe('the history of an execution', () => {
  it('lists the states entered and exited in order, with their virtual instants, and counts transitions', async () => {
    // Prepare
    const { runtime } = setUp({ waitSeconds: () => 2 * DAY_S });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-HIST', input: { invoiceId: 'INV-HIST' } });
    await runtime.runUntilSettled();

    // Assess
    const history = runtime.history(executionArn);
    expect(stateTrail(history)).toEqual([
      'ExecutionStarted',
      'StateEntered Plan next stage',
      'StateExited Plan next stage',
      `StateEntered ${WAIT_STATE}`,
      `StateFailed ${WAIT_STATE}`,
      `StateCaught ${WAIT_STATE}`,
      `StateExited ${WAIT_STATE}`,
      `StateEntered ${SEND_STATE}`,
      `StateExited ${SEND_STATE}`,
      'StateEntered D-3 · sent?',
      'StateExited D-3 · sent?',
      'StateEntered Dunning completed',
      'StateExited Dunning completed',
      'ExecutionSucceeded',
    ]);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    const enteredSend = history.find((e) => e.type === 'StateEntered' && e.stateName === SEND_STATE);
    expect(enteredSend?.at).toEqual(new Date('2026-11-03T12:00:00.000Z'));
    expect(history[0]?.at).toEqual(T0);
    expect(runtime.stateTransitions(executionArn)).toBe(6);
    expect(runtime.stateTransitions(executionArn)).toBe(history.filter((e) => e.type === 'StateEntered').length + 1);
  });
});
