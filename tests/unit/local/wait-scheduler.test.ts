import type { CreateScheduleCommandInput, Target } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { TaskDoesNotExist, TaskTimedOut } from '../../../local/stepfunctions/api-errors';
import type { JsonValue } from '../../../local/stepfunctions/runtime-types';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import {
  ConflictException,
  LocalWaitScheduler,
  ResourceNotFoundException,
  SEND_TASK_SUCCESS_TARGET,
  ValidationException,
} from '../../../local/stepfunctions/wait-scheduler';

// The local EventBridge Scheduler's one-time schedules on a virtual clock: what it accepts, when it fires, what a
// firing tells, and that its timers are background ones (they never drive a fast run by themselves).

const T0 = new Date('2026-12-01T12:00:00.000Z');
const HOUR_MS = 3_600_000;

function setUp(resume?: (token: string, output: JsonValue) => void) {
  const clock = new VirtualClock(T0);
  const resumed: { token: string; output: JsonValue; at: string }[] = [];
  const failures: unknown[] = [];
  const scheduler = new LocalWaitScheduler({
    clock,
    resume:
      resume ??
      ((token, output) => {
        resumed.push({ token, output, at: clock.now().toISOString() });
      }),
    onFiringError: (error) => failures.push(error),
  });
  return { clock, scheduler, resumed, failures };
}

/** The handlers' CreateSchedule input (functions/executions/wait-schedules.ts), at `at` (ISO, whole seconds). */
function waitSchedule(name: string, at: string, token = `token-${name}`): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: 'dunning-local-waits',
    Description: `Ends the wait of ${name}`,
    ScheduleExpression: `at(${at.slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: SEND_TASK_SUCCESS_TARGET,
      RoleArn: 'arn:aws:iam::000000000000:role/dunning-local-wait-schedules',
      Input: JSON.stringify({ TaskToken: token, Output: '{"event":"due"}' }),
      RetryPolicy: { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 10 },
    },
  };
}

describe('LocalWaitScheduler', () => {
  it('creates a schedule with the ARN Scheduler gives it, and refuses a second one of the same name', () => {
    const { scheduler } = setUp();
    const created = scheduler.createSchedule(waitSchedule('INV-1-abc', '2026-12-02T12:00:00Z'));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:local:000000000000:schedule/dunning-local-waits/INV-1-abc');
    expect(() => scheduler.createSchedule(waitSchedule('INV-1-abc', '2026-12-03T12:00:00Z'))).toThrow(
      ConflictException,
    );
    // the same name in another group is another schedule
    scheduler.createSchedule({ ...waitSchedule('INV-1-abc', '2026-12-02T12:00:00Z'), GroupName: 'other' });
    expect(scheduler.pending).toBe(2);
    expect(scheduler.getSchedule({ Name: 'INV-1-abc', GroupName: 'dunning-local-waits' })).toMatchObject({
      ScheduleExpression: 'at(2026-12-02T12:00:00)',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      CreationDate: T0,
    });
  });

  it('answers a retried request (same ClientToken) with the schedule it created', () => {
    const { scheduler } = setUp();
    const input = { ...waitSchedule('INV-2-abc', '2026-12-02T12:00:00Z'), ClientToken: 'retry-1' };
    const first = scheduler.createSchedule(input);
    expect(scheduler.createSchedule(input)).toEqual(first);
    expect(() => scheduler.createSchedule({ ...input, ClientToken: 'another' })).toThrow(ConflictException);
    expect(scheduler.pending).toBe(1);
  });

  it('fires at its instant (UTC): resumes the token with the Output, then is gone (ActionAfterCompletion DELETE)', async () => {
    const { clock, scheduler, resumed } = setUp();
    scheduler.createSchedule(waitSchedule('INV-3-abc', '2026-12-02T09:30:00Z', 'tok-3'));
    await clock.advanceTo(new Date('2026-12-02T09:29:59.999Z'));
    expect(resumed).toEqual([]);
    await clock.advanceTo(new Date('2026-12-03T00:00:00Z'));
    expect(resumed).toEqual([{ token: 'tok-3', output: { event: 'due' }, at: '2026-12-02T09:30:00.000Z' }]);
    expect(scheduler.pending).toBe(0);
    expect(scheduler.fired).toBe(1);
    expect(() => scheduler.getSchedule({ Name: 'INV-3-abc', GroupName: 'dunning-local-waits' })).toThrow(
      ResourceNotFoundException,
    );
    expect(() => scheduler.deleteSchedule({ Name: 'INV-3-abc', GroupName: 'dunning-local-waits' })).toThrow(
      ResourceNotFoundException,
    );
  });

  it('keeps a fired schedule with ActionAfterCompletion NONE (it does not fire again)', async () => {
    const { clock, scheduler, resumed } = setUp();
    scheduler.createSchedule({ ...waitSchedule('INV-4-abc', '2026-12-01T13:00:00Z'), ActionAfterCompletion: 'NONE' });
    await clock.advanceBy(2 * HOUR_MS);
    expect(resumed).toHaveLength(1);
    expect(scheduler.pending).toBe(0);
    expect(scheduler.list().map((s) => s.Name)).toEqual(['INV-4-abc']);
    await clock.advanceBy(24 * HOUR_MS);
    expect(resumed).toHaveLength(1);
  });

  it('never fires a deleted schedule, nor a disabled one', async () => {
    const { clock, scheduler, resumed } = setUp();
    scheduler.createSchedule(waitSchedule('INV-5-abc', '2026-12-01T13:00:00Z'));
    scheduler.createSchedule({ ...waitSchedule('INV-6-abc', '2026-12-01T13:00:00Z'), State: 'DISABLED' });
    expect(scheduler.pending).toBe(1);
    expect(scheduler.deleteSchedule({ Name: 'INV-5-abc', GroupName: 'dunning-local-waits' })).toEqual({});
    expect(scheduler.pending).toBe(0);
    await clock.advanceBy(24 * HOUR_MS);
    expect(resumed).toEqual([]);
    expect(scheduler.list().map((s) => s.Name)).toEqual(['INV-6-abc']);
  });

  it('fires an instant already reached at the clock’s next turn, the clock not moving back', async () => {
    const { clock, scheduler, resumed } = setUp();
    scheduler.createSchedule(waitSchedule('INV-7-abc', '2026-12-01T11:00:00Z'));
    scheduler.createSchedule(waitSchedule('INV-8-abc', '2026-12-01T12:00:00Z'));
    expect(resumed).toEqual([]);
    await clock.advanceBy(0);
    expect(resumed.map((r) => [r.token, r.at])).toEqual([
      ['token-INV-7-abc', T0.toISOString()],
      ['token-INV-8-abc', T0.toISOString()],
    ]);
  });

  it('is a background timer: it does not move a fast run forward by itself, but fires when the run passes it', async () => {
    const { clock, scheduler, resumed } = setUp();
    scheduler.createSchedule(waitSchedule('INV-9-abc', '2026-12-05T12:00:00Z'));
    expect(clock.pendingTimers).toBe(0);
    await clock.runFast({ whenIdle: () => Promise.resolve() });
    expect(clock.now()).toEqual(T0);
    expect(resumed).toEqual([]);
    // something that wakes (a task's timeout) later than the schedule: the run passes the schedule's instant
    let woke = false;
    clock.setTimer(new Date('2026-12-05T12:05:00Z'), () => {
      woke = true;
    });
    await clock.runFast({ whenIdle: () => Promise.resolve() });
    expect(resumed.map((r) => r.at)).toEqual(['2026-12-05T12:00:00.000Z']);
    expect(woke).toBe(true);
  });

  it('swallows a stale token (the wait ended already) and reports any other failure of the call', async () => {
    const stale = [new TaskTimedOut('timed out'), new TaskDoesNotExist('never issued')];
    const other = new Error('boom');
    const errors = [...stale, other];
    const { clock, scheduler, failures } = setUp(() => {
      throw errors.shift();
    });
    for (const name of ['A', 'B', 'C']) scheduler.createSchedule(waitSchedule(name, '2026-12-01T13:00:00Z'));
    await clock.advanceBy(HOUR_MS);
    expect(failures).toEqual([other]);
    expect(scheduler.pending).toBe(0);
  });

  it('swallows a stale token reported by an asynchronous resume too', async () => {
    const clock = new VirtualClock(T0);
    const failures: unknown[] = [];
    const scheduler = new LocalWaitScheduler({
      clock,
      resume: () => Promise.reject(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' })),
      onFiringError: (error) => failures.push(error),
    });
    scheduler.createSchedule(waitSchedule('A', '2026-12-01T13:00:00Z'));
    await clock.advanceBy(HOUR_MS);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([]);
  });

  it('refuses what Scheduler refuses and what is not modelled, naming the field', () => {
    const { scheduler } = setUp();
    const base = waitSchedule('ok', '2026-12-02T12:00:00Z');
    const target = base.Target as Target;
    const refused: [string, CreateScheduleCommandInput][] = [
      ['Name', { ...base, Name: 'has space' }],
      ['Name', { ...base, Name: 'x'.repeat(65) }],
      ['GroupName', { ...base, GroupName: 'a/b' }],
      ['Schedule Expression', { ...base, ScheduleExpression: 'rate(5 minutes)' }],
      ['Schedule Expression', { ...base, ScheduleExpression: 'at(2026-02-30T12:00:00)' }],
      ['Schedule Expression', { ...base, ScheduleExpression: 'at(2026-12-02 12:00:00)' }],
      ['ScheduleExpressionTimezone', { ...base, ScheduleExpressionTimezone: 'America/Sao_Paulo' }],
      ['Target.Arn', { ...base, Target: { ...target, Arn: 'arn:aws:lambda:local:000000000000:function:x' } }],
      ['Target.RoleArn', { ...base, Target: { ...target, RoleArn: 'role' } }],
      ['Target.Input', { ...base, Target: { ...target, Input: '{"TaskToken":"t"}' } }],
      ['FlexibleTimeWindow', { ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }],
      ['ActionAfterCompletion', { ...base, ActionAfterCompletion: 'KEEP' as never }],
      [
        'RetryPolicy.MaximumEventAgeInSeconds',
        { ...base, Target: { ...target, RetryPolicy: { MaximumEventAgeInSeconds: 30 } } },
      ],
    ];
    for (const [field, input] of refused) {
      expect(() => scheduler.createSchedule(input), field).toThrow(ValidationException);
      expect(() => scheduler.createSchedule(input), field).toThrow(field);
    }
    expect(scheduler.list()).toEqual([]);
    // without a group, the default one; without a time zone, UTC
    const { ScheduleExpressionTimezone: _zone, GroupName: _group, ...plain } = base;
    expect(scheduler.createSchedule(plain).ScheduleArn).toMatch(/schedule\/default\/ok$/);
  });

  it('errors are named as Scheduler names them', () => {
    expect(new ConflictException('x').name).toBe('ConflictException');
    expect(new ResourceNotFoundException('x').name).toBe('ResourceNotFoundException');
    expect(new ValidationException('x').name).toBe('ValidationException');
  });
});
