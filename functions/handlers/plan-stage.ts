import middy from '@middy/core';
import * as z from 'zod';
import type { StepResult } from '../contracts/step-result';
import { withinExecutionLife } from '../executions/execution-life';
import { behindSchedule } from '../executions/wait-schedules';
import { planNextStage } from '../executions/workflow-steps';
import { now } from '../platform/clock';
import { workflowStepLogs } from '../platform/step-logs';
import { WorkflowRuleSchema } from '../rules/billing-rule-schema';
import { stores } from '../wiring/stores';

const Input = z.object({
  invoiceId: z.string().min(1),
  rule: WorkflowRuleSchema,
  /** The execution's start (`$$.Execution.StartTime`): every wait is kept inside the execution's year. */
  startedAt: z.iso.datetime({ offset: true }).optional(),
});
const deps = { ...stores(), now };

/**
 * Workflow step `Plan next stage`: picks the stage to wait for (or reports the invoice paid / closed / done), within
 * the execution's year (`withinExecutionLife`: a wait that would outlive it continues in a new execution); the
 * wait's task timeout is a safety net behind its schedule (`behindSchedule`).
 */
export const handler = middy<unknown, StepResult>()
  .use(workflowStepLogs('plan-stage'))
  .handler(async (event) => {
    const input = Input.parse(event);
    return behindSchedule(withinExecutionLife(await planNextStage(input, deps), input.startedAt, now()));
  });
