import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from '../contracts/errors';
import { registerInvoices } from '../ingest/register-invoices';
import { validateInvoiceRecord } from '../invoices/input/invoice-record';
import type { InvoiceRegistration } from '../invoices/invoice';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody } from '../platform/http';
import type { FieldIssue } from '../values/field-issue';
import { ruleChooser } from '../wiring/rule-chooser';
import { startQueue } from '../wiring/start-queue';
import { stores } from '../wiring/stores';

/** Largest batch one request may carry. */
export const MAX_BATCH = 500;

const deps = { ...stores(), queue: startQueue(), ruleId: ruleChooser(), now };

/**
 * `POST /invoices` — one invoice (object) or a batch (array of up to 500). Valid invoices are registered even when
 * others in the batch are rejected; the response lists each group. Registration is idempotent by invoice id.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const body = parseJsonBody(event);
    const isBatch = Array.isArray(body);
    const records: unknown[] = isBatch ? body : [body];
    if (records.length === 0) {
      throw new HttpError(400, 'ValidationError', 'The batch is empty', [
        { path: '(body)', issue: 'is an empty array: send one invoice object or an array of 1 to 500' },
      ]);
    }
    if (records.length > MAX_BATCH) {
      throw new HttpError(413, 'BatchTooLarge', `A batch holds at most ${MAX_BATCH} invoices, got ${records.length}`, [
        { path: '(body)', issue: `holds ${records.length} invoices; a batch holds at most ${MAX_BATCH}` },
      ]);
    }

    const valid: InvoiceRegistration[] = [];
    const rejected: { index: number; invoiceId?: string; details: FieldIssue[] }[] = [];
    // Registrations run concurrently: two entries with one id would race for which one is stored, so only the first
    // is registered and the others are rejected, naming it.
    const firstIndexOf = new Map<string, number>();
    records.forEach((record, index) => {
      const result = validateInvoiceRecord(record);
      if (!result.ok) {
        rejected.push({ index, ...(result.invoiceId ? { invoiceId: result.invoiceId } : {}), details: result.issues });
        return;
      }
      const { invoiceId } = result.value;
      const first = firstIndexOf.get(invoiceId);
      if (first !== undefined) {
        rejected.push({
          index,
          invoiceId,
          details: [{ path: 'invoiceId', issue: `repeats the invoice id of [${first}] in this batch` }],
        });
        return;
      }
      firstIndexOf.set(invoiceId, index);
      valid.push(result.value);
    });

    if (valid.length === 0) {
      const details = rejected.flatMap((r) =>
        r.details.map((d) => ({ path: isBatch ? `[${r.index}].${d.path}` : d.path, issue: d.issue })),
      );
      throw new HttpError(
        400,
        'ValidationError',
        isBatch ? 'No invoice in the batch is valid' : 'Invalid invoice',
        details,
      );
    }

    const summary = await registerInvoices(valid, deps);
    const status = summary.failed.length > 0 && summary.registered.length + summary.duplicates.length === 0 ? 503 : 202;
    return jsonResponse(status, { ...summary, rejected });
  });
