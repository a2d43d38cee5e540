import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { log } from '../platform/logger';
import type { WaitSchedules } from './wait-schedules';

/** Resumes waiting workflow tasks (payment, closure). */
export class TaskTokens {
  constructor(
    private readonly client: SFNClient,
    /** The waits' schedules, to delete the one of a wait a change ended; none where no wait is ended. */
    private readonly schedules?: Pick<WaitSchedules, 'cancel'>,
  ) {}

  /**
   * Sends the output to the waiting task. Returns false when the token is no longer waiting (its wait timed out
   * or it was resumed already): the workflow's next step re-reads the invoice and sees the change anyway.
   */
  async resume(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (isStaleTokenError(error)) return false;
      throw error;
    }
  }

  /**
   * Deletes the one-time schedule of a wait that a change ended first (functions/executions/wait-schedules.ts). Best
   * effort: a schedule left behind fires on a token that no longer waits — Step Functions refuses it, nothing happens —
   * and Scheduler deletes it after it fired. It only costs one invocation.
   */
  async forgetSchedule(invoiceId: string, taskToken: string): Promise<void> {
    if (!this.schedules) return;
    await this.schedules.cancel(invoiceId, taskToken).catch((error: unknown) => {
      log.warn('wait schedule not deleted: it fires on a stale token and is gone', {
        invoiceId,
        error: (error as Error).name,
      });
    });
  }
}

function isStaleTokenError(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken';
}
