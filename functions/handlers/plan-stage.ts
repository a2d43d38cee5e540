import middy from '@middy/core';
import * as z from 'zod';
import type { StepResult } from '../contracts/step-result';
import { planNextStage } from '../executions/workflow-steps';
import { now } from '../platform/clock';
import { workflowStepLogs } from '../platform/step-logs';
import { WorkflowRuleSchema } from '../rules/billing-rule-schema';
import { stores } from '../wiring/stores';

const Input = z.object({ invoiceId: z.string().min(1), rule: WorkflowRuleSchema });
const deps = { ...stores(), now };

/** Workflow step `Plan next stage`: picks the stage to wait for (or reports the invoice paid / closed / done). */
export const handler = middy<unknown, StepResult>()
  .use(workflowStepLogs('plan-stage'))
  .handler(async (event) => planNextStage(Input.parse(event), deps));
