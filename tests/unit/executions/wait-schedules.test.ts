import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TaskTokens } from '../../../functions/executions/task-tokens';
import {
  atExpression,
  behindSchedule,
  firingInstant,
  RESUME_TARGET_ARN,
  SAFETY_NET_SECONDS,
  scheduleNameFor,
  WaitSchedules,
} from '../../../functions/executions/wait-schedules';
import { interruptResult, waitForEvent } from '../../../functions/executions/workflow-steps';
import { memoryStores } from '../../../functions/stores/memory';
import { registration } from '../../support/contracts/stores';

// A healthy wait ends by its one-time schedule (`due`), not by a caught task timeout
// (functions/executions/wait-schedules.ts, docs/architecture.md "Workflow").

const scheduler = mockClient(SchedulerClient);
const sfn = mockClient(SFNClient);
const settings = { groupName: 'dunning-waits', roleArn: 'arn:aws:iam::123456789012:role/resume-waits' };
const REGISTERED = '2026-12-01T12:00:00.000Z';
const NOW = new Date('2026-12-05T15:00:00.000Z');
const TOKEN = 'AQB8AAAAKgAAAAMAAAAAAAAAAd…token';

// The unit files share a worker (isolate: false): give the clients back their real `send` for the files after this one.
afterAll(() => {
  scheduler.restore();
  sfn.restore();
});

beforeEach(() => {
  scheduler.reset();
  sfn.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe("a wait's schedule", () => {
  it('fires at the instant rounded up to the minute: never before it, less than a minute after (property)', () => {
    const before = new Date('1999-12-31T00:00:00.000Z');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (until) => {
          const at = firingInstant(until, before);
          expect(at.getTime()).toBeGreaterThanOrEqual(until.getTime());
          expect(at.getTime() - until.getTime()).toBeLessThan(60_000);
          expect(at.getTime() % 60_000).toBe(0);
          expect(atExpression(at)).toMatch(/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\)$/);
        },
      ),
    );
    expect(atExpression(firingInstant(new Date('2026-12-10T12:00:00.000Z'), before))).toBe('at(2026-12-10T12:00:00)');
    expect(atExpression(firingInstant(new Date('2026-12-10T12:00:00.001Z'), before))).toBe('at(2026-12-10T12:01:00)');
  });

  it('fires a second from now when the instant has come already (a stage already due goes out at once)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 400 * 86_400_000 }),
        (now, ago) => {
          const at = firingInstant(new Date(now.getTime() - ago), now);
          expect(at.getTime() - now.getTime()).toBeGreaterThan(0);
          expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(2000);
          expect(at.getTime() % 1000).toBe(0);
        },
      ),
    );
    const now = new Date('2026-12-05T15:00:00.000Z');
    expect(atExpression(firingInstant(now, now))).toBe('at(2026-12-05T15:00:01)');
  });

  it('is named by the invoice and the token: at most 64 allowed characters, the same for the same wait', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ minLength: 1 }), (invoiceId, token) => {
        const name = scheduleNameFor(invoiceId, token);
        expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
        expect(scheduleNameFor(invoiceId, token)).toBe(name);
      }),
    );
    expect(scheduleNameFor('INV 2026/001', 'a')).toMatch(/^INV_2026_001-[0-9a-f]{32}$/);
    expect(scheduleNameFor('INV-1', 'a')).not.toBe(scheduleNameFor('INV-1', 'b'));
  });

  it('calls SendTaskSuccess with "due" through the role, once, and is deleted after it fired', async () => {
    const until = new Date('2026-12-10T12:00:00.000Z');
    await expect(
      new WaitSchedules(new SchedulerClient({}), settings).resumeAt({
        invoiceId: 'INV-1',
        taskToken: TOKEN,
        until,
        now: NOW,
      }),
    ).resolves.toBe('scheduled');

    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: scheduleNameFor('INV-1', TOKEN),
      GroupName: 'dunning-waits',
      ScheduleExpression: 'at(2026-12-10T12:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: RESUME_TARGET_ARN,
        RoleArn: settings.roleArn,
        Input: JSON.stringify({ TaskToken: TOKEN, Output: '{"event":"due"}' }),
        RetryPolicy: { MaximumEventAgeInSeconds: SAFETY_NET_SECONDS, MaximumRetryAttempts: 10 },
      },
    });
  });

  it('takes a schedule already there under its name as done (the wait step ran twice), and a missing one as deleted', async () => {
    const schedules = new WaitSchedules(new SchedulerClient({}), settings);
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'Schedule exists', Message: 'Schedule exists', $metadata: {} }))
      .on(DeleteScheduleCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'Schedule not found', Message: 'Schedule not found', $metadata: {} }),
      );
    await expect(schedules.resumeAt({ invoiceId: 'INV-1', taskToken: TOKEN, until: NOW, now: NOW })).resolves.toBe(
      'exists',
    );
    await expect(schedules.cancel('INV-1', TOKEN)).resolves.toBe('absent');
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: scheduleNameFor('INV-1', TOKEN),
      GroupName: 'dunning-waits',
    });
    // with no role it cannot create one (a function bound only to delete)
    await expect(
      new WaitSchedules(new SchedulerClient({}), { groupName: 'g' }).resumeAt({
        invoiceId: 'I',
        taskToken: 't',
        until: NOW,
        now: NOW,
      }),
    ).rejects.toThrow(/WAIT_SCHEDULE_ROLE_ARN/);
  });

  it('puts the safety-net timeout behind the schedule of a wait with an instant, not of a hold with none', () => {
    const sent = {
      outcome: 'sent' as const,
      stageId: 'D0',
      seconds: 3600,
      until: '2026-12-10T12:00:00.000Z',
      reason: '',
    };
    expect(behindSchedule(sent)).toEqual({ ...sent, seconds: 3600 + SAFETY_NET_SECONDS });
    const held = { outcome: 'held' as const, stageId: 'D0', seconds: 86_400, until: '', reason: 'paused' };
    expect(behindSchedule(held)).toEqual(held);
  });
});

describe('the wait step', () => {
  async function parkedWait(until: string, now = NOW) {
    const stores = memoryStores();
    await stores.invoices.createInvoice(registration('INV-1', 'C-1'), 'standard', REGISTERED);
    const tokens = new TaskTokens(new SFNClient({}), new WaitSchedules(new SchedulerClient({}), settings));
    const deps = { ...stores, tokens, schedules: new WaitSchedules(new SchedulerClient({}), settings), now: () => now };
    await waitForEvent({ invoiceId: 'INV-1', stageId: 'D0', taskToken: TOKEN, until }, deps);
    return stores;
  }

  it("parks the token and schedules the wait's end at its instant; nothing is resumed now", async () => {
    const stores = await parkedWait('2026-12-10T12:00:00.000Z');
    expect(await stores.invoices.getInvoice('INV-1')).toMatchObject({ taskToken: TOKEN, currentStage: 'D0' });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      ScheduleExpression: 'at(2026-12-10T12:00:00)',
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('schedules a stage already due a second from now, and resumes nothing itself', async () => {
    await parkedWait('2026-12-05T14:59:59.000Z');
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      ScheduleExpression: 'at(2026-12-05T15:00:01)',
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('leaves the wait to its safety-net timeout when Scheduler refuses: no error, no early resume', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    const stores = await parkedWait('2026-12-10T12:00:00.000Z');
    expect(scheduler).toHaveReceivedCommand(CreateScheduleCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(await stores.invoices.getInvoice('INV-1')).toMatchObject({ taskToken: TOKEN });
  });

  it('schedules nothing for a hold with no end of its own (its timeout, at the year, ends it)', async () => {
    await parkedWait('');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });
});

describe('the send step, told what ended the wait', () => {
  it('routes a payment or a change without sending, and acts when the stage is due (schedule or safety net)', () => {
    expect(interruptResult({ event: 'paid' })).toMatchObject({ outcome: 'paid' });
    expect(interruptResult({ event: 'changed' })).toMatchObject({ outcome: 'changed' });
    expect(interruptResult({ event: 'due' })).toBeUndefined();
    expect(interruptResult({ Error: 'States.Timeout', Cause: '' } as { event?: string })).toBeUndefined();
    expect(interruptResult(undefined)).toBeUndefined();
  });
});
