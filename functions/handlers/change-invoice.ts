import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { isValidTimeZone } from '../calendar/time-zone';
import { atTimeOfDay, isoDateOf, plusDays, startOfDate, zonedTime } from '../calendar/zoned-time';
import { HttpError, InvoiceNotFound } from '../contracts/errors';
import { MAX_AMOUNT_LENGTH } from '../invoices/input/limits';
import { checkInvoiceId } from '../invoices/input/text-checks';
import type { Invoice } from '../invoices/invoice';
import { changeInvoice } from '../invoices/invoice-changes';
import type { InvoiceCommand } from '../invoices/lifecycle';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { callerOf, Reason, strictBody } from '../platform/operator-input';
import { formatDecimalAmount, parseDecimalAmount } from '../values/money';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

/** `{ reason }` and nothing else. */
const ReasonBody = strictBody({ reason: Reason });

/** `{ date, amount? }`: the debtor's promised date (YYYY-MM-DD) and amount (decimal; the whole balance if omitted). */
const PromiseBody = strictBody({
  date: z
    .string({ error: 'is required: the promised date, YYYY-MM-DD' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' }),
  amount: z.string().max(MAX_AMOUNT_LENGTH).optional().describe('decimal string; the whole balance when omitted'),
});

/** How far ahead a promise may be: a Standard workflow execution lives at most a year. */
const MAX_PROMISE_DAYS = 365;

const deps = { ...stores(), tokens: taskTokens(), now };

type RouteCommand = (event: APIGatewayProxyEvent, invoiceId: string, by: { by?: string }) => Promise<InvoiceCommand>;

const withReason =
  (type: 'pause' | 'resume' | 'dispute' | 'resolve' | 'write-off'): RouteCommand =>
  async (event, _invoiceId, by) => ({ type, reason: parseWith(ReasonBody, parseJsonBody(event), type).reason, ...by });

/** The routes this handler serves, by API Gateway resource path, with the command each body becomes. */
const ROUTES: Readonly<Record<string, RouteCommand>> = {
  '/invoices/{id}/pause': withReason('pause'),
  '/invoices/{id}/resume': withReason('resume'),
  '/invoices/{id}/dispute': withReason('dispute'),
  '/invoices/{id}/resolve': withReason('resolve'),
  '/invoices/{id}/write-off': withReason('write-off'),
  '/invoices/{id}/promises': async (event, invoiceId, by) => {
    const body = parseWith(PromiseBody, parseJsonBody(event), 'promise to pay');
    const invoice = await deps.invoices.getInvoice(invoiceId);
    if (!invoice) throw new InvoiceNotFound(invoiceId);
    return { type: 'promise', ...checkPromise(invoice, body, deps.now()), ...by };
  },
};

/**
 * `POST /invoices/{id}/pause|resume|dispute|resolve|write-off` — an operator steers one invoice; each needs a
 * `reason`. A write-off ends the walk at once (`Dunning stopped (invoice closed)`).
 * `POST /invoices/{id}/promises` `{ date, amount? }` — the debtor promised to pay: dunning pauses until the date
 * (plus the rule's grace days); paying the promised amount keeps the promise, otherwise dunning resumes after it.
 * The waiting workflow step is resumed at once: an invoice on hold is contacted no more until the hold ends, and then
 * dunning goes on with the stage that is due. 409 when the invoice's status does not allow the change.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const toCommand = ROUTES[event.resource];
    if (!toCommand) throw new HttpError(404, 'NotFound', `No operator action at ${event.resource}`);
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const caller = callerOf(event);
    const command = await toCommand(event, invoiceId, caller ? { by: caller } : {});
    const result = await changeInvoice(invoiceId, command, deps);
    const { invoice } = result;
    const promise = invoice.hold?.promise;
    return jsonResponse(200, {
      invoiceId,
      status: invoice.status,
      previousStatus: result.previousStatus,
      events: result.events.map((e) => e.type),
      ...(promise
        ? {
            promise: {
              date: promise.date,
              amount: formatDecimalAmount(promise.amountMinor, invoice.amount.currency),
              currency: invoice.amount.currency,
            },
          }
        : {}),
      resumedWorkflow: result.resumedWorkflow,
      ...(result.resumePending ? { resumePending: true } : {}),
    });
  });

/**
 * A promise's date must be a real date, not before today in the debtor's zone (any zone's today when the invoice
 * names none) and at most a year ahead; its amount more than 0 and at most the balance.
 */
function checkPromise(
  invoice: Invoice,
  body: z.infer<typeof PromiseBody>,
  now: Date,
): { date: string; amountMinor?: number } {
  const zone =
    invoice.customer.timezone && isValidTimeZone(invoice.customer.timezone) ? invoice.customer.timezone : 'Etc/GMT+12';
  const invalid = (path: string, issue: string) =>
    new HttpError(400, 'ValidationError', 'Invalid promise to pay', [{ path, issue }]);
  const date = startOfDate(body.date, zone);
  if (!date) throw invalid('date', `is not a real date: "${body.date}"`);
  const zonedNow = zonedTime(now.getTime(), zone);
  if (!zonedNow) throw new Error(`Invalid time zone "${zone}" or instant`);
  const today = atTimeOfDay(zonedNow, 0);
  if (date.ms < today.ms) throw invalid('date', `is in the past (today is ${isoDateOf(today)} for the debtor)`);
  if (date.ms > plusDays(today, MAX_PROMISE_DAYS).ms) {
    throw invalid('date', `is more than ${MAX_PROMISE_DAYS} days ahead`);
  }
  if (body.amount === undefined) return { date: body.date };
  const parsed = parseDecimalAmount(body.amount, invoice.amount.currency);
  if (!parsed.ok) throw invalid('amount', parsed.issue);
  if (parsed.minor <= 0) throw invalid('amount', 'must be greater than 0');
  if (parsed.minor > invoice.balanceMinor) {
    const balance = formatDecimalAmount(invoice.balanceMinor, invoice.amount.currency);
    throw invalid('amount', `is more than the balance ${balance} ${invoice.amount.currency}`);
  }
  return { date: body.date, amountMinor: parsed.minor };
}
