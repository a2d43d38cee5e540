import { describe, expect, it } from 'vitest';
import { TaskTimedOut } from '../../../local/stepfunctions/api-errors';
import { localLambdaArn } from '../../../local/stepfunctions/asl';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { LocalWorkflowRuntime, STANDARD_EXECUTION_LIMIT_SECONDS } from '../../../local/stepfunctions/workflow-runtime';
import { DAY_S, T0 } from '../../support/local-runtime';

// The maximum execution time of a Standard workflow (Step Functions quota: 1 year): AWS ends an execution that has
// run that long TIMED_OUT, in whatever task or wait it is (no Catch applies), and a task token it parked then answers
// TaskTimedOut. The local runtime arms that deadline on the virtual clock at the start of each execution.

const HOLD = localLambdaArn('HoldForEvent');

/** Waits `seconds` in a Wait state, then succeeds. */
function waitingDefinition(seconds: number): object {
  return {
    StartAt: 'Wait a while',
    States: {
      'Wait a while': { Type: 'Wait', Seconds: seconds, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
}

/** Parks on a task token without a timeout (a hold: only an event resumes it), then succeeds. */
const holdDefinition = {
  StartAt: 'Hold',
  States: {
    Hold: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: HOLD, Payload: { 'taskToken.$': '$$.Task.Token' } },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
      Next: 'Done',
    },
    Caught: { Type: 'Succeed' },
    Done: { Type: 'Succeed' },
  },
};

function runtimeFor(definition: object, executionLimitSeconds?: number) {
  const clock = new VirtualClock(T0);
  const tokens: string[] = [];
  const runtime = new LocalWorkflowRuntime({
    definition,
    clock,
    ...(executionLimitSeconds === undefined ? {} : { executionLimitSeconds }),
    invokeLambda: async (_arn, payload) => {
      tokens.push((payload as { taskToken: string }).taskToken);
      return {};
    },
  });
  return { clock, runtime, tokens };
}

const sinceStart = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('an execution that runs longer than the execution time limit', () => {
  it('ends TIMED_OUT at exactly its start + the limit, in the middle of its Wait', async () => {
    // Prepare: a 3-day limit, a 10-day Wait
    const { clock, runtime } = runtimeFor(waitingDefinition(10 * DAY_S), 3 * DAY_S);

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-WAIT', input: {} });
    await runtime.runUntilSettled();

    // Assess
    const described = runtime.describeExecution(executionArn);
    expect(described).toMatchObject({ status: 'TIMED_OUT', stopDate: sinceStart(3 * DAY_S), error: 'States.Timeout' });
    const history = runtime.history(executionArn);
    expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'StateEntered', 'ExecutionTimedOut']);
    expect(history.at(-1)).toMatchObject({ at: sinceStart(3 * DAY_S), error: 'States.Timeout' });
    expect(clock.now()).toEqual(sinceStart(3 * DAY_S));
    expect(clock.pendingTimers).toBe(0); // the abandoned Wait's timer is cancelled
  });

  it('is 365 days by default (the Standard workflow quota)', async () => {
    // Prepare: a 400-day Wait, no limit given
    const { runtime } = runtimeFor(waitingDefinition(400 * DAY_S));

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-YEAR', input: {} });
    await runtime.runUntilSettled();

    // Assess
    expect(STANDARD_EXECUTION_LIMIT_SECONDS).toBe(365 * DAY_S);
    expect(runtime.describeExecution(executionArn)).toMatchObject({
      status: 'TIMED_OUT',
      stopDate: new Date('2027-11-01T12:00:00.000Z'),
    });
  });

  it('abandons a task token it parked: the token then answers TaskTimedOut, no Catch runs', async () => {
    // Prepare
    const { clock, runtime, tokens } = runtimeFor(holdDefinition, 2 * DAY_S);
    const { executionArn } = runtime.startExecution({ name: 'INV-HOLD', input: {} });
    await runtime.runUntilSettled();
    const parked = runtime.describeExecution(executionArn).status;

    // Act: time is played past the limit (fast mode alone does not play a year for a deadline)
    await runtime.advanceTo(sinceStart(5 * DAY_S));

    // Assess
    expect(parked).toBe('RUNNING');
    expect(runtime.describeExecution(executionArn)).toMatchObject({
      status: 'TIMED_OUT',
      stopDate: sinceStart(2 * DAY_S),
    });
    expect(runtime.history(executionArn).map((e) => e.stateName ?? e.type)).toEqual([
      'ExecutionStarted',
      'Hold',
      'ExecutionTimedOut',
    ]);
    expect(() => runtime.sendTaskSuccess(tokens[0] ?? '', { event: 'resumed' })).toThrow(TaskTimedOut);
    expect(clock.pendingTimers).toBe(0);
  });

  it('is cancelled when the execution ends before it', async () => {
    // Prepare
    const { clock, runtime } = runtimeFor(waitingDefinition(DAY_S), 3 * DAY_S);

    // Act
    const { executionArn } = runtime.startExecution({ name: 'INV-SHORT', input: {} });
    await runtime.runUntilSettled();

    // Assess
    expect(runtime.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', stopDate: sinceStart(DAY_S) });
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('shutting the runtime down with executions still running', () => {
  it('leaves them RUNNING but keeps no timer of theirs alive (a simulation with an open hold exits)', async () => {
    // Prepare: three executions parked on a hold, which has no timeout
    const { runtime } = runtimeFor(holdDefinition);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const arns = ['a', 'b', 'c'].map((name) => runtime.startExecution({ name, input: {} }).executionArn);
    await runtime.runUntilSettled();
    const parked = timers();

    // Act
    runtime.shutdown();
    await new Promise((resolve) => setImmediate(resolve));

    // Assess: aws-local-stepfunctions armed a real timer per running task; they are gone, the statuses kept
    expect(parked).toBeGreaterThan(before);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(arns.map((arn) => runtime.describeExecution(arn).status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  });
});
