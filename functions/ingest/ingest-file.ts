import type { S3Client } from '@aws-sdk/client-s3';
import { validateInvoiceRecord } from '../invoices/input/invoice-record';
import type { InvoiceRegistration } from '../invoices/invoice';
import { log } from '../platform/logger';
import { finishDropFile, openDropFile, type RejectedFileRow, unsupportedFileRow, validRecord } from './drop-file';
import { FirstLines } from './first-lines';
import { formatFromKey, parseRecords } from './parse-records';
import { type RegisterDeps, registerInvoices } from './register-invoices';

export const INCOMING_PREFIX = 'incoming/';
export const PROCESSED_PREFIX = 'processed/';
export const REJECTED_PREFIX = 'rejected/';

export interface IngestDeps extends RegisterDeps {
  readonly s3: S3Client;
  /** Rows registered per batch (each batch is registered with bounded concurrency). */
  readonly batchSize?: number;
}

export type RejectedRow = RejectedFileRow;

/** The report written next to a file with rejected rows: `rejected/<name>.errors.json`. */
export interface IngestReport {
  readonly file: string;
  readonly processedAt: string;
  readonly totals: { rows: number; registered: number; duplicates: number; rejected: number; failed: number };
  readonly rejected: RejectedRow[];
  readonly failed: { invoiceId: string; error: string }[];
}

/**
 * Ingests one dropped file: streams it, registers every valid row (in batches, so memory stays flat), lists every
 * invalid row once, with its line and fields, in `rejected/<name>.errors.json`, then moves the file to `processed/`.
 * A file with one bad row still registers every good row. A row repeating an invoice id seen earlier in the file is
 * rejected naming that line (rows of one batch register concurrently, so which of the two was stored would be
 * chance). The same event delivered twice is harmless: a file already moved is skipped, and registration is
 * idempotent by invoice id. Text echoed into the report is neutralised against spreadsheet formula injection.
 */
export async function ingestFile(bucket: string, key: string, deps: IngestDeps): Promise<IngestReport | undefined> {
  if (!key.startsWith(INCOMING_PREFIX)) {
    log.warn('ignoring object outside incoming/', { key });
    return undefined;
  }
  const name = key.slice(INCOMING_PREFIX.length);
  const format = formatFromKey(key);
  const processedAt = deps.now().toISOString();
  const rejected: RejectedRow[] = [];
  const failed: { invoiceId: string; error: string }[] = [];
  let rows = 0;
  let registered = 0;
  let duplicates = 0;

  if (!format) {
    rejected.push(unsupportedFileRow());
  } else {
    const opened = await openDropFile(deps.s3, bucket, key);
    if (!opened) {
      log.info('file already processed (duplicate event)', { key });
      return undefined;
    }
    const { body, contentLength: fileBytes } = opened;
    const batchSize = deps.batchSize ?? 200;
    const firstLines = new FirstLines();
    const bytes = { read: 0 };
    let batch: InvoiceRegistration[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const summary = await registerInvoices(batch, deps);
      registered += summary.registered.length;
      duplicates += summary.duplicates.length;
      failed.push(...summary.failed);
      batch = [];
    };
    for await (const parsed of parseRecords(countBytes(body, bytes), format)) {
      rows++;
      if (rows === SIZE_SAMPLE_ROWS && fileBytes !== undefined && bytes.read > 0) {
        // The rows so far tell how many the file holds: room for all their ids is taken now, not along the file.
        const expected = Math.ceil((fileBytes / bytes.read) * rows * 1.1);
        firstLines.reserve(Math.min(expected, MAX_RESERVED_IDS));
      }
      const registration = validRecord(parsed, validateInvoiceRecord, rejected);
      if (registration === undefined) continue;
      const { invoiceId } = registration;
      const firstLine = firstLines.firstLineOrAdd(invoiceId, parsed.line);
      if (firstLine !== undefined) {
        rejected.push({
          line: parsed.line,
          invoiceId,
          issues: [{ path: 'invoiceId', issue: `repeats the invoice id of line ${firstLine} in this file` }],
        });
        continue;
      }
      batch.push(registration);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }

  const report: IngestReport = {
    file: key,
    processedAt,
    totals: { rows, registered, duplicates, rejected: rejected.length, failed: failed.length },
    rejected,
    failed,
  };
  // Infrastructure trouble (throttling, queue down) keeps the file in incoming/ for a retry of the S3 event.
  await finishDropFile(deps.s3, bucket, key, {
    report,
    reportKey: `${REJECTED_PREFIX}${name}.errors.json`,
    processedKey: `${PROCESSED_PREFIX}${name}`,
    failedMessage: `${failed.length} row(s) of ${key} could not be registered yet; the file stays in incoming/ for a retry`,
  });
  log.info('file ingested', { key, ...report.totals });
  return report;
}

/** Rows read before the file's row count is estimated (from the bytes they took and the file's size). */
const SIZE_SAMPLE_ROWS = 5000;
/** The most ids room is made for ahead (about 64 MB); a file with more grows the table as it goes. */
const MAX_RESERVED_IDS = 4_000_000;

/** Passes the body on, adding the size of each chunk to `bytes.read` (the bytes read so far, read-ahead included). */
async function* countBytes(
  body: AsyncIterable<Uint8Array>,
  bytes: { read: number },
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of body) {
    bytes.read += chunk.length;
    yield chunk;
  }
}
