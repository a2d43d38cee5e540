import { join } from 'node:path';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { LOCAL_WAIT_SCHEDULES, LocalSystem } from '../../local/system/system';
import { registrationFixture } from '../support/fixtures';

// The local system serves EventBridge Scheduler next to Step Functions: the handlers' environment points their
// SchedulerClient at it (AWS_ENDPOINT_URL_SCHEDULER, WAIT_SCHEDULE_GROUP, WAIT_SCHEDULE_ROLE_ARN), and a one-time
// schedule fires on the system's virtual clock, resuming a parked task token with its output.

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
const START = new Date('2026-11-20T12:00:00.000Z');
const HOUR_MS = 3_600_000;
let system: LocalSystem;
/** The task token of each wait-for-event invocation, by invoice. */
const tokens = new Map<string, string>();

beforeAll(async () => {
  system = await LocalSystem.start({ config, start: START });
  system.observeInvocations((handler, event) => {
    if (handler !== 'wait-for-event') return;
    const { invoiceId, taskToken } = event as { invoiceId: string; taskToken: string };
    tokens.set(invoiceId, taskToken);
  });
});

afterAll(async () => {
  await system?.stop();
});

describe('the local system’s EventBridge Scheduler', () => {
  it('is in the handlers’ environment', () => {
    expect(system.endpoints.scheduler).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL_SCHEDULER).toBe(system.endpoints.scheduler);
    expect(process.env.WAIT_SCHEDULE_GROUP).toBe(LOCAL_WAIT_SCHEDULES.groupName);
    expect(process.env.WAIT_SCHEDULE_ROLE_ARN).toBe(LOCAL_WAIT_SCHEDULES.roleArn);
  });

  it('fires a schedule at its instant on the virtual clock and resumes the parked wait', async () => {
    // Prepare: a walk parked on its first wait (D-3 of a due date 2026-12-10 is days away)
    const answer = await system.api('POST', '/invoices', registrationFixture('INV-SCHED-1', { dueDate: '2026-12-10' }));
    expect(answer.statusCode).toBeLessThan(300);
    await system.advanceTo(START);
    const token = tokens.get('INV-SCHED-1');
    expect(token).toBeDefined();
    const arn = system.runtime.executionArnOf('INV-SCHED-1');
    const waitsBefore = exitedWaits(arn);

    // Act: what the wait step does, through the handlers' own environment: a schedule 2 hours from now
    const at = new Date(START.getTime() + 2 * HOUR_MS);
    const client = new SchedulerClient({});
    const name = 'INV-SCHED-1-test';
    const created = await client.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: process.env.WAIT_SCHEDULE_GROUP,
        ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess',
          RoleArn: process.env.WAIT_SCHEDULE_ROLE_ARN,
          Input: JSON.stringify({ TaskToken: token, Output: JSON.stringify({ event: 'due' }) }),
        },
      }),
    );
    const pendingBefore = system.waitSchedules.pending;
    await system.advanceTo(new Date(at.getTime() + HOUR_MS));

    // Assess: the wait ended at the schedule's instant; the schedule fired and is gone
    expect(created.ScheduleArn).toContain(`schedule/${LOCAL_WAIT_SCHEDULES.groupName}/${name}`);
    expect(pendingBefore).toBeGreaterThanOrEqual(1);
    expect(exitedWaits(arn).slice(waitsBefore.length)[0]).toBe(at.toISOString());
    await expect(
      client.send(new GetScheduleCommand({ Name: name, GroupName: LOCAL_WAIT_SCHEDULES.groupName })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    client.destroy();
  });
});

/** The instants the execution left a `… wait or payment` state, in order. */
function exitedWaits(executionArn: string): string[] {
  return system.runtime
    .history(executionArn)
    .filter((e) => e.type === 'StateExited' && (e.stateName ?? '').endsWith('wait or payment'))
    .map((e) => e.at.toISOString());
}
