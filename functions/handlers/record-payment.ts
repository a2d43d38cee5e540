import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { HttpError, InvoiceNotFound } from '../contracts/errors';
import { checkIsoInstant } from '../invoices/input/date-checks';
import { MAX_AMOUNT_LENGTH } from '../invoices/input/limits';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { recordPayment } from '../invoices/payments';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { formatDecimalAmount, parseDecimalAmount } from '../values/money';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

/** An ISO instant with Z or an offset, normalised to UTC like every stored instant (so they sort in time order). */
const IsoInstant = z.string().transform((value, ctx) => {
  const checked = checkIsoInstant(value);
  if ('value' in checked) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.issue });
  return z.NEVER;
});

const PAYMENT_FIELDS = ['amount', 'paidAt', 'reference'];

const PaymentBody = z.strictObject(
  {
    amount: z.string().max(MAX_AMOUNT_LENGTH).optional().describe('decimal string; the whole balance when omitted'),
    paidAt: IsoInstant.optional(),
    reference: z.string().min(1).max(256).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(showKey).join(', ')}; allowed: ${PAYMENT_FIELDS.join(', ')}`
        : undefined,
  },
);

function showKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

const deps = { ...stores(), tokens: taskTokens(), now };

/**
 * `POST /invoices/{id}/payments` — a full payment ends the walk at once; a partial one lowers the balance; paying more
 * than the balance leaves it at 0 and keeps the excess as credit. A `reference` seen before is a duplicate (200,
 * `event: "duplicate"`, nothing applied). The discounted amount of an early-payment offer, paid by the due date,
 * settles the invoice (`discount` in the answer).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const body = parseWith(PaymentBody, event.body ? parseJsonBody(event) : {}, 'payment');
    let amountMinor: number | undefined;
    if (body.amount !== undefined) {
      const invoice = await deps.invoices.getInvoice(invoiceId);
      if (!invoice) throw new InvoiceNotFound(invoiceId);
      const parsed = parseDecimalAmount(body.amount, invoice.amount.currency);
      if (!parsed.ok)
        throw new HttpError(400, 'ValidationError', 'Invalid payment', [{ path: 'amount', issue: parsed.issue }]);
      if (parsed.minor <= 0) {
        throw new HttpError(400, 'ValidationError', 'Invalid payment', [
          { path: 'amount', issue: 'must be greater than 0' },
        ]);
      }
      amountMinor = parsed.minor;
    }
    const result = await recordPayment(
      {
        invoiceId,
        ...(amountMinor !== undefined ? { amountMinor } : {}),
        ...(body.paidAt ? { paidAt: body.paidAt } : {}),
        ...(body.reference !== undefined ? { reference: body.reference } : {}),
      },
      deps,
    );
    const { invoice } = result;
    const money = (minor: number) => ({
      minor,
      currency: invoice.amount.currency,
      decimal: formatDecimalAmount(minor, invoice.amount.currency),
    });
    return jsonResponse(200, {
      invoiceId,
      event: result.event,
      status: invoice.status,
      balance: money(invoice.balanceMinor),
      ...(result.excessMinor > 0 ? { excess: money(result.excessMinor) } : {}),
      ...(result.discountMinor > 0 ? { discount: money(result.discountMinor) } : {}),
      ...(invoice.creditMinor ? { credit: money(invoice.creditMinor) } : {}),
      ...(result.promiseKept ? { promiseKept: true } : {}),
      resumedWorkflow: result.resumedWorkflow,
      ...(result.resumePending ? { resumePending: true } : {}),
    });
  });
