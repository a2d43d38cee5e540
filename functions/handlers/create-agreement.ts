import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { HttpError } from '../contracts/errors';
import { MAX_INSTALMENTS } from '../invoices/agreement';
import { renegotiate } from '../invoices/agreements';
import { MAX_AMOUNT_LENGTH, MAX_URL_LENGTH } from '../invoices/input/limits';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { linkableUrl } from '../messages/html';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { callerOf, strictBody } from '../platform/operator-input';
import { formatDecimalAmount } from '../values/money';
import { ruleId } from '../wiring/company';
import { ruleTermsFromEnv } from '../wiring/rule-terms';
import { startQueue } from '../wiring/start-queue';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

const Instalment = strictBody({
  dueDate: z
    .string({ error: 'is required: the due date, YYYY-MM-DD' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' }),
  amount: z
    .string({ error: 'is required: a decimal amount like "100.00"' })
    .max(MAX_AMOUNT_LENGTH, { error: `is longer than ${MAX_AMOUNT_LENGTH} characters` }),
  paymentUrl: z
    .string({ error: 'must be an http or https URL' })
    .max(MAX_URL_LENGTH, { error: `is longer than ${MAX_URL_LENGTH} characters` })
    .refine((url) => !/\s/.test(url) && linkableUrl(url) !== undefined, {
      error: 'must be an http or https URL without spaces',
    })
    .optional(),
});

/** `{ instalments: [{ dueDate, amount, paymentUrl? }] }`, 1 to MAX_INSTALMENTS of them. */
const AgreementBody = strictBody({
  instalments: z
    .array(Instalment, { error: 'is required: a list of { dueDate, amount } (1 or more instalments)' })
    .min(1, { error: 'needs at least one instalment' })
    .max(MAX_INSTALMENTS, { error: `has more than ${MAX_INSTALMENTS} instalments` }),
});

const deps = {
  ...stores(),
  tokens: taskTokens(),
  queue: startQueue(),
  now,
  terms: ruleTermsFromEnv(),
  defaultRuleId: ruleId(),
};

/**
 * `POST /invoices/{id}/agreements` `{ instalments: [{ dueDate, amount, paymentUrl? }] }` — renegotiates the invoice
 * into instalments: the original's walk ends at once (RENEGOTIATED) and each instalment becomes an invoice of its own
 * (`<id>-<n>of<count>`) with its own walk. 201 when recorded, 200 (`event: "duplicate"`) for the same agreement again;
 * 400 naming the field (dates, amounts, `instalments` when the sum is not the balance plus the late fees to date); 409
 * for a status that does not allow it or another agreement; 503 when an instalment could not be registered yet (the
 * agreement stands: the same request again completes it).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const body = parseWith(AgreementBody, parseJsonBody(event), 'agreement');
    const by = callerOf(event);
    const result = await renegotiate({ invoiceId, instalments: body.instalments, ...(by ? { by } : {}) }, deps);
    if (result.failed.length > 0) {
      const index = (id: string) => result.instalments.findIndex((i) => i.invoiceId === id);
      throw new HttpError(
        503,
        'AgreementIncomplete',
        `The agreement is recorded, but ${result.failed.length} instalment(s) could not be registered yet: send the same request again`,
        result.failed.map((f) => ({ path: `instalments.${index(f.invoiceId)}`, issue: `${f.invoiceId}: ${f.error}` })),
      );
    }
    const currency = result.invoice.amount.currency;
    const money = (minor: number) => ({ minor, currency, decimal: formatDecimalAmount(minor, currency) });
    return jsonResponse(result.event === 'renegotiated' ? 201 : 200, {
      invoiceId,
      event: result.event,
      status: result.invoice.status,
      previousStatus: result.previousStatus,
      ...(result.due
        ? {
            due: {
              balance: money(result.due.balanceMinor),
              fine: money(result.due.fineMinor),
              interest: money(result.due.interestMinor),
              total: money(result.due.totalMinor),
              daysLate: result.due.daysLate,
            },
          }
        : {}),
      instalments: result.instalments.map((i) => ({
        invoiceId: i.invoiceId,
        dueDate: i.dueDate,
        amount: money(i.amountMinor),
        ...(i.paymentUrl ? { paymentUrl: i.paymentUrl } : {}),
      })),
      registered: result.registered,
      duplicates: result.duplicates,
      resumedWorkflow: result.resumedWorkflow,
      ...(result.resumePending ? { resumePending: true } : {}),
    });
  });
