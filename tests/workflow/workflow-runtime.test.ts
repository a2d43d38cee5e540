import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  IntegrationPattern,
  JsonPath,
  StateMachine,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidName,
  InvalidToken,
  TaskDoesNotExist,
  TaskTimedOut,
} from '../../local/stepfunctions/api-errors';
import { extractStateMachineDefinition, localLambdaArn } from '../../local/stepfunctions/asl';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { type HistoryEvent, type JsonValue, LocalWorkflowRuntime } from '../../local/stepfunctions/workflow-runtime';

// A hand-written definition shaped like the synthesized dunning workflow: plan → token wait with TimeoutSecondsPath
// (timeout = time to act; a payment resumes it) → send with Retry on a custom error → Choice → Succeed.

const PLAN = localLambdaArn('PlanStage');
const WAIT = localLambdaArn('WaitForEvent');
const SEND = localLambdaArn('SendStage');
const WAIT_STATE = 'D-3 · wait or payment';
const SEND_STATE = 'D-3 · send email';
const T0 = new Date('2026-11-01T12:00:00.000Z');
const DAY_S = 86_400;

const definition = {
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

class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

interface Call {
  readonly fn: string;
  readonly payload: Record<string, unknown>;
  readonly at: string;
}

interface World {
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
function setUp(world: World = {}, def: object = definition) {
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

const stateTrail = (history: readonly HistoryEvent[]) =>
  history.map((e) => (e.stateName ? `${e.type} ${e.stateName}` : e.type));

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

describe('many executions on one clock', () => {
  it('settles 1,000 executions with random timeouts in a few seconds, each acting at its own instant', async () => {
    // Prepare: deterministic pseudo-random timeouts from 1 second to 60 days
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const timeouts = new Map<string, number>();
    for (let i = 0; i < 1000; i += 1) timeouts.set(`INV-${i}`, 1 + Math.floor(random() * 60 * DAY_S));
    const { runtime, sends } = setUp({ waitSeconds: (id) => timeouts.get(id) as number, sendFailures: () => 1 });
    const started = performance.now();

    // Act
    for (const id of timeouts.keys()) runtime.startExecution({ name: id, input: { invoiceId: id } });
    await runtime.runUntilSettled();

    // Assess
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(runtime.running).toBe(0);
    expect(runtime.listExecutions({ statusFilter: 'SUCCEEDED' })).toHaveLength(1000);
    const firstSend = new Map<string, string>();
    for (const call of sends())
      if (!firstSend.has(String(call.payload.invoiceId))) firstSend.set(String(call.payload.invoiceId), call.at);
    for (const [id, seconds] of timeouts) {
      expect(firstSend.get(id)).toBe(new Date(T0.getTime() + seconds * 1000).toISOString());
    }
    expect(sends()).toHaveLength(2000);
  });
});

describe('the rest of the Amazon States Language on the virtual clock', () => {
  it('runs Wait states (Seconds and TimestampPath) on the virtual clock', async () => {
    // Prepare
    const def = {
      StartAt: 'Wait 3 days',
      States: {
        'Wait 3 days': { Type: 'Wait', Seconds: 3 * DAY_S, Next: 'Wait until due' },
        'Wait until due': { Type: 'Wait', TimestampPath: '$.dueAt', Next: 'Send' },
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: SEND, 'Payload.$': '$' },
          OutputPath: '$.Payload',
          End: true,
        },
      },
    };
    const { runtime, sends } = setUp({}, def);

    // Act
    const { executionArn } = runtime.startExecution({
      name: 'INV-WAIT',
      input: { invoiceId: 'INV-WAIT', dueAt: '2026-11-20T09:00:00Z' },
    });
    await runtime.runUntilSettled();

    // Assess
    expect(sends().map((c) => [c.at, c.payload])).toEqual([
      ['2026-11-20T09:00:00.000Z', { invoiceId: 'INV-WAIT', dueAt: '2026-11-20T09:00:00Z' }],
    ]);
    const history = runtime.history(executionArn);
    expect(history.find((e) => e.stateName === 'Wait until due')?.stateType).toBe('Wait');
    expect(history.find((e) => e.type === 'StateExited' && e.stateName === 'Wait 3 days')?.at).toEqual(
      new Date('2026-11-04T12:00:00.000Z'),
    );
    expect(runtime.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'sent' } });
  });

  it('times an execution out at the top-level TimeoutSeconds, and stopExecution aborts one', async () => {
    // Prepare
    const { runtime, tokens } = setUp({ waitSeconds: () => 30 * DAY_S }, { ...definition, TimeoutSeconds: DAY_S });
    const timedOut = runtime.startExecution({ name: 'INV-TIMEOUT', input: { invoiceId: 'INV-TIMEOUT' } });
    const stopped = runtime.startExecution({ name: 'INV-STOP', input: { invoiceId: 'INV-STOP' } });
    await runtime.whenIdle();

    // Act
    runtime.stopExecution(stopped.executionArn, { error: 'Cancelled', cause: 'invoice withdrawn' });
    await runtime.runUntilSettled();

    // Assess
    expect(runtime.describeExecution(timedOut.executionArn)).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      stopDate: new Date('2026-11-02T12:00:00.000Z'),
    });
    expect(runtime.describeExecution(stopped.executionArn)).toMatchObject({ status: 'ABORTED', stopDate: T0 });
    expect(runtime.history(stopped.executionArn).at(-1)?.type).toBe('ExecutionAborted');
    expect(() => runtime.sendTaskSuccess(tokens.get('INV-STOP') as string, {})).toThrow(TaskTimedOut);
    expect(runtime.running).toBe(0);
  });

  it('fails an execution with the Lambda error name and cause when nothing catches it', async () => {
    // Prepare
    const def = {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: SEND, 'Payload.$': '$' },
          End: true,
        },
      },
    };
    const { runtime } = setUp({ sendFailures: () => 1 }, def);

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-FAIL', input: { invoiceId: 'INV-FAIL' } });
    await runtime.runUntilSettled();

    // Assess
    const described = runtime.describeExecution(executionArn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'TransientSendError' });
    expect(JSON.parse(described.cause ?? '')).toMatchObject({ errorMessage: 'provider throttled INV-FAIL' });
  });

  it('refuses definitions it cannot run faithfully, naming the state', () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const invokeLambda = async () => null;
    const withMap = { StartAt: 'Each', States: { Each: { Type: 'Map', ItemProcessor: definition, End: true } } };
    const withSns = {
      StartAt: 'Notify',
      States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: {}, End: true } },
    };

    // Act / Assess
    expect(() => new LocalWorkflowRuntime({ definition: withMap, clock, invokeLambda })).toThrow(/State "Each": Map/);
    expect(() => new LocalWorkflowRuntime({ definition: withSns, clock, invokeLambda })).toThrow(
      /State "Notify": resource "arn:aws:states:::sns:publish" is not supported/,
    );
    expect(
      () => new LocalWorkflowRuntime({ definition: { ...definition, QueryLanguage: 'JSONata' }, clock, invokeLambda }),
    ).toThrow(/JSONata/);
    const noToken = JSON.parse(JSON.stringify(definition).replace('"taskToken.$":"$$.Task.Token"', '"note":"none"'));
    expect(() => new LocalWorkflowRuntime({ definition: noToken, clock, invokeLambda })).toThrow(
      /State "D-3 · wait or payment": a .waitForTaskToken task must pass "\$\$.Task.Token"/,
    );
  });
});

describe('extractStateMachineDefinition reads the synthesized template', () => {
  const machine = (id: string) => ({
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      DefinitionString: {
        'Fn::Join': [
          '',
          [
            '{"StartAt":"Go","States":{"Go":{"Type":"Task","Resource":"arn:',
            { Ref: 'AWS::Partition' },
            ':states:::lambda:invoke","Parameters":{"FunctionName":"',
            { 'Fn::GetAtt': [`${id}Fn`, 'Arn'] },
            '","Payload.$":"$"},"End":true}}}',
          ],
        ],
      },
    },
  });
  const fn = { Type: 'AWS::Lambda::Function', Properties: {} };

  it('resolves Fn::Join, Ref of pseudo parameters and Fn::GetAtt of functions', () => {
    // Act
    const extracted = extractStateMachineDefinition({ Resources: { M: machine('M'), MFn: fn } });

    // Assess
    expect(extracted.functionLogicalIds).toEqual(['MFn']);
    expect(extracted.definition.States.Go).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:local:000000000000:function:MFn' },
    });
  });

  it('asks for the logical id when there are several state machines, and says when there is none', () => {
    // Prepare
    const template = { Resources: { A: machine('A'), AFn: fn, B: machine('B'), BFn: fn } };

    // Act / Assess
    expect(() => extractStateMachineDefinition(template)).toThrow(/2 state machines \(A, B\): pass the logicalId/);
    expect(extractStateMachineDefinition(template, 'B').functionLogicalIds).toEqual(['BFn']);
    expect(() => extractStateMachineDefinition(template, 'C')).toThrow(/No AWS::StepFunctions::StateMachine .* C/);
    expect(() => extractStateMachineDefinition({ Resources: { AFn: fn } })).toThrow(/no AWS::StepFunctions/);
    expect(() => extractStateMachineDefinition({ Resources: { A: machine('A') } })).toThrow(/cannot resolve/);
  });

  it('runs a CDK-synthesized waitForTaskToken workflow with unicode state names end to end', async () => {
    // Prepare: a real CDK stack (no bundling: inline code), synthesized to a template
    const stack = new Stack(new App(), 'LocalRuntimeFixture');
    const lambda = (id: string) =>
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({})'),
      });
    const wait = new LambdaInvoke(stack, 'D0 · wait or payment', {
      lambdaFunction: lambda('Wait'),
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ invoiceId: JsonPath.stringAt('$.invoiceId'), taskToken: JsonPath.taskToken }),
      taskTimeout: Timeout.at('$.seconds'),
      resultPath: '$.interrupt',
    });
    const send = new LambdaInvoke(stack, 'D0 · send email + sms', {
      lambdaFunction: lambda('Send'),
      payloadResponseOnly: false,
      resultSelector: { 'outcome.$': '$.Payload.outcome' },
      resultPath: '$.step',
    }).addRetry({ errors: ['TransientSendError'], interval: Duration.seconds(30), maxAttempts: 3 });
    send.next(new Succeed(stack, 'Sent'));
    wait.addCatch(send, { errors: [Errors.TIMEOUT], resultPath: '$.waited' });
    const paid = new Choice(stack, 'Paid?')
      .when(Condition.stringEquals('$.interrupt.event', 'paid'), new Succeed(stack, 'Invoice paid'))
      .otherwise(new Succeed(stack, 'Other event'));
    new StateMachine(stack, 'Workflow', {
      definitionBody: DefinitionBody.fromChainable(wait.next(paid)),
    });
    const template = Template.fromStack(stack).toJSON();
    const { definition: synthesized, functionLogicalIds } = extractStateMachineDefinition(template);
    const clock = new VirtualClock(T0);
    const seen: { fn: string; at: string; payload: JsonValue }[] = [];
    const runtime = new LocalWorkflowRuntime({
      definition: synthesized,
      clock,
      invokeLambda: async (fn, payload) => {
        seen.push({ fn, at: clock.now().toISOString(), payload: payload as JsonValue });
        return { outcome: 'sent' };
      },
    });

    // Act
    const { executionArn } = runtime.startExecution({
      name: 'INV-CDK',
      input: { invoiceId: 'INV-CDK', seconds: 7 * DAY_S },
    });
    await runtime.runUntilSettled();

    // Assess
    expect(functionLogicalIds).toHaveLength(2);
    expect(seen.map((s) => s.at)).toEqual([T0.toISOString(), '2026-11-08T12:00:00.000Z']);
    expect(seen[0]?.payload).toMatchObject({ invoiceId: 'INV-CDK', taskToken: expect.stringMatching(/^AQ/) });
    expect(runtime.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(stateTrail(runtime.history(executionArn)).filter((t) => t.startsWith('StateEntered'))).toEqual([
      'StateEntered D0 · wait or payment',
      'StateEntered D0 · send email + sms',
      'StateEntered Sent',
    ]);
  });
});
