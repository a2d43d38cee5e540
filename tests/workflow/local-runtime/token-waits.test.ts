import { describe, expect, it } from 'vitest';
import { InvalidToken, TaskDoesNotExist, TaskTimedOut } from '../../../local/stepfunctions/api-errors';
import { DAY_S, setUp, T0, WAIT_STATE } from '../../support/local-runtime';

// The local workflow runtime: task-token waits time out on the virtual clock (also paced), and SendTaskSuccess /
// SendTaskFailure resume them at once.

describe('a task-token wait times out on the virtual clock', () => {
  it('acts at the virtual instant the TimeoutSecondsPath names, even 40 days later', async () => {
    // Prepare
    const { runtime, sends, clock } = setUp({ waitSeconds: () => 40 * DAY_S });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-40D', input: { invoiceId: 'INV-40D' } });
    await runtime.runUntilSettled();

    // Assess
    expect(sends().map((c) => c.at)).toEqual(['2026-12-11T12:00:00.000Z']);
    const described = runtime.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.stopDate).toEqual(new Date('2026-12-11T12:00:00.000Z'));
    expect(described.output).toMatchObject({ waited: { Error: 'States.Timeout' }, step: { outcome: 'sent' } });
    expect(clock.now()).toEqual(new Date('2026-12-11T12:00:00.000Z'));
  });

  it('keeps the clock still while a handler is doing real I/O (idle is exact, not a guess)', async () => {
    // Prepare: every handler spends 15 real ms awaiting I/O; the stage is due 1 second after the plan
    const { runtime, calls } = setUp({ waitSeconds: () => 1, ioMs: 15 });

    // Act
    runtime.startExecution({ name: 'INV-IO', input: { invoiceId: 'INV-IO' } });
    await runtime.runUntilSettled();

    // Assess: plan and wait ran at T0 (the clock did not jump while they were busy); the send 1 s later
    expect(calls.map((c) => [c.fn.split(':').pop(), c.at])).toEqual([
      ['PlanStage', '2026-11-01T12:00:00.000Z'],
      ['WaitForEvent', '2026-11-01T12:00:00.000Z'],
      ['SendStage', '2026-11-01T12:00:01.000Z'],
    ]);
  });
});

describe('in paced mode (npm start) the waits elapse on their own', () => {
  it('acts at the instant the timeout names, the clock running at the speed factor while idle', async () => {
    // Prepare: one virtual day per 20 real ms
    const { runtime, sends, clock } = setUp({ waitSeconds: () => DAY_S });
    const due = new Date(T0.getTime() + DAY_S * 1000);
    const controller = new AbortController();
    const pacing = clock.runPaced({
      speed: () => (DAY_S * 1000) / 20,
      whenIdle: () => runtime.whenIdle(),
      signal: controller.signal,
    });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-LIVE', input: { invoiceId: 'INV-LIVE' } });
    await clock.sleepUntil(new Date(due.getTime() + 1));
    await runtime.whenIdle();
    controller.abort();
    await pacing;

    // Assess: exactly at the due instant (the clock stood still while the plan step ran)
    expect(runtime.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(sends().map((s) => s.at)).toEqual([due.toISOString()]);
  });
});

describe('sendTaskSuccess / sendTaskFailure resume a waiting task at once', () => {
  it('resumes with the output at the ResultPath, at the instant it is sent, and the timeout never fires', async () => {
    // Prepare
    const { runtime, tokens, sends, clock } = setUp({ waitSeconds: () => 10 * DAY_S });
    const { executionArn } = runtime.startExecution({ name: 'INV-PAID', input: { invoiceId: 'INV-PAID' } });
    await runtime.whenIdle();
    await runtime.advanceTo(new Date('2026-11-06T08:30:00.000Z'));
    const token = tokens.get('INV-PAID') as string;

    // Act
    runtime.sendTaskSuccess(token, { event: 'paid' });
    await runtime.whenIdle();

    // Assess
    const described = runtime.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toEqual({
      invoiceId: 'INV-PAID',
      step: { seconds: 10 * DAY_S },
      interrupt: { event: 'paid' },
    });
    expect(described.stopDate).toEqual(new Date('2026-11-06T08:30:00.000Z'));
    expect(clock.pendingTimers).toBe(0);
    await runtime.runUntilSettled();
    expect(sends()).toEqual([]);
  });

  it('accepts the token sent from inside the wait handler itself (invoice already paid)', async () => {
    // Prepare
    const { runtime } = setUp({ onWait: (token) => runtime.sendTaskSuccess(token, { event: 'paid' }) });

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-EARLY', input: { invoiceId: 'INV-EARLY' } });
    await runtime.whenIdle();

    // Assess
    expect(runtime.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', stopDate: T0 });
  });

  it('fails the task with the error name given to sendTaskFailure, which Catch routes', async () => {
    // Prepare
    const { runtime, tokens } = setUp();
    const { executionArn } = runtime.startExecution({ name: 'INV-DISPUTE', input: { invoiceId: 'INV-DISPUTE' } });
    await runtime.whenIdle();

    // Act
    runtime.sendTaskFailure(tokens.get('INV-DISPUTE') as string, 'InvoiceDisputed', 'customer disputes the amount');
    await runtime.whenIdle();

    // Assess
    expect(runtime.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', error: 'DunningFailed' });
    const caught = runtime.history(executionArn).find((e) => e.type === 'StateFailed' && e.stateName === WAIT_STATE);
    expect(caught).toMatchObject({ error: 'InvoiceDisputed', cause: 'customer disputes the amount' });
  });

  it('refuses a used, an unknown and a malformed token with the errors Step Functions uses', async () => {
    // Prepare
    const { runtime, tokens } = setUp();
    runtime.startExecution({ name: 'INV-TOKENS', input: { invoiceId: 'INV-TOKENS' } });
    await runtime.whenIdle();
    const token = tokens.get('INV-TOKENS') as string;
    runtime.sendTaskSuccess(token, { event: 'paid' });
    const unknown = `AQ${Buffer.from('arn:aws:states:local:0:execution:x:y|state|id').toString('base64url')}`;

    // Act / Assess
    expect(() => runtime.sendTaskSuccess(token, {})).toThrow(TaskTimedOut);
    expect(() => runtime.sendTaskFailure(unknown, 'X')).toThrow(TaskDoesNotExist);
    expect(() => runtime.sendTaskSuccess('not a token', {})).toThrow(InvalidToken);
    expect(() => runtime.sendTaskSuccess('', {})).toThrow(InvalidToken);
  });

  it('answers TaskTimedOut for the token of a wait that timed out', async () => {
    // Prepare
    const { runtime, tokens } = setUp({ waitSeconds: () => 60 });
    runtime.startExecution({ name: 'INV-LATE', input: { invoiceId: 'INV-LATE' } });
    await runtime.runUntilSettled();

    // Act / Assess
    expect(() => runtime.sendTaskSuccess(tokens.get('INV-LATE') as string, { event: 'paid' })).toThrow(TaskTimedOut);
  });
});
