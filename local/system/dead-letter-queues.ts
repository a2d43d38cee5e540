import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * The stack's two dead-letter queues, created in the local SQS emulator (fauxqs), and what sends messages there:
 * - the starter's (lib/constructs/execution-starter.ts): the start queue has a redrive policy with
 *   `maxReceiveCount` 5, so SQS itself moves a start message there on the receive after its 5th (fauxqs implements
 *   redrive policies the same way; we only set the policy, as the stack does);
 * - the drop's (lib/constructs/invoice-drop-bucket.ts): `ingest-file` and `ingest-payments` are invoked
 *   asynchronously by S3 notifications; Lambda retries a failed asynchronous invocation twice (the default
 *   `MaximumRetryAttempts` of 2: three attempts in all), then sends the event to the function's dead-letter queue
 *   with the `RequestID`, `ErrorCode` and `ErrorMessage` attributes. The local event pumps do the same.
 */

/** The start queue's `maxReceiveCount` (ExecutionStarterProps.maxReceiveCount's default). */
export const START_QUEUE_MAX_RECEIVE_COUNT = 5;

/** Attempts of an asynchronous Lambda invocation (an S3 event): the first and the default 2 retries. */
export const DROP_EVENT_ATTEMPTS = 3;

/** Lambda keeps at most the first 1 KB of the error message in the dead-letter message's `ErrorMessage`. */
const ERROR_MESSAGE_LIMIT = 1024;

/** URLs of the local dead-letter queues. */
export interface DeadLetterQueues {
  /** Start messages received `START_QUEUE_MAX_RECEIVE_COUNT` times without success. */
  readonly start: string;
  /** S3 events `ingest-file` / `ingest-payments` failed `DROP_EVENT_ATTEMPTS` times on. */
  readonly drop: string;
}

/** Names of the local dead-letter queues, from the start queue's. */
export function deadLetterQueueNames(startQueueName: string): { start: string; drop: string } {
  const stem = startQueueName.endsWith('-start') ? startQueueName.slice(0, -'-start'.length) : startQueueName;
  return { start: `${startQueueName}-dlq`, drop: `${stem}-drop-dlq` };
}

/**
 * Creates both dead-letter queues (idempotently: CreateQueue finds an existing one) next to the start queue, and
 * gives the start queue its redrive policy. Queue URLs keep the start queue's origin (see provision.ts:
 * fauxqs's own URLs name a host that does not resolve everywhere).
 */
export async function provisionDeadLetterQueues(sqs: SQSClient, startQueueUrl: string): Promise<DeadLetterQueues> {
  const cut = startQueueUrl.lastIndexOf('/');
  const base = startQueueUrl.slice(0, cut + 1);
  const names = deadLetterQueueNames(startQueueUrl.slice(cut + 1));
  for (const name of [names.start, names.drop]) await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const urls: DeadLetterQueues = { start: `${base}${names.start}`, drop: `${base}${names.drop}` };
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: urls.start, AttributeNames: ['QueueArn'] }),
  );
  const deadLetterTargetArn = Attributes?.QueueArn;
  if (deadLetterTargetArn === undefined) throw new Error(`SQS GetQueueAttributes ${names.start}: no QueueArn`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: startQueueUrl,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: START_QUEUE_MAX_RECEIVE_COUNT }),
      },
    }),
  );
  return urls;
}

/**
 * Sends a failed asynchronous invocation's event to a dead-letter queue as Lambda does: the event as the body,
 * `RequestID`, `ErrorCode` (the invoke API's status: 200 for a function error) and `ErrorMessage` as attributes.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  event: unknown,
  error: Error,
): Promise<void> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        RequestID: text(crypto.randomUUID()),
        ErrorCode: text('200'),
        ErrorMessage: text(`${error.name}: ${error.message}`.slice(0, ERROR_MESSAGE_LIMIT) || 'Error'),
      },
    }),
  );
}
