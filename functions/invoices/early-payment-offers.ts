import { log } from '../platform/logger';
import type { Stage } from '../rules/billing-rule';
import type { AuditLog } from './audit-log';
import { earlyPaymentOffer } from './early-payment';
import type { EarlyPaymentOffer } from './invoice';
import type { InvoiceStore } from './invoice-store';

/** How many times the offer is computed again when the invoice changed between the read and the write. */
const ATTEMPTS = 3;

/**
 * The send step's part of an early-payment incentive (issue #5, item 7): once the messages of a stage with an `offer`
 * went out, records the offer on the invoice (`earlyPaymentOffer`: the discounted amount of the balance now, valid to
 * the end of the due date in the debtor's zone) and the audit event `early-payment-offered`. From then on, paying the
 * discounted amount in time settles the invoice (`decide`, payment).
 *
 * Re-reads the invoice (consistent) and writes only while it is contactable with the balance the discount was computed
 * on, computing again if a payment slipped in between; idempotent per stage (a retried send step records nothing
 * twice). Never throws: the messages are out already, so a failure is
 * logged (the debtor then owes the full balance) rather than failing the walk. Returns the offer recorded, if any.
 */
export async function offerEarlyPayment(
  input: {
    readonly invoiceId: string;
    readonly stage: Pick<Stage, 'id' | 'offsetDays' | 'offer'>;
    readonly timezone: string;
  },
  deps: { readonly invoices: InvoiceStore; readonly auditLog: AuditLog; readonly now: () => Date },
): Promise<EarlyPaymentOffer | undefined> {
  if (!input.stage.offer) return undefined;
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const invoice = await deps.invoices.getInvoice(input.invoiceId);
      // A retried step (or a second call) finds its stage's offer recorded already: nothing to do twice.
      if (invoice?.earlyPayment?.stageId === input.stage.id) return invoice.earlyPayment;
      const now = deps.now();
      const offer = invoice && earlyPaymentOffer(input.stage, invoice, input.timezone, now);
      if (!invoice || !offer) return undefined;
      if ((await deps.invoices.recordEarlyPaymentOffer(invoice.invoiceId, offer, offer.offeredAt)) === 'stale')
        continue;
      const { stageId, offeredAt: _at, ...detail } = offer;
      await deps.auditLog.logEvent({
        at: offer.offeredAt,
        invoiceId: invoice.invoiceId,
        type: 'early-payment-offered',
        detail: { stageId, ...detail },
        seq: invoice.version + 1,
      });
      return offer;
    }
    log.warn('early-payment offer not recorded: the invoice kept changing', { invoiceId: input.invoiceId });
  } catch (error) {
    log.warn('early-payment offer not recorded', { invoiceId: input.invoiceId, error: (error as Error).name });
  }
  return undefined;
}
