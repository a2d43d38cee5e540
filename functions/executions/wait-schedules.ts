import { createHash } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { InterruptOutput, StepResult } from '../contracts/step-result';

/**
 * A wait ends at its instant by an EventBridge Scheduler one-time schedule that calls `SendTaskSuccess` with
 * `{ "event": "due" }` — not by the task's timeout, which Step Functions reports as a caught `States.Timeout` error
 * (the console would show "caught error" at every healthy stage, and `ServiceIntegrationsTimedOut` would count them).
 * The task's timeout stays, {@link SAFETY_NET_SECONDS} later, as the safety net: a schedule that could not be created
 * (Scheduler throttled or down after the SDK's retries) or whose call was dropped still ends the wait, minutes late.
 *
 * Limits met (docs/architecture.md "Workflow"):
 * - Scheduler invokes with **60-second precision** (a schedule at 09:00 fires between 09:00:00 and 09:00:59), so a
 *   schedule is set at `until` rounded **up** to the minute: it never fires before the instant the send step checks.
 * - An instant that has come already is scheduled a second from now (what the task timeout's 1-second minimum did).
 * - **1,000,000 schedules per account and region** (a soft quota): one per waiting invoice, deleted when it fires
 *   (`ActionAfterCompletion: DELETE`) or when a change ends the wait first ({@link WaitSchedules.cancel}).
 * - CreateSchedule / DeleteSchedule **requests per second** (a soft quota, 50 by default in most regions): a burst
 *   beyond it is throttled; the SDK retries, and a wait left unscheduled ends by its safety net.
 * - A fired schedule whose call fails (Step Functions throttled or 5xx) is retried by Scheduler for up to
 *   {@link SAFETY_NET_SECONDS}; after that the task's timeout has taken over. A stale token (the wait ended already)
 *   fails harmlessly.
 */

/** How long after a wait's instant its task times out if no schedule ended it (5 minutes). */
export const SAFETY_NET_SECONDS = 300;

/**
 * A step result's `seconds` is the next wait's task timeout. A wait with an instant (`until`) is ended by its schedule
 * at that instant, so its timeout — the safety net — is {@link SAFETY_NET_SECONDS} later. A wait with no instant (a
 * hold) keeps its timeout: that is how it ends.
 */
export function behindSchedule(result: StepResult): StepResult {
  return result.until === '' ? result : { ...result, seconds: result.seconds + SAFETY_NET_SECONDS };
}

/** EventBridge Scheduler's universal target for Step Functions' `SendTaskSuccess`. */
export const RESUME_TARGET_ARN = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';

/** What a schedule tells the waiting task: its instant came. */
export const DUE_OUTPUT: InterruptOutput = { event: 'due' };

const MINUTE_MS = 60_000;

/**
 * The instant a wait's schedule is set at: `until` rounded up to the whole minute (Scheduler invokes with 60-second
 * precision, so a schedule at a whole minute never fires before `until`); an instant that has come already, a second
 * from `now` (a stage already due goes out at once, after the steps of this instant).
 */
export function firingInstant(until: Date, now: Date): Date {
  if (until.getTime() <= now.getTime()) return new Date(Math.ceil(now.getTime() / 1000) * 1000 + 1000);
  return new Date(Math.ceil(until.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** Scheduler's one-time expression for `at` (UTC, whole seconds): `at(2026-12-10T12:00:00)`. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/**
 * The schedule's name for a wait: the invoice id (characters Scheduler does not allow replaced, cut to 31) and 32 hex
 * characters of the token's SHA-256 — at most 64 characters, `[0-9A-Za-z_.-]`. Derived, not stored: whoever holds the
 * parked token can delete the schedule, and creating it twice (a retried wait step) finds the same name.
 */
export function scheduleNameFor(invoiceId: string, taskToken: string): string {
  const readable = invoiceId.replace(/[^0-9A-Za-z_.-]/g, '_').slice(0, 31);
  const hash = createHash('sha256').update(taskToken).digest('hex').slice(0, 32);
  return `${readable}-${hash}`;
}

export interface WaitScheduleSettings {
  /** The schedule group (the stack's), which scopes the functions' permissions. */
  readonly groupName: string;
  /** The role Scheduler assumes to call `SendTaskSuccess` on the state machine (needed to create, not to delete). */
  readonly roleArn?: string | undefined;
}

/** The waits' one-time schedules in the stack's schedule group. */
export class WaitSchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: WaitScheduleSettings,
  ) {}

  /**
   * Creates the schedule that resumes `taskToken` with {@link DUE_OUTPUT} at {@link firingInstant}(`until`, `now`).
   * 'exists' when a schedule of that name was there (this wait step ran before): it resumes the same token.
   * @throws the SDK's error when Scheduler refused after its retries (throttled, 5xx, access denied).
   */
  async resumeAt(input: {
    invoiceId: string;
    taskToken: string;
    until: Date;
    now: Date;
  }): Promise<'scheduled' | 'exists'> {
    const { groupName, roleArn } = this.settings;
    if (!roleArn) throw new Error('WaitSchedules.resumeAt needs the role Scheduler assumes (WAIT_SCHEDULE_ROLE_ARN)');
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: scheduleNameFor(input.invoiceId, input.taskToken),
          GroupName: groupName,
          Description: `Ends the wait of invoice ${input.invoiceId} at ${input.until.toISOString()}`.slice(0, 512),
          ScheduleExpression: atExpression(firingInstant(input.until, input.now)),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: RESUME_TARGET_ARN,
            RoleArn: roleArn,
            Input: JSON.stringify({ TaskToken: input.taskToken, Output: JSON.stringify(DUE_OUTPUT) }),
            RetryPolicy: { MaximumEventAgeInSeconds: SAFETY_NET_SECONDS, MaximumRetryAttempts: 10 },
          },
        }),
      );
      return 'scheduled';
    } catch (error) {
      if (errorName(error) === 'ConflictException') return 'exists';
      throw error;
    }
  }

  /**
   * Deletes the schedule of a wait a change ended first; 'absent' when it was not there (never created, fired,
   * deleted before). @throws the SDK's error when Scheduler refused after its retries.
   */
  async cancel(invoiceId: string, taskToken: string): Promise<'deleted' | 'absent'> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({
          Name: scheduleNameFor(invoiceId, taskToken),
          GroupName: this.settings.groupName,
        }),
      );
      return 'deleted';
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return 'absent';
      throw error;
    }
  }
}

/** The AWS error code an SDK exception carries as its `name` (the class is not needed to tell them apart). */
function errorName(error: unknown): string | undefined {
  return (error as { name?: string }).name;
}
