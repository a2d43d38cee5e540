import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { escalateNow } from '../invoices/escalate';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { callerOf, Reason } from '../platform/operator-input';
import { operatorsNotifier } from '../wiring/operators-notifier';
import { stores } from '../wiring/stores';

/** `{ reason, to? }`: why, and to whom (the rule's escalation targets name teams like `collections`). */
const EscalateBody = z.strictObject(
  {
    reason: Reason,
    to: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { error: 'must be a team name like "collections" or "legal"' })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}; allowed: reason, to` : undefined,
  },
);

const deps = { ...stores(), operators: operatorsNotifier(), now };

/**
 * `POST /invoices/{id}/escalate` `{ reason, to? }` — an operator escalates now: the operators' topic gets the
 * escalation notice (to `collections` unless `to` names another team) and the invoice becomes ESCALATED; the walk
 * goes on. 409 unless the invoice is OPEN or ESCALATED.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const body = parseWith(EscalateBody, parseJsonBody(event), 'escalation');
    const by = callerOf(event);
    const result = await escalateNow(
      { invoiceId, reason: body.reason, to: body.to ?? 'collections', ...(by ? { by } : {}) },
      deps,
    );
    return jsonResponse(200, {
      invoiceId,
      status: result.invoice.status,
      previousStatus: result.previousStatus,
      events: result.events.map((e) => e.type),
      notificationId: result.notificationId,
    });
  });
