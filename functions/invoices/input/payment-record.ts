import { amountCheck, checkCurrency } from './amount-checks';
import { checkInstant } from './date-checks';
import { optional, type RecordOutcome, readerOf } from './field-reader';
import { checkId, checkName } from './text-checks';

/** A payment as a payment file (S3 `payments/`) carries it, after validation of its fields. */
export interface PaymentRecord {
  readonly invoiceId: string;
  /** Decimal text (`"100.00"`), read in the invoice's currency once the invoice is known. */
  readonly amount: string;
  /** ISO 4217, when the file names it: it must then be the invoice's. */
  readonly currency?: string;
  /** ISO instant (UTC) the payer says the money was paid. */
  readonly paidAt?: string;
  /** The payer's or bank's reference: a payment repeating one applied to the invoice is a duplicate. */
  readonly reference?: string;
}

export type PaymentRecordValidation = RecordOutcome<PaymentRecord>;

/**
 * Checks one raw payment record (CSV row, JSON array element or JSON Lines line): `invoiceId`, `amount` (decimal,
 * more than 0), optional `currency`, `paidAt` (ISO instant) and `reference`. Same rules as invoice records: trimmed,
 * empty = absent, unknown keys ignored, every issue of the record returned together.
 */
export function validatePaymentRecord(raw: unknown): PaymentRecordValidation {
  const fields = readerOf(raw, 'payment');
  if (Array.isArray(fields)) return { ok: false, issues: fields };
  const issues = fields.issues;
  const invoiceId = fields.read('invoiceId', checkId, true);
  const currency = fields.read('currency', checkCurrency, false);
  const amountOk = fields.read('amount', amountCheck(currency), true);
  const paidAt = fields.read('paidAt', checkInstant, false);
  const reference = fields.read('reference', checkName, false);
  if (issues.length > 0 || invoiceId === undefined || amountOk === undefined) {
    return { ok: false, ...(invoiceId !== undefined ? { invoiceId } : {}), issues };
  }
  return {
    ok: true,
    value: {
      invoiceId,
      amount: String(fields.record.amount).trim(),
      ...optional('currency', currency),
      ...optional('paidAt', paidAt),
      ...optional('reference', reference),
    },
  };
}
