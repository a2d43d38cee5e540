import type { TaskTokens } from '../executions/task-tokens';
import type { AuditLog } from './audit-log';
import type { Invoice } from './invoice';
import { changeInvoice } from './invoice-changes';
import type { InvoiceStore } from './invoice-store';

export interface PaymentDeps {
  readonly invoices: InvoiceStore;
  readonly auditLog: AuditLog;
  readonly tokens: TaskTokens;
  readonly now: () => Date;
}

export interface PaymentResult {
  readonly invoice: Invoice;
  /**
   * `paid` when the balance reached zero (the walk ends), `partially-paid` otherwise, `overpaid` for money paid to
   * an invoice that was paid already (all of it credit), `duplicate` when the reference was applied before.
   */
  readonly event: 'paid' | 'partially-paid' | 'overpaid' | 'duplicate';
  /** Paid beyond the balance by this payment, kept as credit on the invoice (minor units). */
  readonly excessMinor: number;
  /** Forgiven by an early-payment offer this payment met in time (minor units; 0 when none). */
  readonly discountMinor: number;
  /** A pending promise to pay was kept by this payment. */
  readonly promiseKept: boolean;
  /** Whether a waiting workflow step was resumed at once. */
  readonly resumedWorkflow: boolean;
  /** The workflow could not be told yet: the next change or the reconciler tells it (`ChangeResult`). */
  readonly resumePending?: true;
}

/**
 * Records a payment (minor units; the whole balance when omitted). A full payment ends the walk at once: the waiting
 * step is resumed with `{ event: 'paid' }` and the execution ends in `Invoice paid`. Paying more than the balance
 * leaves it at 0 and keeps the excess as credit (`creditMinor`), recorded in the audit event. Paying the discounted
 * amount of an early-payment offer before it ends settles the invoice (PAID), the discount recorded in the `paid` event. A `reference` makes the
 * payment idempotent (payment files are delivered at least once). See `decide` in invoices/lifecycle.ts for promises.
 * @throws InvoiceNotFound; InvalidTransition (`InvoiceNotOpen`) for a written-off invoice or when nothing is owed.
 */
export async function recordPayment(
  input: { invoiceId: string; amountMinor?: number; paidAt?: string; reference?: string },
  deps: PaymentDeps,
): Promise<PaymentResult> {
  const result = await changeInvoice(
    input.invoiceId,
    {
      type: 'payment',
      ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}),
      ...(input.paidAt !== undefined ? { paidAt: input.paidAt } : {}),
      ...(input.reference !== undefined ? { reference: input.reference } : {}),
    },
    deps,
  );
  const payment = result.events.find((e) => e.type === 'paid' || e.type === 'partially-paid' || e.type === 'overpaid');
  const excess = payment?.detail.excessMinor;
  const discount = payment?.detail.discountMinor;
  return {
    invoice: result.invoice,
    event:
      payment?.type === 'paid' || payment?.type === 'partially-paid' || payment?.type === 'overpaid'
        ? payment.type
        : 'duplicate',
    excessMinor: typeof excess === 'number' ? excess : 0,
    discountMinor: typeof discount === 'number' ? discount : 0,
    promiseKept: result.events.some((e) => e.type === 'promise-kept'),
    resumedWorkflow: result.resumedWorkflow,
    ...(result.resumePending ? { resumePending: true as const } : {}),
  };
}
