import middy from '@middy/core';
import * as z from 'zod';
import type { StepResult } from '../../state-machines/step-result';
import { WorkflowRuleSchema } from '../domain/billing-rule-schema';
import { planNextStage } from '../services/workflow-steps';
import { now } from '../shared/clock';
import { dunningTable } from '../shared/factories/dunning-table';
import { workflowStepLogs } from '../shared/step-logs';

const Input = z.object({ invoiceId: z.string().min(1), rule: WorkflowRuleSchema });
const deps = { table: dunningTable(), now };

/** Workflow step `Plan next stage`: picks the stage to wait for (or reports the invoice paid / closed / done). */
export const handler = middy<unknown, StepResult>()
  .use(workflowStepLogs('plan-stage'))
  .handler(async (event) => planNextStage(Input.parse(event), deps));
