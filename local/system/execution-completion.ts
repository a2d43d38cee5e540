import { executionNameOf } from '../../functions/executions/start-executions';
import { executionNameFor } from '../../functions/invoices/execution-name';
import { STATE } from '../../state-machines/state-names';
import type { LocalWorkflowRuntime } from '../stepfunctions/workflow-runtime';

/**
 * Whether an invoice's walk ended in the workflow's `Billing rule completed` state, read from its execution on the
 * local runtime (its history, or its output when it was restored from a snapshot): the timeline's `completed` line.
 */

/** When the invoice's execution ended in `Billing rule completed` (undefined otherwise). */
export function completedAt(
  runtime: LocalWorkflowRuntime,
  invoiceId: string,
  executionArn?: string,
): string | undefined {
  // the invoice's latest execution: a walk continued or restarted runs under its own name
  const arn = runtime.executionArnOf(executionArn ? executionNameOf(executionArn) : executionNameFor(invoiceId));
  let description: ReturnType<LocalWorkflowRuntime['describeExecution']>;
  try {
    description = runtime.describeExecution(arn);
  } catch {
    return undefined;
  }
  if (description.status !== 'SUCCEEDED' || !description.stopDate) return undefined;
  const history = runtime.history(arn);
  const lastState = history.filter((e) => e.type === 'StateEntered').at(-1)?.stateName;
  if (lastState !== undefined) return lastState === STATE.completed ? description.stopDate.toISOString() : undefined;
  // Restored from a snapshot (no history): the output tells. The last step planned nothing and was not a closure.
  const step = (description.output as { step?: { outcome?: string; stageId?: string } } | undefined)?.step;
  return step &&
    step.stageId === '' &&
    (step.outcome === 'sent' || step.outcome === 'skipped' || step.outcome === 'completed')
    ? description.stopDate.toISOString()
    : undefined;
}
