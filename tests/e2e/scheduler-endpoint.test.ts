import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  type Target,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSchedulerEndpoint } from '../../local/stepfunctions/scheduler-endpoint';
import { LocalWaitScheduler } from '../../local/stepfunctions/wait-scheduler';
import { DAY_S, SEND_STATE, setUp, T0, WAIT_STATE } from '../support/local-runtime';
import { serveSchedules } from '../support/workflow-harness';

// The real @aws-sdk/client-scheduler against the local endpoint: what the wait step does to end a wait at its
// instant (functions/executions/wait-schedules.ts), and what a payment does to cancel it. A fired schedule resumes
// the task token of a real LocalWorkflowRuntime on the virtual clock.

const GROUP = 'dunning-local-waits';
const ROLE = 'arn:aws:iam::000000000000:role/dunning-local-wait-schedules';
const HOUR_MS = 3_600_000;

/** The wait step's CreateSchedule input: resume `token` with `{"event":"due"}` at `at`. */
function waitSchedule(name: string, token: string, at: Date): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: GROUP,
    Description: `Ends the wait of ${name}`,
    ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess',
      RoleArn: ROLE,
      Input: JSON.stringify({ TaskToken: token, Output: JSON.stringify({ event: 'due' }) }),
      RetryPolicy: { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 10 },
    },
  };
}

/**
 * A runtime running the small workflow (plan → token wait timing out after 3 days → send), a scheduler on its clock
 * resuming its tokens, the endpoint in front of it and a real client.
 */
async function world() {
  const runtime = setUp();
  const failures: unknown[] = [];
  const scheduler = new LocalWaitScheduler({
    clock: runtime.clock,
    resume: (token, output) => runtime.runtime.sendTaskSuccess(token, output),
    onFiringError: (error) => failures.push(error),
  });
  const endpoint = await new LocalSchedulerEndpoint(scheduler).start();
  const client = new SchedulerClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  /** Starts an execution and waits until it parks on its wait: answers its token. */
  const startWaiting = async (invoiceId: string): Promise<string> => {
    runtime.runtime.startExecution({ name: invoiceId, input: { invoiceId } });
    await runtime.runtime.whenIdle();
    const token = runtime.tokens.get(invoiceId);
    if (!token) throw new Error(`${invoiceId} did not park`);
    return token;
  };
  const entered = (invoiceId: string) =>
    runtime.runtime
      .history(runtime.runtime.executionArnOf(invoiceId))
      .filter((e) => e.type === 'StateEntered')
      .map((e) => [e.stateName, e.at.toISOString()]);
  return {
    ...runtime,
    scheduler,
    client,
    failures,
    startWaiting,
    entered,
    close: async () => {
      client.destroy();
      await endpoint.close();
    },
  };
}

describe('the local EventBridge Scheduler endpoint, spoken to by the real SchedulerClient', () => {
  let w: Awaited<ReturnType<typeof world>>;

  beforeAll(async () => {
    w = await world();
  });

  afterAll(async () => {
    await w.close();
  });

  it('creates a schedule, refuses the same name again (409 ConflictException), gets it, deletes it once (404 after)', async () => {
    const at = new Date(T0.getTime() + DAY_S * 1000);
    const created = await w.client.send(new CreateScheduleCommand(waitSchedule('INV-1-aaaa', 'AQtoken', at)));
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:local:000000000000:schedule/${GROUP}/INV-1-aaaa`);

    const again = w.client.send(new CreateScheduleCommand(waitSchedule('INV-1-aaaa', 'AQtoken', at)));
    await expect(again).rejects.toBeInstanceOf(ConflictException);
    await expect(again).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Schedule INV-1-aaaa already exists.',
      $metadata: { httpStatusCode: 409 },
    });

    const got = await w.client.send(new GetScheduleCommand({ Name: 'INV-1-aaaa', GroupName: GROUP }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'INV-1-aaaa',
      GroupName: GROUP,
      ScheduleExpression: 'at(2026-11-02T12:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess', RoleArn: ROLE },
    });
    expect(got.CreationDate).toEqual(T0);
    const listed = await w.client.send(new ListSchedulesCommand({ GroupName: GROUP }));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['INV-1-aaaa']);

    await w.client.send(new DeleteScheduleCommand({ Name: 'INV-1-aaaa', GroupName: GROUP }));
    const gone = w.client.send(new DeleteScheduleCommand({ Name: 'INV-1-aaaa', GroupName: GROUP }));
    await expect(gone).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(gone).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(
      w.client.send(new GetScheduleCommand({ Name: 'INV-1-aaaa', GroupName: GROUP })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(w.scheduler.pending).toBe(0);
  });

  it('answers what it does not take with 400 ValidationException', async () => {
    const base = waitSchedule('INV-2-aaaa', 'AQtoken', new Date(T0.getTime() + HOUR_MS));
    const invalid: CreateScheduleCommandInput[] = [
      { ...base, Name: 'not a name!' },
      { ...base, ScheduleExpression: 'rate(1 hour)' },
      { ...base, Target: { ...(base.Target as Target), Arn: 'arn:aws:sqs:local:000000000000:q' } },
    ];
    for (const input of invalid) {
      const sent = w.client.send(new CreateScheduleCommand(input));
      await expect(sent).rejects.toBeInstanceOf(ValidationException);
      await expect(sent).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    }
  });

  it('fires at its instant on the virtual clock and resumes the waiting task with {"event":"due"}', async () => {
    const token = await w.startWaiting('INV-3');
    const at = new Date(T0.getTime() + DAY_S * 1000); // the task's own timeout is 3 days away
    await w.client.send(new CreateScheduleCommand(waitSchedule('INV-3-aaaa', token, at)));
    expect(w.scheduler.pending).toBe(1);

    await w.runtime.runUntilSettled();

    const arn = w.runtime.executionArnOf('INV-3');
    expect(w.runtime.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(w.entered('INV-3')).toEqual([
      ['Plan next stage', T0.toISOString()],
      [WAIT_STATE, T0.toISOString()],
      ['Payment or other event?', at.toISOString()],
      ['Dunning stopped', at.toISOString()],
    ]);
    expect(w.scheduler.pending).toBe(0);
    await expect(
      w.client.send(new GetScheduleCommand({ Name: 'INV-3-aaaa', GroupName: GROUP })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(w.failures).toEqual([]);
  });
});

describe('firings on the virtual clock', () => {
  it('a stale token (the wait ended already, or never was) fires harmlessly', async () => {
    const w = await world();
    try {
      const token = await w.startWaiting('INV-4');
      const later = new Date(T0.getTime() + 5 * DAY_S * 1000); // after the task's 3-day timeout
      await w.client.send(new CreateScheduleCommand(waitSchedule('INV-4-aaaa', token, later)));
      await w.client.send(new CreateScheduleCommand(waitSchedule('INV-4-bbbb', 'AQbm90LWlzc3VlZA', later)));
      await w.runtime.runUntilSettled();
      expect(w.entered('INV-4').map(([name]) => name)).toContain(SEND_STATE);
      // the run ended at the timeout: the schedules are still pending, and fire when the clock passes them
      expect(w.scheduler.pending).toBe(2);
      await w.clock.advanceTo(new Date(later.getTime() + HOUR_MS));
      expect(w.scheduler.pending).toBe(0);
      expect(w.scheduler.fired).toBe(2);
      expect(w.failures).toEqual([]);
      expect(w.runtime.describeExecution(w.runtime.executionArnOf('INV-4')).status).toBe('SUCCEEDED');
    } finally {
      await w.close();
    }
  });

  it('a deleted schedule never fires: the wait ends at its own timeout', async () => {
    const w = await world();
    try {
      const token = await w.startWaiting('INV-5');
      const at = new Date(T0.getTime() + DAY_S * 1000);
      await w.client.send(new CreateScheduleCommand(waitSchedule('INV-5-aaaa', token, at)));
      await w.client.send(new DeleteScheduleCommand({ Name: 'INV-5-aaaa', GroupName: GROUP }));
      await w.runtime.runUntilSettled();
      expect(w.scheduler.fired).toBe(0);
      const timeout = new Date(T0.getTime() + 3 * DAY_S * 1000).toISOString();
      expect(w.entered('INV-5')).toContainEqual([SEND_STATE, timeout]);
    } finally {
      await w.close();
    }
  });

  it('a schedule left behind does not keep runUntilSettled going, nor move the clock by itself', async () => {
    const w = await world();
    try {
      const token = await w.startWaiting('INV-6');
      const farAway = new Date(T0.getTime() + 100 * DAY_S * 1000);
      await w.client.send(new CreateScheduleCommand(waitSchedule('INV-6-aaaa', token, farAway)));
      await w.runtime.runUntilSettled();
      // the execution ended at its 3-day timeout; the clock stopped there, not 100 days later
      expect(w.runtime.running).toBe(0);
      expect(w.clock.now().getTime()).toBeLessThan(T0.getTime() + 4 * DAY_S * 1000);
      expect(w.scheduler.pending).toBe(1);
      expect(w.scheduler.fired).toBe(0);
      // with nothing running at all, a fast run does not move for it either
      const before = w.clock.now();
      await w.runtime.runUntilSettled();
      expect(w.clock.now()).toEqual(before);
      expect(w.scheduler.pending).toBe(1);
    } finally {
      await w.close();
    }
  });
});

describe('the workflow harness’s Scheduler mock (serveSchedules)', () => {
  it('answers as the endpoint does: the same exceptions, and a firing on the clock resumes the token', async () => {
    const w = await world();
    const mock = mockClient(SchedulerClient);
    try {
      serveSchedules(mock, w.scheduler);
      const client = new SchedulerClient({ region: 'local' });
      const token = await w.startWaiting('INV-7');
      const at = new Date(T0.getTime() + DAY_S * 1000);
      await client.send(new CreateScheduleCommand(waitSchedule('INV-7-aaaa', token, at)));
      const again = client.send(new CreateScheduleCommand(waitSchedule('INV-7-aaaa', token, at)));
      await expect(again).rejects.toBeInstanceOf(ConflictException);
      await expect(again).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
      const invalid = client.send(new CreateScheduleCommand({ ...waitSchedule('x', token, at), Name: 'not a name!' }));
      await expect(invalid).rejects.toBeInstanceOf(ValidationException);
      const missing = client.send(new DeleteScheduleCommand({ Name: 'INV-7-none', GroupName: GROUP }));
      await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);

      await w.runtime.runUntilSettled();
      expect(w.entered('INV-7')).toContainEqual(['Payment or other event?', at.toISOString()]);
      expect(w.scheduler.pending).toBe(0);
    } finally {
      mock.restore();
      await w.close();
    }
  });
});
