import middy from '@middy/core';
import * as z from 'zod';
import { waitForEvent } from '../executions/workflow-steps';
import { now } from '../platform/clock';
import { workflowStepLogs } from '../platform/step-logs';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';
import { waitSchedules } from '../wiring/wait-schedules';

const Input = z.object({
  invoiceId: z.string().min(1),
  stageId: z.string(),
  taskToken: z.string().min(1),
  until: z.string(),
  /** `stage`: a stage's wait (the default); `hold`: paused, disputed or promised, waiting to resume. */
  kind: z.enum(['stage', 'hold']).optional(),
});
const deps = { ...stores(), tokens: taskTokens(), schedules: waitSchedules(), now };

/**
 * Workflow steps `<stage> · wait or payment`, `Paused or disputed (wait for resume)` and `Promise to pay (wait until
 * the promised date)` (`.waitForTaskToken`): park the token on the invoice and schedule the wait's end (a one-time
 * schedule that resumes it with `due`).
 */
export const handler = middy<unknown, void>()
  .use(workflowStepLogs('wait-for-event'))
  .handler(async (event) => waitForEvent(Input.parse(event), deps));
