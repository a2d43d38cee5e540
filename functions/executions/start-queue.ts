import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { log } from '../platform/logger';

/** Queues invoice ids for the starter (SQS buffer in front of StartExecution). */
export class StartQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Sends the ids in batches of 10 (SendMessageBatch's limit); returns the ids that could not be queued: the entries
   * SQS refused, and every id of a batch whose call failed (throttled, 5xx, a network error after the SDK's retries)
   * — each batch is tried, one failure does not lose the others. A failed batch may have been queued after all (a
   * reset after SQS accepted it): its ids are reported as not queued, and queuing them again is harmless (the
   * starter is idempotent by execution name). The caller answers them as failed ("submit again"), and the
   * reconciler starts any of them still without a walk (docs/architecture.md "Workflow").
   */
  async enqueue(invoiceIds: readonly string[]): Promise<string[]> {
    const failed: string[] = [];
    for (let i = 0; i < invoiceIds.length; i += 10) {
      const batch = invoiceIds.slice(i, i + 10);
      try {
        const out = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((invoiceId, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify({ invoiceId }),
            })),
          }),
        );
        for (const f of out.Failed ?? []) {
          const id = batch[Number(f.Id)];
          if (id !== undefined) failed.push(id);
        }
      } catch (error) {
        log.warn('start messages not queued', { count: batch.length, error: (error as Error).name });
        failed.push(...batch);
      }
    }
    return failed;
  }
}
