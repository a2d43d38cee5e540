import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { type ReconcileRun, reconcileWalks } from '../executions/reconcile';
import { now } from '../platform/clock';
import { ENV, requireEnv } from '../platform/environment';
import { sfn } from '../wiring/sfn';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

/** The EventBridge schedule's input: `executions` hourly, `full` (also a scan of the table) daily. */
const Event = z.object({ mode: z.enum(['executions', 'full']).default('executions') });
const deps = {
  sfn,
  ...stores(),
  tokens: taskTokens(),
  stateMachineArn: requireEnv(ENV.STATE_MACHINE_ARN),
  now,
};

/** How far back an hourly run looks for failed and timed-out executions: a day, so a missed run loses nothing. */
const LOOK_BACK_MS = 25 * 3600 * 1000;

/** The reconciler (functions/executions/reconcile.ts), on a schedule: restarts walks that should run and do not. */
export const handler = middy<unknown, ReconcileRun>().handler(async (event, context: Context) => {
  const { mode } = Event.parse(event ?? {});
  return reconcileWalks(mode, deps, {
    since: new Date(now().getTime() - LOOK_BACK_MS),
    timeLeft: () => context.getRemainingTimeInMillis(),
  });
});
