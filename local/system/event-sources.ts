import { copyFile, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { INCOMING_PREFIX, type IngestReport, REJECTED_PREFIX } from '../../functions/ingest/ingest-file';
import { type PaymentIngestReport, paymentReportKey } from '../../functions/ingest/ingest-payments';
import { START_QUEUE_MAX_RECEIVE_COUNT } from './dead-letter-queues';

/**
 * What Lambda's event sources do on AWS, done by the local system: an SQS event source mapping for the start queue
 * (batches of 10, partial batch failures) and S3 `ObjectCreated` notifications for `incoming/` in the drop bucket
 * (fauxqs has no bucket notifications, so the bucket is listed), plus a drop folder on disk.
 */

/** Calls a Lambda handler in-process (see LocalSystem.invoke). */
export type Invoke = (handler: string, event: unknown) => Promise<unknown>;

/** Where the event sources write their one-line failure reports (console.error by default). */
export type Log = (line: string) => void;

/**
 * Drains the start queue into the `start-executions` handler: receives batches of up to 10 messages, hands them over
 * as an SQS event, deletes the ones the handler did not report as failed (a failed one becomes visible again after
 * its visibility timeout and is retried; the queue's redrive policy moves it to the dead-letter queue on the receive
 * after its `maxReceiveCount`-th). Each failed message is logged as one line. Returns how many messages were handed
 * over.
 */
export async function drainStartQueue(
  sqs: SQSClient,
  queueUrl: string,
  invoke: Invoke,
  options: {
    readonly log?: Log;
    /**
     * How long a received message stays invisible (real seconds: fauxqs keeps them on the wall clock). The stack's
     * 180 s (six times the starter's timeout) would hold a failed start for 3 real minutes here. @default 5
     */
    readonly visibilityTimeoutSeconds?: number;
  } = {},
): Promise<number> {
  const log = options.log ?? console.error;
  let handed = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return handed;
    const event: SQSEvent = {
      Records: Messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.SentTimestamp ?? '0',
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop() ?? ''}`,
        awsRegion: 'us-east-1',
      })),
    };
    const response = (await invoke('start-executions', event)) as SQSBatchResponse | undefined;
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
    for (const m of Messages) {
      if (!failed.has(m.MessageId ?? '')) continue;
      const receives = Number(m.Attributes?.ApproximateReceiveCount ?? '1');
      const next =
        receives >= START_QUEUE_MAX_RECEIVE_COUNT
          ? "it goes to the starter's dead-letter queue"
          : 'retried after its visibility timeout';
      log(
        `start queue: message ${m.MessageId} failed (receive ${receives} of ${START_QUEUE_MAX_RECEIVE_COUNT}); ${next}`,
      );
    }
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    handed += Messages.length;
    if (failed.size > 0) return handed; // the failed ones come back after their visibility timeout
  }
}

/** An object of the bucket as a listing shows it. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** Changes when the object is put again (a new ObjectCreated event on AWS). */
  readonly version: string;
}

/** The objects under `incoming/` (or another prefix, e.g. `payments/`) in the bucket, oldest first. */
export async function listIncoming(s3: S3Client, bucket: string, prefix = INCOMING_PREFIX): Promise<ListedObject[]> {
  const found: (ListedObject & { at: number })[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key && object.Key !== prefix) {
        const at = object.LastModified?.getTime() ?? 0;
        found.push({ key: object.Key, size: object.Size ?? 0, version: `${object.ETag ?? ''}@${at}`, at });
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found
    .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key))
    .map(({ key, size, version }) => ({ key, size, version }));
}

/** The S3 `ObjectCreated:Put` event Lambda would receive for `key` (keys URL-encoded, spaces as '+'). */
export function objectCreatedEvent(bucket: string, key: string, size: number): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'incoming',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: key.split('/').map(encodeURIComponent).join('/').replace(/%20/g, '+'),
            size,
            eTag: '',
            sequencer: '0',
          },
        },
      },
    ],
  };
}

/** The rejected-rows report the ingest-payments handler wrote for the payment file `key`, if any. */
export async function readPaymentReport(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<PaymentIngestReport | undefined> {
  return readJsonObject<PaymentIngestReport>(s3, bucket, paymentReportKey(key));
}

/** The rejected-rows report the ingest handler wrote for `key`, if any. */
export async function readIngestReport(s3: S3Client, bucket: string, key: string): Promise<IngestReport | undefined> {
  const name = key.slice(INCOMING_PREFIX.length);
  return readJsonObject<IngestReport>(s3, bucket, `${REJECTED_PREFIX}${name}.errors.json`);
}

/** An object of the bucket parsed as JSON (a report a handler wrote); undefined when there is no such key. */
async function readJsonObject<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString('utf8')) ?? '{}') as T;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The drop folder's layout: files are dropped in `incoming/`, then moved to `processed/`; reports in `rejected/`. */
export interface DropFolder {
  readonly root: string;
  readonly incoming: string;
  readonly processed: string;
  readonly rejected: string;
}

export function dropFolder(root: string): DropFolder {
  return {
    root,
    incoming: join(root, 'incoming'),
    processed: join(root, 'processed'),
    rejected: join(root, 'rejected'),
  };
}

export async function ensureDropFolder(folder: DropFolder): Promise<void> {
  for (const dir of [folder.incoming, folder.processed, folder.rejected]) await mkdir(dir, { recursive: true });
}

/** A file of the drop folder that is ready to be uploaded. */
export interface ReadyDropFile {
  readonly name: string;
  /** Size and modification time: changes when the file is replaced. */
  readonly version: string;
}

/**
 * Files in the drop folder's `incoming/` that are ready: not hidden or temporary, and the same size as at the last
 * look (a file still being copied in waits for the next look). `sizes` carries the last look's sizes.
 */
export async function readyDropFiles(folder: DropFolder, sizes: Map<string, number>): Promise<ReadyDropFile[]> {
  const ready: ReadyDropFile[] = [];
  const seen = new Set<string>();
  for (const name of (await readdir(folder.incoming)).sort()) {
    if (name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.part') || name.endsWith('~')) continue;
    const file = join(folder.incoming, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    seen.add(name);
    if (sizes.get(name) === info.size) ready.push({ name, version: `${info.size}@${info.mtimeMs}` });
    sizes.set(name, info.size);
  }
  for (const name of sizes.keys()) if (!seen.has(name)) sizes.delete(name);
  return ready;
}

/** Uploads a dropped file to the bucket's `incoming/` (as an S3 client would); returns the key and size. */
export async function uploadDropFile(
  s3: S3Client,
  bucket: string,
  name: string,
  body: Buffer,
): Promise<{ key: string; size: number }> {
  const key = `${INCOMING_PREFIX}${name}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { key, size: body.length };
}

/**
 * After ingestion: the report (if any) lands in `rejected/` (written whole, then renamed, so a reader never sees half
 * of it), then the dropped file moves to `processed/`.
 */
export async function settleDropFile(
  folder: DropFolder,
  name: string,
  report: IngestReport | undefined,
): Promise<void> {
  if (report) {
    const file = join(folder.rejected, `${basename(name)}.errors.json`);
    await writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }
  const from = join(folder.incoming, name);
  const to = join(folder.processed, name);
  await rename(from, to).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV') throw error;
    await copyFile(from, to); // another file system: copy, then remove
    await unlink(from);
  });
}
