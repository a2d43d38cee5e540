import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { reconcileWalk } from '../executions/reconcile';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { now } from '../platform/clock';
import { ENV, requireEnv } from '../platform/environment';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { callerOf, Reason } from '../platform/operator-input';
import { sfn } from '../wiring/sfn';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

const RestartBody = z.strictObject(
  { reason: Reason },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}; allowed: reason` : undefined,
  },
);

const deps = {
  sfn,
  ...stores(),
  tokens: taskTokens(),
  stateMachineArn: requireEnv(ENV.STATE_MACHINE_ARN),
  now,
};

/**
 * `POST /invoices/{id}/restart` `{ reason }` — an operator restarts one walk that should be running and is not (its
 * execution failed, timed out, was aborted or is stuck; it was never started): the reconciler's repair, forced
 * (functions/executions/reconcile.ts). 200 with what was done (`action`: `restarted`, `started`, `told`, or `none` and
 * why, e.g. the invoice is paid); 409 `WalkRunning` when its execution is running; 404 for an unknown invoice.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const body = parseWith(RestartBody, parseJsonBody(event), 'restart');
    const by = callerOf(event);
    const result = await reconcileWalk(invoiceId, deps, {
      force: true,
      detail: { reason: body.reason, ...(by ? { by } : {}) },
    });
    return jsonResponse(200, { invoiceId, ...result });
  });
