import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { INCOMING_PREFIX, type IngestReport } from '../../functions/ingest/ingest-file';
import { PAYMENTS_PREFIX, type PaymentIngestReport } from '../../functions/ingest/ingest-payments';
import type { ProvisionedResources } from '../emulators';
import type { VirtualClock } from '../stepfunctions/virtual-clock';
import type { ActivityTracker } from './activity-tracker';
import {
  type DropFolder,
  drainStartQueue,
  type Invoke,
  listIncoming,
  objectCreatedEvent,
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
 */

/** Hears about each dropped file once it is ingested (or failed). */
export type OnDrop = (name: string, outcome: { report?: IngestReport; error?: Error }) => void;

export interface EventPumpsDeps {
  readonly tracker: ActivityTracker;
  readonly clock: VirtualClock;
  readonly invoke: Invoke;
  readonly clients: { readonly s3: S3Client; readonly sqs: SQSClient };
  readonly resources: ProvisionedResources;
  readonly drop: DropFolder | undefined;
  /** Saves the runtime state (each background pass ends with it). */
  readonly saveState: () => void;
}

export class EventPumps {
  private readonly ingesting = new Set<string>();
  private readonly dropSizes = new Map<string, number>();
  /** Dropped files being uploaded and ingested (a file stays in incoming/ until then). */
  private readonly dropping = new Set<string>();
  private readonly background = new AbortController();
  private readonly backgroundTasks: Promise<void>[] = [];
  private drainingStarts: Promise<void> | undefined;

  constructor(private readonly deps: EventPumpsDeps) {}

  /** Hands what the start queue holds to the starter (an SQS event source mapping's job), unless that runs already. */
  kickStarts(): void {
    if (this.drainingStarts) return;
    const { tracker, clients, resources, invoke } = this.deps;
    this.drainingStarts = tracker
      .track(() => drainStartQueue(clients.sqs, resources.queueUrl, invoke))
      .then(
        () => undefined,
        (error: unknown) => console.error(`start queue: ${(error as Error).message}`),
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
          for (const key of await listIncoming(clients.s3, resources.bucket)) {
            // a file of the drop folder is ingested (and then moved) by the drop folder's own pass
            if (!this.dropping.has(key.slice(INCOMING_PREFIX.length))) void this.ingest(key);
          }
          for (const key of await listIncoming(clients.s3, resources.bucket, PAYMENTS_PREFIX)) {
            void this.ingestPayments(key);
          }
          this.deps.saveState();
        } catch (error) {
          if (!signal.aborted) console.error(`local runtime: ${(error as Error).message}`);
        }
      }
    };
    this.backgroundTasks.push(loop());
  }

  /** Stops the background loop and waits for its passes to end. */
  async stopBackground(): Promise<void> {
    this.background.abort();
    await Promise.allSettled(this.backgroundTasks);
  }

  private async pollDropFolder(onDrop?: OnDrop): Promise<void> {
    const { drop, clients, resources } = this.deps;
    if (!drop) return;
    for (const name of await readyDropFiles(drop, this.dropSizes)) {
      if (this.dropping.has(name)) continue;
      this.dropping.add(name);
      void (async () => {
        try {
          const body = await readFile(join(drop.incoming, name));
          const { key, size } = await uploadDropFile(clients.s3, resources.bucket, name, body);
          const outcome = await this.ingest(key, size);
          if (!outcome) return; // the bucket poll is ingesting it: that one settles
          await settleDropFile(drop, name, outcome.report);
          onDrop?.(name, outcome);
        } catch (error) {
          onDrop?.(name, { error: error as Error });
        } finally {
          this.dropping.delete(name);
          this.dropSizes.delete(name);
        }
      })();
    }
  }
}
