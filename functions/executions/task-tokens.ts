import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Resumes waiting workflow tasks (payment, closure). */
export class TaskTokens {
  constructor(private readonly client: SFNClient) {}

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
}

function isStaleTokenError(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken';
}
