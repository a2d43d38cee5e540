import type { OperatorsNotifier } from '../contact/providers/operators-notifier';
import { InvoiceNotFound } from '../contracts/errors';
import type { AuditLog } from './audit-log';
import { type ChangeResult, changeInvoice } from './invoice-changes';
import type { InvoiceStore } from './invoice-store';
import { decide } from './lifecycle';

export interface EscalateDeps {
  readonly invoices: InvoiceStore;
  readonly auditLog: AuditLog;
  readonly operators: OperatorsNotifier;
  readonly now: () => Date;
}

/**
 * An operator escalates an invoice now (instead of waiting for the rule's escalation stage): checks that its status
 * allows it (OPEN or ESCALATED; 409 otherwise), publishes the escalation notice to the operators' topic — the same
 * message the rule's escalation stage sends, marked manual, with the reason — then marks the invoice ESCALATED and
 * records the `escalated` event with the notice's message id. The walk goes on unchanged: later stages still contact
 * the debtor, as after the rule's own escalation. Repeating it (e.g. after a failed publish) notifies again.
 */
export async function escalateNow(
  input: { invoiceId: string; reason: string; to: string; by?: string },
  deps: EscalateDeps,
): Promise<ChangeResult & { notificationId: string }> {
  const invoice = await deps.invoices.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  const command = {
    type: 'escalate',
    reason: input.reason,
    to: input.to,
    ...(input.by ? { by: input.by } : {}),
  } as const;
  decide(invoice, command, deps.now().toISOString()); // throws InvalidTransition before anybody is told
  const notificationId = await deps.operators.notify(`Escalation: invoice ${invoice.invoiceId} → ${input.to}`, {
    kind: 'escalation',
    manual: true,
    to: input.to,
    reason: input.reason,
    ...(input.by ? { by: input.by } : {}),
    invoiceId: invoice.invoiceId,
    customerId: invoice.customer.customerId,
    stageId: invoice.currentStage ?? null,
    balanceMinor: invoice.balanceMinor,
    currency: invoice.amount.currency,
    dueDate: invoice.dueDate,
  });
  const result = await changeInvoice(input.invoiceId, { ...command, notificationId }, deps);
  return { ...result, notificationId };
}
