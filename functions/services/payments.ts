import type { InterruptOutput } from '../../state-machines/step-result';
import type { DunningTable } from '../adapters/dunning-table';
import type { TaskTokens } from '../adapters/providers';
import type { Invoice } from '../domain/invoice';
import { InvoiceNotFound, InvoiceNotOpen } from './errors';

export interface PaymentDeps {
  readonly table: DunningTable;
  readonly tokens: TaskTokens;
  readonly now: () => Date;
}

export interface PaymentResult {
  readonly invoice: Invoice;
  /** 'paid' when the balance reached zero (the walk ends), 'partially-paid' otherwise. */
  readonly event: 'paid' | 'partially-paid';
  /** Whether a waiting workflow step was resumed at once. */
  readonly resumedWorkflow: boolean;
}

/**
 * Records a payment (minor units; the whole balance when omitted). A full payment ends the walk at once: the
 * waiting stage is resumed with `{ event: 'paid' }` and the execution ends in `Invoice paid`. If the workflow is
 * between steps, its next step re-reads the invoice and stops: the status write commits before any resume.
 */
export async function recordPayment(
  input: { invoiceId: string; amountMinor?: number; paidAt?: string },
  deps: PaymentDeps,
): Promise<PaymentResult> {
  const at = input.paidAt ?? deps.now().toISOString();
  const applied = await deps.table.applyPayment(input.invoiceId, input.amountMinor, at);
  if (applied.kind === 'not-found') throw new InvoiceNotFound(input.invoiceId);
  if (applied.kind === 'not-open') throw new InvoiceNotOpen(input.invoiceId, applied.invoice.status);
  const { invoice } = applied;
  const event = invoice.status === 'PAID' ? 'paid' : 'partially-paid';
  await deps.table.logEvent({
    at,
    invoiceId: invoice.invoiceId,
    type: event,
    detail: { amountMinor: input.amountMinor ?? null, balanceMinor: invoice.balanceMinor },
  });
  let resumedWorkflow = false;
  if (event === 'paid' && applied.taskToken) {
    const output: InterruptOutput = { event: 'paid' };
    resumedWorkflow = await deps.tokens.resume(applied.taskToken, output);
  }
  return { invoice, event, resumedWorkflow };
}
