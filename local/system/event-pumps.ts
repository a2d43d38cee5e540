import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { INCOMING_PREFIX, type IngestReport } from '../../functions/ingest/ingest-file';
import { PAYMENTS_PREFIX, type PaymentIngestReport } from '../../functions/ingest/ingest-payments';
import type { ProvisionedResources } from '../emulators';
import type { VirtualClock } from '../stepfunctions/virtual-clock';
import type { ActivityTracker } from './activity-tracker';
import { type DeadLetterQueues, DROP_EVENT_ATTEMPTS, sendToDeadLetterQueue } from './dead-letter-queues';
import {
  type DropFolder,
  drainStartQueue,
  type Invoke,
  type ListedObject,
  type Log,
  listIncoming,
  objectCreatedEvent,
  type ReadyDropFile,
  readIngestReport,
  readPaymentReport,
  readyDropFiles,
  settleDropFile,
  uploadDropFile,
} from './event-sources';

/**
 * The pumps that play Lambda's event sources in the local system: the start queue drained into the starter, objects
 * under `incoming/` and `payments/` of the drop bucket ingested, files of the drop folder uploaded and settled, and
 * the background loop of a long-running system (`npm start`) that runs them every so often. All their work is
 * tracked, so the system knows when it is idle.
 *
 * An S3 event is an asynchronous Lambda invocation on AWS: a failed one is tried again (here: on a later pass of
 * the background loop), and after `DROP_EVENT_ATTEMPTS` attempts it goes to the drop's dead-letter queue and is not
 * tried again (unless the object is put again: a new event). Every failed attempt is one log line; a failure never
 * escapes the loop, so `npm start` keeps serving the other files.
 */

/** Hears about each dropped file once it is ingested, or each time it failed (`deadLettered`: given up on). */
export type OnDrop = (
  name: string,
  outcome: { report?: IngestReport; error?: Error; attempt?: number; deadLettered?: boolean },
) => void;

export interface EventPumpsDeps {
  readonly tracker: ActivityTracker;
  readonly clock: VirtualClock;
  readonly invoke: Invoke;
  readonly clients: { readonly s3: S3Client; readonly sqs: SQSClient };
  readonly resources: ProvisionedResources;
  /** Where S3 events go after their last failed attempt (see dead-letter-queues.ts). */
  readonly deadLetters: DeadLetterQueues;
  readonly drop: DropFolder | undefined;
  /** Saves the runtime state (each background pass ends with it). */
  readonly saveState: () => void;
  /** One line per failure (default console.error). */
  readonly log?: Log;
}

/** Attempts made on one S3 event (one version of an object) or one version of a drop-folder file. */
interface Attempts {
  readonly version: string;
  failed: number;
  /** Given up on after its last attempt: not tried again until a new version comes. */
  deadLettered: boolean;
}

/** The drop folder's own record of a file: its attempts, and its key once uploaded. */
interface DropAttempts extends Attempts {
  uploaded?: { key: string; size: number };
}

export class EventPumps {
  private readonly ingesting = new Set<string>();
  private readonly dropSizes = new Map<string, number>();
  /** Dropped files being uploaded and ingested (a file stays in incoming/ until then). */
  private readonly dropping = new Set<string>();
  /** Failed attempts of the drop folder's files, by name (their objects are left to the drop folder's pass). */
  private readonly dropAttempts = new Map<string, DropAttempts>();
  /** Failed attempts of the S3 events the bucket poll delivers, by key. */
  private readonly eventAttempts = new Map<string, Attempts>();
  private readonly background = new AbortController();
  private readonly backgroundTasks: Promise<void>[] = [];
  private drainingStarts: Promise<void> | undefined;
  private readonly log: Log;

  constructor(private readonly deps: EventPumpsDeps) {
    this.log = deps.log ?? console.error;
  }

  /** Hands what the start queue holds to the starter (an SQS event source mapping's job), unless that runs already. */
  kickStarts(): void {
    if (this.drainingStarts) return;
    const { tracker, clients, resources, invoke } = this.deps;
    this.drainingStarts = tracker
      .track(() => drainStartQueue(clients.sqs, resources.queueUrl, invoke, { log: this.log }))
      .then(
        () => undefined,
        // the whole batch failed: its messages come back after their visibility timeout
        (error: unknown) => this.log(`start queue: the batch failed: ${describe(error)}; retried`),
      )
      .finally(() => {
        this.drainingStarts = undefined;
      });
  }

  /** See LocalSystem.ingest. */
  ingest(key: string, size = 0): Promise<{ report?: IngestReport } | undefined> {
    return this.ingestObject('ingest-file', key, size, readIngestReport, () => this.kickStarts());
  }

  /** See LocalSystem.ingestPayments. */
  ingestPayments(key: string, size = 0): Promise<{ report?: PaymentIngestReport } | undefined> {
    return this.ingestObject('ingest-payments', key, size, readPaymentReport);
  }

  /**
   * Hands one object of the drop bucket to `handler` as its ObjectCreated notification (unless the key is being
   * ingested already: undefined), then `afterwards`; returns the rejected-rows report the handler wrote for it in
   * this run, if any.
   */
  private async ingestObject<Report extends { readonly file: string; readonly processedAt: string }>(
    handler: string,
    key: string,
    size: number,
    readReport: (s3: S3Client, bucket: string, key: string) => Promise<Report | undefined>,
    afterwards: () => void = () => {},
  ): Promise<{ report?: Report } | undefined> {
    if (this.ingesting.has(key)) return undefined;
    this.ingesting.add(key);
    const { tracker, clock, clients, resources, invoke } = this.deps;
    try {
      return await tracker.track(async () => {
        const startedAt = clock.now().toISOString();
        await invoke(handler, objectCreatedEvent(resources.bucket, key, size));
        afterwards();
        const report = await readReport(clients.s3, resources.bucket, key);
        const fresh = report && report.file === key && report.processedAt >= startedAt ? report : undefined;
        return fresh ? { report: fresh } : {};
      });
    } finally {
      this.ingesting.delete(key);
    }
  }

  /**
   * One attempt at the S3 event of a listed object (the bucket poll's), as Lambda's asynchronous invocation makes
   * it: a failure is logged and counted, and after the last attempt the event goes to the dead-letter queue. Never
   * rejects.
   */
  private async deliver(handler: 'ingest-file' | 'ingest-payments', object: ListedObject): Promise<void> {
    const { key, size, version } = object;
    let attempts = this.eventAttempts.get(key);
    if (attempts?.version !== version) {
      attempts = { version, failed: 0, deadLettered: false };
      this.eventAttempts.set(key, attempts);
    }
    if (attempts.deadLettered) return;
    try {
      const outcome = handler === 'ingest-file' ? await this.ingest(key, size) : await this.ingestPayments(key, size);
      if (outcome) this.eventAttempts.delete(key);
    } catch (error) {
      await this.failedAttempt(key, size, attempts, error);
    }
  }

  /**
   * Counts a failed attempt at the S3 event of `key` and logs it as one line; after the last one, sends the event to
   * the drop's dead-letter queue and marks it given up. Never rejects.
   */
  private async failedAttempt(key: string, size: number, attempts: Attempts, error: unknown): Promise<void> {
    attempts.failed += 1;
    const attempt = `attempt ${attempts.failed} of ${DROP_EVENT_ATTEMPTS}`;
    if (attempts.failed < DROP_EVENT_ATTEMPTS) {
      this.log(`drop: ${key}: ${attempt} failed: ${describe(error)}; tried again`);
      return;
    }
    attempts.deadLettered = true;
    const { clients, resources, deadLetters } = this.deps;
    try {
      const event = objectCreatedEvent(resources.bucket, key, size);
      await sendToDeadLetterQueue(clients.sqs, deadLetters.drop, event, asError(error));
      this.log(`drop: ${key}: ${attempt} failed: ${describe(error)}; its S3 event is in the drop's dead-letter queue`);
    } catch (dlqError) {
      this.log(
        `drop: ${key}: ${attempt} failed: ${describe(error)}; given up (dead-letter queue: ${describe(dlqError)})`,
      );
    }
  }

  /**
   * Counts a failed upload of a drop-folder file and logs it as one line. No object was created, so there is no S3
   * event to dead-letter: after the last attempt the file stays in the drop folder until it changes.
   */
  private failedUpload(name: string, attempts: Attempts, error: unknown): void {
    attempts.failed += 1;
    const attempt = `upload attempt ${attempts.failed} of ${DROP_EVENT_ATTEMPTS}`;
    if (attempts.failed < DROP_EVENT_ATTEMPTS) {
      this.log(`drop folder: ${name}: ${attempt} failed: ${describe(error)}; tried again`);
      return;
    }
    attempts.deadLettered = true;
    this.log(
      `drop folder: ${name}: ${attempt} failed: ${describe(error)}; it stays in the drop folder's incoming/, not tried again until it changes`,
    );
  }

  /** See LocalSystem.startBackground. */
  startBackground(options: { intervalMs?: number; onDrop?: OnDrop } = {}): void {
    const interval = options.intervalMs ?? 500;
    const signal = this.background.signal;
    const { clients, resources } = this.deps;
    const loop = async (): Promise<void> => {
      while (!signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        if (signal.aborted) return;
        try {
          this.kickStarts();
          await this.pollDropFolder(options.onDrop);
          const invoices = await listIncoming(clients.s3, resources.bucket);
          const payments = await listIncoming(clients.s3, resources.bucket, PAYMENTS_PREFIX);
          this.forgetGone([...invoices, ...payments]);
          for (const object of invoices) {
            // a file of the drop folder is ingested (and then moved) by the drop folder's own pass
            if (!this.ownedByDropFolder(object.key.slice(INCOMING_PREFIX.length)))
              void this.deliver('ingest-file', object);
          }
          for (const object of payments) {
            void this.deliver('ingest-payments', object);
          }
          this.deps.saveState();
        } catch (error) {
          if (!signal.aborted) this.log(`local runtime: ${describe(error)}`);
        }
      }
    };
    this.backgroundTasks.push(loop());
  }

  /** Forgets the attempts of S3 events whose objects are gone (moved by a later success, or deleted). */
  private forgetGone(listed: readonly ListedObject[]): void {
    const keys = new Set(listed.map((object) => object.key));
    for (const key of this.eventAttempts.keys()) if (!keys.has(key)) this.eventAttempts.delete(key);
  }

  /** Stops the background loop and waits for its passes to end. */
  async stopBackground(): Promise<void> {
    this.background.abort();
    await Promise.allSettled(this.backgroundTasks);
  }

  /** Whether the drop folder's pass deals with the object `incoming/<name>` (being dropped, or failed there). */
  private ownedByDropFolder(name: string): boolean {
    return this.dropping.has(name) || this.dropAttempts.has(name);
  }

  private async pollDropFolder(onDrop?: OnDrop): Promise<void> {
    const { drop } = this.deps;
    if (!drop) return;
    for (const file of await readyDropFiles(drop, this.dropSizes)) {
      if (this.dropping.has(file.name)) continue;
      let attempts = this.dropAttempts.get(file.name);
      if (attempts?.version !== file.version) {
        attempts = { version: file.version, failed: 0, deadLettered: false };
        this.dropAttempts.set(file.name, attempts);
      }
      if (attempts.deadLettered) continue;
      this.dropping.add(file.name);
      void this.dropFile(drop, file, attempts, onDrop);
    }
  }

  /**
   * One attempt at a file of the drop folder: uploads it (once), ingests it, settles it. A failure (the upload, e.g.
   * over the emulator's 11 MiB request limit, or the ingestion) is counted and logged as an attempt of its S3 event;
   * after the last one the file stays in the drop folder's incoming/ and is not tried again until it changes.
   * Never rejects.
   */
  private async dropFile(
    drop: DropFolder,
    file: ReadyDropFile,
    attempts: DropAttempts,
    onDrop?: OnDrop,
  ): Promise<void> {
    const { clients, resources } = this.deps;
    const { name } = file;
    try {
      if (!attempts.uploaded) {
        const body = await readFile(join(drop.incoming, name));
        attempts.uploaded = await uploadDropFile(clients.s3, resources.bucket, name, body);
      }
      const outcome = await this.ingest(attempts.uploaded.key, attempts.uploaded.size);
      if (!outcome) return; // being ingested already: that one settles
      await settleDropFile(drop, name, outcome.report);
      this.dropAttempts.delete(name);
      onDrop?.(name, outcome);
    } catch (error) {
      if (attempts.uploaded) {
        await this.failedAttempt(attempts.uploaded.key, attempts.uploaded.size, attempts, error);
      } else {
        this.failedUpload(name, attempts, error);
      }
      onDrop?.(name, { error: asError(error), attempt: attempts.failed, deadLettered: attempts.deadLettered });
    } finally {
      this.dropping.delete(name);
      this.dropSizes.delete(name);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** An error as a log line names it: its name and message (never the event or the rows it was about). */
function describe(error: unknown): string {
  const { name, message } = asError(error);
  return `${name}: ${message}`;
}
