import middy from '@middy/core';
import * as z from 'zod';
import { continueWalk } from '../executions/walks';
import { now } from '../platform/clock';
import { workflowStepLogs } from '../platform/step-logs';
import { sfn } from '../wiring/sfn';
import { stores } from '../wiring/stores';

// The state machine's ARN comes with each event (`$$.StateMachine.Id`): as an environment variable it would make the
// function depend on the state machine that invokes it, a cycle CloudFormation refuses.
const Input = z.object({
  invoiceId: z.string().min(1),
  executionArn: z.string().min(1),
  stateMachineArn: z.string().min(1),
});
const base = { sfn, ...stores(), now };

/** Workflow step `Continue in a new execution`: the walk goes on in its next execution before this one's year ends. */
export const handler = middy<unknown, { continued: string }>()
  .use(workflowStepLogs('continue-walk'))
  .handler(async (event) => {
    const input = Input.parse(event);
    const continued = await continueWalk(input, { ...base, stateMachineArn: input.stateMachineArn });
    return { continued };
  });
