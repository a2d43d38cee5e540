import { describe, expect, it } from 'vitest';
import { TaskTimedOut } from '../../../local/stepfunctions/api-errors';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { LocalWorkflowRuntime } from '../../../local/stepfunctions/workflow-runtime';
import { DAY_S, definition, SEND, setUp, T0 } from '../../support/local-runtime';

// The local workflow runtime: a thousand executions on one clock, and the rest of the States Language (Wait,
// execution timeout, stop, uncaught failures, definitions it refuses).

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
