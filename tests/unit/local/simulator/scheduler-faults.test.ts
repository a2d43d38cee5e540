import { performance } from 'node:perf_hooks';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  InternalServerException,
  SchedulerClient,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPlane, type FaultRule } from '../../../../local/emulators/fault-plane';
import { installFaultsOn } from '../../../../local/simulator/client-faults';
import { LocalSchedulerEndpoint } from '../../../../local/stepfunctions/scheduler-endpoint';
import { VirtualClock } from '../../../../local/stepfunctions/virtual-clock';
import { LocalWaitScheduler, SEND_TASK_SUCCESS_TARGET } from '../../../../local/stepfunctions/wait-scheduler';

// `--faults` with `scheduler:CreateSchedule`: a throttle or a 5xx is injected inside the SDK's retry loop, so the
// client's own retries meet Scheduler's answers (429 ThrottlingException, 500 InternalServerException) and absorb what
// they can; a CreateSchedule still refused after them reaches the caller (the wait step then leaves the wait to its
// safety-net timeout). Each injected fault is counted, as the summary's "fault(s) absorbed" counts them.

const T0 = new Date('2026-12-01T12:00:00.000Z');
const GROUP = 'dunning-local-waits';

function schedule(name: string): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: GROUP,
    ScheduleExpression: 'at(2026-12-02T12:00:00)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: SEND_TASK_SUCCESS_TARGET,
      RoleArn: 'arn:aws:iam::000000000000:role/dunning-local-wait-schedules',
      Input: JSON.stringify({ TaskToken: `token-${name}`, Output: '{"event":"due"}' }),
    },
  };
}

describe('scheduler:CreateSchedule faults on the handlers’ Scheduler client', () => {
  const scheduler = new LocalWaitScheduler({ clock: new VirtualClock(T0), resume: () => {} });
  let endpoint: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    endpoint = await new LocalSchedulerEndpoint(scheduler).start();
  });

  afterAll(async () => {
    await endpoint.close();
  });

  /** A client as the handlers' (the SDK's standard retries, 3 attempts), with the plane of `faults` on it. */
  function faultedClient(faults: FaultRule[], seed = 1): { client: SchedulerClient; plane: FaultPlane } {
    const plane = new FaultPlane({ seed, quotas: {}, faults }, 0, () => T0);
    const client = new SchedulerClient({
      endpoint: endpoint.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    installFaultsOn(client, plane, { serviceFaults: true });
    return { client, plane };
  }

  it('a throttle on every attempt: 429 ThrottlingException after the SDK’s 3 attempts, nothing created', async () => {
    const { client, plane } = faultedClient([{ call: 'scheduler:CreateSchedule', kind: 'throttle', rate: 1 }]);
    const sent = client.send(new CreateScheduleCommand(schedule('throttled')));
    await expect(sent).rejects.toBeInstanceOf(Error);
    const error = await sent.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429, attempts: 3 } });
    expect(plane.injected).toEqual(new Map([['scheduler:CreateSchedule throttle', 3]]));
    expect(scheduler.list({ namePrefix: 'throttled' })).toEqual([]);
    client.destroy();
  });

  it('retries without sleeping their backoff in real time (the virtual clock stands still meanwhile)', async () => {
    const { client, plane } = faultedClient([{ call: 'scheduler:CreateSchedule', kind: 'throttle', rate: 1 }]);
    const started = performance.now();
    for (let i = 0; i < 10; i++) await client.send(new CreateScheduleCommand(schedule(`quick-${i}`))).catch(() => {});
    // the SDK's throttling backoff would sleep about a second a call
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(plane.injected.get('scheduler:CreateSchedule throttle')).toBe(30);
    client.destroy();
  });

  it('a 5xx on every attempt: 500 InternalServerException after the SDK’s 3 attempts', async () => {
    const { client, plane } = faultedClient([{ call: 'scheduler:CreateSchedule', kind: '5xx', rate: 1 }]);
    const error = await client.send(new CreateScheduleCommand(schedule('failing'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalServerException', $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(plane.injected).toEqual(new Map([['scheduler:CreateSchedule 5xx', 3]]));
    client.destroy();
  });

  it('some faults: the SDK’s retries absorb most, each one counted; DeleteSchedule is never faulted', async () => {
    const { client, plane } = faultedClient(
      [
        { call: 'scheduler:CreateSchedule', kind: 'throttle', rate: 0.3 },
        { call: 'scheduler:CreateSchedule', kind: '5xx', rate: 0.1 },
      ],
      7,
    );
    let created = 0;
    let refused = 0;
    let attempts = 0;
    for (let i = 0; i < 30; i++) {
      try {
        const answer = await client.send(new CreateScheduleCommand(schedule(`some-${i}`)));
        attempts += answer.$metadata.attempts ?? 1;
        created++;
      } catch (error) {
        expect(error).toSatisfy((e) => e instanceof ThrottlingException || e instanceof InternalServerException);
        attempts += (error as { $metadata: { attempts: number } }).$metadata.attempts;
        refused++;
      }
    }
    const injected = [...plane.injected.values()].reduce((n, c) => n + c, 0);
    expect(injected).toBeGreaterThan(0);
    expect(created).toBeGreaterThan(refused);
    // every attempt that did not reach the scheduler was an injected fault
    expect(injected).toBe(attempts - created);
    expect(scheduler.list({ namePrefix: 'some-' })).toHaveLength(created);

    const before = new Map(plane.injected);
    for (const s of scheduler.list({ namePrefix: 'some-' })) {
      await client.send(new DeleteScheduleCommand({ Name: s.Name, GroupName: GROUP }));
    }
    expect(plane.injected).toEqual(before);
    expect(scheduler.list({ namePrefix: 'some-' })).toEqual([]);
    client.destroy();
  });
});
