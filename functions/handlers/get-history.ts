import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { invoiceHistory } from '../invoices/history';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { httpErrors, jsonResponse, pathParameter } from '../platform/http';
import { stores } from '../wiring/stores';

const deps = { ...stores() };

/**
 * `GET /invoices/{id}/history` — the invoice's audit trail in time order: registration, every contact attempt
 * (channel, template, provider message id, outcome), every deferral and skip with its reason, every pause, resume,
 * dispute, promise, payment, write-off and escalation with who and why.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    return jsonResponse(200, await invoiceHistory(invoiceId, deps));
  });
