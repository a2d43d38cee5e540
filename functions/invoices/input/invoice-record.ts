import type { InvoiceRegistration } from '../invoice';
import { amountCheck, checkCurrency } from './amount-checks';
import { customerOf, readContact } from './customer-record';
import { checkDate, checkInstant } from './date-checks';
import { type RecordOutcome, readerOf, type Writable } from './field-reader';
import { checkDescription, checkId, checkUrl } from './text-checks';

/**
 * Validation of one invoice record as it arrives from the API, a CSV row, a JSON array element or a JSON Lines line
 * (docs/formats.md). Every field is checked and every problem reported, each naming the field and the offending value.
 */

export type RecordValidation = RecordOutcome<InvoiceRegistration>;

/**
 * Checks one raw invoice record and turns it into an `InvoiceRegistration`. Strings are trimmed, an empty string
 * counts as absent (CSV empty cell), unknown keys are ignored, and all issues of the record are returned together.
 * `invoiceId` is returned with the issues whenever it was itself valid, so a report can name the row.
 *
 * Text that is not clean Unicode is refused in every field: U+FFFD (what a decoder puts in place of bytes that were
 * not UTF-8) and lone UTF-16 surrogates. Registering it would store mojibake for good.
 *
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-` or `@` (or a tab or CR, which trimming removes
 * first) runs as a formula when a CSV is opened in a spreadsheet. Ids, names and descriptions starting that way are
 * refused, never altered, so no stored value can reach a spreadsheet as a formula. Fields whose syntax starts that
 * way legitimately (an E.164 phone's `+`, an e-mail address's local part) are kept as given; anything that echoes
 * values into a report neutralises them (`spreadsheetSafe` in field-issue.ts).
 */
export function validateInvoiceRecord(raw: unknown): RecordValidation {
  const fields = readerOf(raw, 'invoice');
  if (Array.isArray(fields)) return { ok: false, issues: fields };
  const issues = fields.issues;

  const invoiceId = fields.read('invoiceId', checkId, true);
  const customerId = fields.read('customerId', checkId, true);
  const contact = readContact(fields);
  const currency = fields.read('currency', checkCurrency, true);
  const amountMinor = fields.read('amount', amountCheck(currency), true);
  const dueDate = fields.read('dueDate', checkDate, true);
  const registeredAt = fields.read('registeredAt', checkInstant, false);
  const paymentUrl = fields.read('paymentUrl', checkUrl, false);
  const description = fields.read('description', checkDescription, false);

  if (
    issues.length > 0 ||
    invoiceId === undefined ||
    customerId === undefined ||
    contact === undefined ||
    currency === undefined ||
    amountMinor === undefined ||
    dueDate === undefined
  ) {
    return { ok: false, ...(invoiceId !== undefined ? { invoiceId } : {}), issues };
  }

  const value: Writable<InvoiceRegistration> = {
    invoiceId,
    customer: customerOf(customerId, contact),
    amount: { minor: amountMinor, currency },
    dueDate,
  };
  if (registeredAt !== undefined) value.registeredAt = registeredAt;
  if (paymentUrl !== undefined) value.paymentUrl = paymentUrl;
  if (description !== undefined) value.description = description;
  return { ok: true, value };
}
