import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { startExecution } from '../executions/start-executions';
import { now } from '../platform/clock';
import { ENV, requireEnv } from '../platform/environment';
import { log } from '../platform/logger';
import { sfn } from '../wiring/sfn';
import { stores } from '../wiring/stores';

const Message = z.object({ invoiceId: z.string().min(1) });
const deps = { sfn, ...stores(), stateMachineArn: requireEnv(ENV.STATE_MACHINE_ARN), now };

/**
 * SQS consumer in front of StartExecution. Reports partial batch failures: a throttled start is retried by SQS
 * (and lands in the DLQ after repeated failures), the others in the batch are not repeated. A failed start marks its
 * walk for the reconciler (`walkAttention`), so a message dead-lettered is not a walk lost.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      let invoiceId: string;
      try {
        invoiceId = Message.parse(JSON.parse(record.body)).invoiceId;
      } catch {
        // A malformed message can never succeed: drop it (logged) rather than loop until the DLQ.
        log.error('malformed start message dropped', { messageId: record.messageId });
        return;
      }
      try {
        await startExecution(invoiceId, deps);
      } catch (error) {
        log.warn('start failed, will retry', { invoiceId, error: (error as Error).name });
        batchItemFailures.push({ itemIdentifier: record.messageId });
        // SQS retries the message, and after maxReceiveCount failed receives moves it to the dead-letter queue: the
        // mark lets the reconciler's daily look start the walk whichever happens (a started walk's mark is cleared).
        await deps.walkAttention
          .flagWalk({ invoiceId, reason: 'start', at: deps.now().toISOString() })
          .catch((markError: unknown) => {
            log.error('failed start not marked for the reconciler', { invoiceId, error: (markError as Error).name });
          });
      }
    }),
  );
  return { batchItemFailures };
});
