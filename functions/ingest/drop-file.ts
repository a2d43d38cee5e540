import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RecordOutcome } from '../invoices/input/field-reader';
import { type FieldIssue, spreadsheetSafe } from '../values/field-issue';
import type { ParsedRecord } from './parsed-record';

/** A file of the drop bucket, open for reading. */
export interface OpenedDropFile {
  readonly body: AsyncIterable<Uint8Array>;
  /** The object's ETag without quotes, if S3 gave one. */
  readonly etag?: string;
  readonly contentLength?: number;
}

/**
 * Opens a dropped file; undefined when it is gone — moved to `processed/` by an earlier delivery of the same S3
 * event, which is then harmless.
 */
export async function openDropFile(s3: S3Client, bucket: string, key: string): Promise<OpenedDropFile | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const etag = (object.ETag ?? '').replace(/"/g, '');
    return {
      body: object.Body as AsyncIterable<Uint8Array>,
      ...(etag ? { etag } : {}),
      ...(object.ContentLength !== undefined ? { contentLength: object.ContentLength } : {}),
    };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** A row of a file that was not taken, as the report lists it. */
export interface RejectedFileRow {
  readonly line: number;
  readonly invoiceId?: string;
  readonly issues: FieldIssue[];
}

/** The one row a file of no known format is rejected as. */
export function unsupportedFileRow(): RejectedFileRow {
  return { line: 0, issues: [{ path: '(file)', issue: 'unsupported file type: use .csv, .json or .jsonl' }] };
}

/**
 * The value of one record of a file, checked by `validate`; undefined when the row is rejected (added to `rejected`):
 * the record could not be read, or its fields have issues.
 */
export function validRecord<T>(
  parsed: ParsedRecord,
  validate: (raw: unknown) => RecordOutcome<T>,
  rejected: RejectedFileRow[],
): T | undefined {
  if ('error' in parsed) {
    rejected.push({ line: parsed.line, issues: [{ path: '(record)', issue: parsed.error }] });
    return undefined;
  }
  const validation = validate(parsed.record);
  if (!validation.ok) {
    rejected.push({
      line: parsed.line,
      ...(validation.invoiceId ? { invoiceId: validation.invoiceId } : {}),
      issues: validation.issues,
    });
    return undefined;
  }
  return validation.value;
}

/** What a file's report holds besides its totals: the rows not taken, and those that failed for now. */
export interface DropFileReport<Failure extends { readonly invoiceId: string; readonly error: string }> {
  readonly rejected: readonly RejectedFileRow[];
  readonly failed: readonly Failure[];
}

/**
 * Ends the handling of a dropped file: writes the report to `reportKey` when rows were rejected or failed (every
 * echoed text made safe to open in a spreadsheet, see `spreadsheetSafe`); when rows failed (infrastructure trouble),
 * keeps the file where it is and throws `failedMessage`, so that the S3 event is delivered again (rows already taken
 * are recognised as duplicates then); else moves the file to `processedKey`.
 */
export async function finishDropFile<
  Failure extends { readonly invoiceId: string; readonly error: string },
  Report extends DropFileReport<Failure>,
>(
  s3: S3Client,
  bucket: string,
  key: string,
  outcome: {
    readonly report: Report;
    readonly reportKey: string;
    readonly processedKey: string;
    readonly failedMessage: string;
  },
): Promise<void> {
  const { report } = outcome;
  if (report.rejected.length > 0 || report.failed.length > 0) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: outcome.reportKey,
        Body: JSON.stringify(reportForPeople(report), null, 2),
        ContentType: 'application/json',
      }),
    );
  }
  if (report.failed.length > 0) throw new Error(outcome.failedMessage);
  await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: outcome.processedKey,
      CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
    }),
  );
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** The report with every echoed text made safe to open in a spreadsheet (see `spreadsheetSafe`). */
function reportForPeople<
  Failure extends { readonly invoiceId: string; readonly error: string },
  Report extends DropFileReport<Failure>,
>(report: Report): Report {
  return {
    ...report,
    rejected: report.rejected.map((row) => ({
      line: row.line,
      ...(row.invoiceId !== undefined ? { invoiceId: spreadsheetSafe(row.invoiceId) } : {}),
      issues: row.issues.map((i) => ({ path: spreadsheetSafe(i.path), issue: spreadsheetSafe(i.issue) })),
    })),
    failed: report.failed.map((f) => ({
      ...f,
      invoiceId: spreadsheetSafe(f.invoiceId),
      error: spreadsheetSafe(f.error),
    })),
  };
}
