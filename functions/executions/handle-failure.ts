import type { OperatorsNotifier } from '../contact/providers/operators-notifier';
import type { AuditLog } from '../invoices/audit-log';
import type { InvoiceStore } from '../invoices/invoice-store';
import { log } from '../platform/logger';

export interface FailureDeps {
  readonly invoices: InvoiceStore;
  readonly auditLog: AuditLog;
  readonly operators: OperatorsNotifier;
  readonly now: () => Date;
}

/** The `{ Error, Cause }` object Step Functions passes to a Catch (as the handler's schema parses it). */
export interface CaughtError {
  readonly Error?: string | undefined;
  readonly Cause?: string | undefined;
}

/** Records an unhandled workflow error on the invoice and tells the operators. */
export async function handleFailure(
  input: { invoiceId: string; failure: CaughtError },
  deps: FailureDeps,
): Promise<void> {
  const at = deps.now().toISOString();
  const error = input.failure.Error ?? 'UnknownError';
  const cause = summarizeCause(input.failure.Cause);
  // The error's name only: the cause (a message) goes to the invoice and the operators, not to the logs.
  log.error('invoice walk failed', { invoiceId: input.invoiceId, error });
  await deps.invoices.recordFailure(input.invoiceId, `${error}: ${cause}`, at);
  await deps.auditLog.logEvent({ at, invoiceId: input.invoiceId, type: 'failed', detail: { error, cause } });
  await deps.operators.notify(`Dunning failed for invoice ${input.invoiceId}`, {
    kind: 'failure',
    invoiceId: input.invoiceId,
    error,
    cause,
    at,
  });
}

/** Lambda error causes are JSON (`{ errorType, errorMessage, trace }`): keep the message, drop the stack. */
function summarizeCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; errorType?: string };
    return (parsed.errorMessage ?? cause).slice(0, 1000);
  } catch {
    return cause.slice(0, 1000);
  }
}
