import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FauxqsEmulator, startFauxqsEmulator } from '../../../local/emulators/fauxqs';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { ActivityTracker } from '../../../local/system/activity-tracker';
import {
  type DeadLetterQueues,
  DROP_EVENT_ATTEMPTS,
  provisionDeadLetterQueues,
  START_QUEUE_MAX_RECEIVE_COUNT,
} from '../../../local/system/dead-letter-queues';
import { EventPumps } from '../../../local/system/event-pumps';
import { drainStartQueue } from '../../../local/system/event-sources';

// The local event pumps play Lambda's event sources as the stack configures them: an S3 event whose ingestion keeps
// failing is tried DROP_EVENT_ATTEMPTS times (an asynchronous invocation and its 2 retries), then lands in the drop's
// dead-letter queue and is not tried again, while other files are still served; a start message failed
// START_QUEUE_MAX_RECEIVE_COUNT times moves to the starter's dead-letter queue (the queue's redrive policy).

const BUCKET = 'pumps-drops';
const QUEUE = 'pumps-start';

let fauxqs: FauxqsEmulator;
let s3: S3Client;
let sqs: SQSClient;
let queueUrl: string;
let deadLetters: DeadLetterQueues;

beforeEach(async () => {
  fauxqs = await startFauxqsEmulator({});
  const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  s3 = new S3Client({ ...sdk, endpoint: fauxqs.url, forcePathStyle: true });
  sqs = new SQSClient({ ...sdk, endpoint: fauxqs.url });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
  queueUrl = `${fauxqs.url}/000000000000/${QUEUE}`;
  deadLetters = await provisionDeadLetterQueues(sqs, queueUrl);
});

afterEach(async () => {
  s3.destroy();
  sqs.destroy();
  await fauxqs.stop();
});

/** Every message a queue holds now (received with a long visibility timeout, so each once). */
async function messagesOf(url: string): Promise<{ body: string; attributes: Record<string, string> }[]> {
  const found: { body: string; attributes: Record<string, string> }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return found;
    for (const m of Messages) {
      const attributes = Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
      );
      found.push({ body: m.Body ?? '', attributes });
    }
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function keyOf(event: unknown): string {
  return decodeURIComponent((event as S3Event).Records[0]?.s3.object.key ?? '');
}

describe('a drop file whose ingestion keeps failing', () => {
  it('is tried 3 times, then its S3 event is in the dead-letter queue; a good file after it is still served', async () => {
    // Prepare: ingest-file fails on bad.csv (as a handler that throws on every attempt), succeeds on good.csv
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const attemptsByKey = new Map<string, number>();
    const lines: string[] = [];
    const pumps = new EventPumps({
      tracker: new ActivityTracker(),
      clock: new VirtualClock(new Date('2026-11-01T12:00:00Z')),
      invoke: async (handler, event) => {
        if (handler !== 'ingest-file') return { batchItemFailures: [] };
        const key = keyOf(event);
        attemptsByKey.set(key, (attemptsByKey.get(key) ?? 0) + 1);
        if (key === 'incoming/bad.csv') throw new TypeError('Cannot read the file');
        return undefined;
      },
      clients: { s3, sqs },
      resources: { tableName: 't', bucket: BUCKET, queueUrl, topicArn: 'arn:aws:sns:us-east-1:000000000000:t' },
      deadLetters,
      drop: undefined,
      saveState: () => {},
      log: (line) => lines.push(line),
    });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/bad.csv', Body: 'invoiceId\nINV-1\n' }));

    // Act: the background loop runs; the good file arrives after the bad one failed once
    pumps.startBackground({ intervalMs: 10 });
    try {
      await until(() => (attemptsByKey.get('incoming/bad.csv') ?? 0) >= 1, 'the first attempt');
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/good.csv', Body: 'invoiceId\nINV-2\n' }));
      await until(() => (attemptsByKey.get('incoming/good.csv') ?? 0) >= 1, 'the good file');
      await until(() => lines.some((l) => l.includes('dead-letter queue')), 'the dead-letter line');
      // more passes of the loop: the dead-lettered event is not tried again
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await pumps.stopBackground();
      process.off('unhandledRejection', onUnhandled);
    }

    // Assess
    expect(unhandled).toEqual([]);
    expect(attemptsByKey.get('incoming/bad.csv')).toBe(DROP_EVENT_ATTEMPTS);
    const badLines = lines.filter((l) => l.includes('incoming/bad.csv'));
    expect(badLines).toEqual([
      'drop: incoming/bad.csv: attempt 1 of 3 failed: TypeError: Cannot read the file; tried again',
      'drop: incoming/bad.csv: attempt 2 of 3 failed: TypeError: Cannot read the file; tried again',
      "drop: incoming/bad.csv: attempt 3 of 3 failed: TypeError: Cannot read the file; its S3 event is in the drop's dead-letter queue",
    ]);
    const dead = await messagesOf(deadLetters.drop);
    expect(dead).toHaveLength(1);
    expect(keyOf(JSON.parse(dead[0]?.body ?? '{}'))).toBe('incoming/bad.csv');
    expect(dead[0]?.attributes).toMatchObject({ ErrorCode: '200', ErrorMessage: 'TypeError: Cannot read the file' });
  });
});

describe('a start message the starter keeps failing', () => {
  it(`moves to the starter's dead-letter queue after ${START_QUEUE_MAX_RECEIVE_COUNT} receives`, async () => {
    // Prepare: the starter reports every record as a failed batch item (a start throttled again and again)
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ invoiceId: 'INV-9' }) }));
    const receives: string[] = [];
    const lines: string[] = [];
    const invoke = async (_handler: string, event: unknown): Promise<SQSBatchResponse> => {
      const records = (event as SQSEvent).Records;
      receives.push(...records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
    };

    // Act: the event source mapping polls again and again (visible again at once: visibility timeout 0)
    for (let poll = 0; poll < START_QUEUE_MAX_RECEIVE_COUNT + 2; poll++) {
      await drainStartQueue(sqs, queueUrl, invoke, { visibilityTimeoutSeconds: 0, log: (l) => lines.push(l) });
    }

    // Assess: handed over 5 times, then in the dead-letter queue, not on the start queue
    expect(receives).toEqual(['1', '2', '3', '4', '5']);
    expect(lines.at(-1)).toMatch(/failed \(receive 5 of 5\); it goes to the starter's dead-letter queue$/);
    expect((await messagesOf(deadLetters.start)).map((m) => JSON.parse(m.body))).toEqual([{ invoiceId: 'INV-9' }]);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});
