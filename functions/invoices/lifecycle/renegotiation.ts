import type { Instalment, Invoice, InvoiceStatus } from '../invoice';
import { type CommandOf, change, type Decision, type NoChange, type Refuse } from './decision';

/** Statuses an agreement may replace: a disputed debt is resolved first (the debtor contests it). */
export const RENEGOTIABLE: readonly InvoiceStatus[] = ['OPEN', 'ESCALATED', 'PAUSED'];

/**
 * A renegotiation replaces the invoice by its instalments: RENEGOTIATED, the hold (if any) ended, the walk told to stop.
 * The balance stays as it was (what the agreement replaced, as a write-off keeps what was written off). The same
 * instalments again are a duplicate; other ones, on a renegotiated invoice, a conflict. The agreement must have been
 * checked against the balance the invoice still has: a payment in between refuses it (check and send it again).
 */
export function decideRenegotiation(
  invoice: Invoice,
  command: CommandOf<'renegotiate'>,
  refuse: Refuse,
): Decision | NoChange {
  if (invoice.status === 'RENEGOTIATED') {
    if (sameInstalments(invoice.instalments ?? [], command.instalments)) {
      return { kind: 'no-change', why: 'duplicate-agreement' };
    }
    refuse(`it was renegotiated already, into ${(invoice.instalments ?? []).map((i) => i.invoiceId).join(', ')}`);
  }
  const refusal = renegotiationRefusal(invoice.status);
  if (refusal) refuse(refusal);
  if (invoice.balanceMinor !== command.due.balanceMinor) {
    refuse('the balance changed while the agreement was being recorded (a payment?): check it and send it again');
  }
  const { balanceMinor, fineMinor, interestMinor, daysLate } = command.due;
  const totalMinor = command.instalments.reduce((sum, i) => sum + i.amountMinor, 0);
  return change(
    { status: 'RENEGOTIATED', hold: null, instalments: command.instalments },
    [
      {
        type: 'renegotiated',
        detail: {
          instalments: command.instalments.length,
          instalmentIds: command.instalments.map((i) => i.invoiceId).join(','),
          balanceMinor,
          fineMinor,
          interestMinor,
          daysLate,
          totalMinor,
          ...(command.by ? { by: command.by } : {}),
        },
      },
    ],
    'changed',
  );
}

/** Why an invoice of `status` cannot be renegotiated, or undefined when it can (a renegotiated one: see decideRenegotiation). */
export function renegotiationRefusal(status: InvoiceStatus): string | undefined {
  if (RENEGOTIABLE.includes(status)) return undefined;
  return status === 'DISPUTED' ? 'resolve the dispute first' : `renegotiate needs ${RENEGOTIABLE.join(', ')}`;
}

/** The same agreement: the same instalments (ids, due dates, amounts, payment links) in the same order. */
export function sameInstalments(a: readonly Instalment[], b: readonly Instalment[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return (
        y !== undefined &&
        x.invoiceId === y.invoiceId &&
        x.dueDate === y.dueDate &&
        x.amountMinor === y.amountMinor &&
        (x.paymentUrl ?? '') === (y.paymentUrl ?? '')
      );
    })
  );
}
