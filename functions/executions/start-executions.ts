import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { AuditLog } from '../invoices/audit-log';
import { executionNameFor } from '../invoices/execution-name';
import type { InvoiceStore } from '../invoices/invoice-store';
import { log } from '../platform/logger';

export interface StarterDeps {
  readonly sfn: SFNClient;
  readonly invoices: InvoiceStore;
  readonly auditLog: AuditLog;
  readonly stateMachineArn: string;
  readonly now: () => Date;
}

/** ARN of the execution named `name` of a state machine (`…:stateMachine:X` → `…:execution:X:name`). */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The execution name at the end of an execution ARN. */
export function executionNameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

/**
 * Starts the walk of one invoice. The execution name is derived from the invoice id, so a second start of the same
 * invoice finds the first execution (ExecutionAlreadyExists) and starts nothing: that counts as success.
 */
export async function startExecution(
  invoiceId: string,
  deps: StarterDeps,
): Promise<{ executionArn: string; started: boolean }> {
  const name = executionNameFor(invoiceId);
  // The rule chosen at registration (a rule file's segments): the workflow's first state walks that rule's stages.
  const ruleId = (await deps.invoices.getInvoice(invoiceId))?.ruleId;
  const { executionArn, started } = await startNamedExecution(invoiceId, ruleId, name, deps);
  const at = deps.now().toISOString();
  await deps.invoices.setExecution(invoiceId, executionArn, at);
  if (started) await deps.auditLog.logEvent({ at, invoiceId, type: 'execution-started', detail: { executionArn } });
  log.info(started ? 'workflow started' : 'workflow already started', { invoiceId, ruleId, execution: name });
  return { executionArn, started };
}

/**
 * StartExecution of the invoice's walk under `name` (input `{ invoiceId, ruleId? }`). Execution names are unique per
 * state machine (for 90 days after an execution ends), so a start repeated after a timeout or a retry finds the
 * execution it started (`ExecutionAlreadyExists`): `started` false, same ARN. Throttling (`ThrottlingException`,
 * StartExecution's token bucket) and 5xx are thrown for the caller to retry.
 */
export async function startNamedExecution(
  invoiceId: string,
  ruleId: string | undefined,
  name: string,
  deps: Pick<StarterDeps, 'sfn' | 'stateMachineArn'>,
): Promise<{ executionArn: string; started: boolean }> {
  const input = JSON.stringify(ruleId ? { invoiceId, ruleId } : { invoiceId });
  try {
    const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input }));
    return { executionArn: out.executionArn ?? executionArnFor(deps.stateMachineArn, name), started: true };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists) && (error as Error).name !== 'ExecutionAlreadyExists') throw error;
    return { executionArn: executionArnFor(deps.stateMachineArn, name), started: false };
  }
}
