import type { S3Client } from '@aws-sdk/client-s3';
import { type PaymentRecord, validatePaymentRecord } from '../invoices/input/payment-record';
import { InvalidTransition } from '../invoices/lifecycle';
import { type PaymentDeps, recordPayment } from '../invoices/payments';
import { mapWithConcurrency } from '../platform/concurrency';
import { log } from '../platform/logger';
import { parseDecimalAmount } from '../values/money';
import { finishDropFile, openDropFile, type RejectedFileRow, unsupportedFileRow, validRecord } from './drop-file';
import { formatFromKey, parseRecords } from './parse-records';

/** Payment files are dropped here (the same bucket as invoice files). */
export const PAYMENTS_PREFIX = 'payments/';
/** Where a payment file goes once read, and where the report of its bad rows lands. */
export const PROCESSED_PAYMENTS_PREFIX = 'processed/payments/';
export const REJECTED_PAYMENTS_PREFIX = 'rejected/payments/';

export interface PaymentIngestDeps extends PaymentDeps {
  readonly s3: S3Client;
  /** Rows applied per batch (rows of different invoices concurrently, rows of one invoice in file order). */
  readonly batchSize?: number;
}

export type RejectedPaymentRow = RejectedFileRow;

/** The report written next to a payment file with bad rows: `rejected/payments/<name>.errors.json`. */
export interface PaymentIngestReport {
  readonly file: string;
  readonly processedAt: string;
  readonly totals: { rows: number; applied: number; duplicates: number; rejected: number; failed: number };
  readonly rejected: RejectedPaymentRow[];
  readonly failed: { line: number; invoiceId: string; error: string }[];
}

/** The report key of a payment file's key (`payments/a.csv` → `rejected/payments/a.csv.errors.json`). */
export function paymentReportKey(key: string): string {
  return `${REJECTED_PAYMENTS_PREFIX}${key.slice(PAYMENTS_PREFIX.length)}.errors.json`;
}

interface PaymentRow {
  readonly line: number;
  readonly payment: PaymentRecord;
}

/**
 * Ingests one payment file (CSV with a header, JSON array or JSON Lines: `invoiceId`, `amount`, optional `currency`,
 * `paidAt`, `reference`): records each valid row as a payment — exactly as `POST /invoices/{id}/payments`, so a full
 * payment ends the walk at once and an overpayment is kept as credit — lists each bad row once, with its line and
 * field, in `rejected/payments/<name>.errors.json` (unknown invoice, amount not in the invoice's currency, an invoice
 * that takes no payments…), and moves the file to `processed/payments/`. Each row is idempotent: by its `reference`,
 * or else by the file's ETag and the row's line, so a file delivered twice (or retried after a failure) never pays
 * twice. Rows of one invoice apply in file order.
 */
export async function ingestPaymentFile(
  bucket: string,
  key: string,
  deps: PaymentIngestDeps,
): Promise<PaymentIngestReport | undefined> {
  if (!key.startsWith(PAYMENTS_PREFIX)) {
    log.warn('ignoring object outside payments/', { key });
    return undefined;
  }
  const name = key.slice(PAYMENTS_PREFIX.length);
  const format = formatFromKey(key);
  const processedAt = deps.now().toISOString();
  const rejected: RejectedPaymentRow[] = [];
  const failed: { line: number; invoiceId: string; error: string }[] = [];
  let rows = 0;
  let applied = 0;
  let duplicates = 0;

  if (!format) {
    rejected.push(unsupportedFileRow());
  } else {
    const opened = await openDropFile(deps.s3, bucket, key);
    if (!opened) {
      log.info('payment file already processed (duplicate event)', { key });
      return undefined;
    }
    const { body } = opened;
    const etag = opened.etag ?? processedAt;
    const apply = async (row: PaymentRow) => {
      const outcome = await applyRow(row, `file:${etag}:${row.line}`, deps);
      switch (outcome.kind) {
        case 'applied':
          applied++;
          break;
        case 'duplicate':
          duplicates++;
          break;
        case 'rejected':
          rejected.push(outcome.row);
          break;
        case 'failed':
          failed.push(outcome.failure);
          break;
      }
    };
    let batch: PaymentRow[] = [];
    const flush = async () => {
      const byInvoice = new Map<string, PaymentRow[]>();
      for (const row of batch)
        byInvoice.set(row.payment.invoiceId, [...(byInvoice.get(row.payment.invoiceId) ?? []), row]);
      await mapWithConcurrency([...byInvoice.values()], 16, async (group) => {
        for (const row of group) await apply(row);
      });
      batch = [];
    };
    for await (const parsed of parseRecords(body, format)) {
      rows++;
      const payment = validRecord(parsed, validatePaymentRecord, rejected);
      if (payment === undefined) continue;
      batch.push({ line: parsed.line, payment });
      if (batch.length >= (deps.batchSize ?? 200)) await flush();
    }
    await flush();
  }

  rejected.sort((a, b) => a.line - b.line);
  failed.sort((a, b) => a.line - b.line);
  const report: PaymentIngestReport = {
    file: key,
    processedAt,
    totals: { rows, applied, duplicates, rejected: rejected.length, failed: failed.length },
    rejected,
    failed,
  };
  // Infrastructure trouble keeps the file for a retry of the S3 event; applied rows are duplicates next time.
  await finishDropFile(deps.s3, bucket, key, {
    report,
    reportKey: paymentReportKey(key),
    processedKey: `${PROCESSED_PAYMENTS_PREFIX}${name}`,
    failedMessage: `${failed.length} payment(s) of ${key} could not be recorded yet; the file stays for a retry`,
  });
  log.info('payment file ingested', { key, ...report.totals });
  return report;
}

type RowOutcome =
  | { kind: 'applied' }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; row: RejectedPaymentRow }
  | { kind: 'failed'; failure: { line: number; invoiceId: string; error: string } };

/** Records one row as a payment; business refusals are rejected rows, anything else a failure (retried). */
async function applyRow(row: PaymentRow, fallbackReference: string, deps: PaymentDeps): Promise<RowOutcome> {
  const { line, payment } = row;
  const reject = (path: string, issue: string): RowOutcome => ({
    kind: 'rejected',
    row: { line, invoiceId: payment.invoiceId, issues: [{ path, issue }] },
  });
  try {
    const invoice = await deps.invoices.getInvoice(payment.invoiceId);
    if (!invoice) return reject('invoiceId', `no invoice ${payment.invoiceId}`);
    const currency = invoice.amount.currency;
    if (payment.currency !== undefined && payment.currency !== currency) {
      return reject('currency', `is ${payment.currency}, but invoice ${payment.invoiceId} is in ${currency}`);
    }
    const amount = parseDecimalAmount(payment.amount, currency);
    if (!amount.ok) return reject('amount', amount.issue);
    const result = await recordPayment(
      {
        invoiceId: payment.invoiceId,
        amountMinor: amount.minor,
        reference: payment.reference ?? fallbackReference,
        ...(payment.paidAt !== undefined ? { paidAt: payment.paidAt } : {}),
      },
      deps,
    );
    return result.event === 'duplicate' ? { kind: 'duplicate' } : { kind: 'applied' };
  } catch (error) {
    if (error instanceof InvalidTransition) return reject('invoiceId', error.message);
    return { kind: 'failed', failure: { line, invoiceId: payment.invoiceId, error: (error as Error).message } };
  }
}
