import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Queues invoice ids for the starter (SQS buffer in front of StartExecution). */
export class StartQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Sends the ids in batches of 10; returns the ids that could not be queued. */
  async enqueue(invoiceIds: readonly string[]): Promise<string[]> {
    const failed: string[] = [];
    for (let i = 0; i < invoiceIds.length; i += 10) {
      const batch = invoiceIds.slice(i, i + 10);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((invoiceId, index) => ({ Id: String(index), MessageBody: JSON.stringify({ invoiceId }) })),
        }),
      );
      for (const f of out.Failed ?? []) {
        const id = batch[Number(f.Id)];
        if (id !== undefined) failed.push(id);
      }
    }
    return failed;
  }
}
