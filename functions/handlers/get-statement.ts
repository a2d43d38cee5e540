import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { now } from '../platform/clock';
import { ENV, requireEnv } from '../platform/environment';
import { errorResponse, httpErrors } from '../platform/http';
import type { Statement } from '../statements/statement';
import { readStatement } from '../statements/statement-links';
import { renderInvalidStatementPage, renderStatementPage } from '../statements/statement-page';
import { formatDecimalAmount, type Money } from '../values/money';
import { ruleId } from '../wiring/company';
import { ruleTermsFromEnv } from '../wiring/rule-terms';
import { stores } from '../wiring/stores';

const deps = { ...stores(), now, terms: ruleTermsFromEnv(), defaultRuleId: ruleId() };
const company = requireEnv(ENV.COMPANY_LEGAL_NAME);

/** Headers of every answer: never cached, indexed or sent on as a referrer (the link is the key). */
const PRIVATE = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  vary: 'Accept',
};

/** The page runs no script and loads nothing: inline styles only. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /statements/{token}` — the debtor's statement (public: the signed, expiring token in the path is the
 * authorization; no login). JSON when the `Accept` header asks for `application/json` (before `text/html`), a small
 * HTML page in the debtor's language otherwise. A forged, expired or unknown link is a 404 — the same answer whatever
 * the reason, so the link reveals nothing about customers.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const json = wantsJson(header(event, 'accept'));
    let token = '';
    try {
      token = decodeURIComponent(event.pathParameters?.token ?? '');
    } catch {
      // not percent-encoding: an invalid link like any other
    }
    const statement = token === '' ? undefined : await readStatement(token, deps);
    if (!statement) {
      if (json) {
        const response = errorResponse(404, 'StatementNotFound', 'This statement link is not valid or has expired');
        return { ...response, headers: { ...response.headers, ...PRIVATE } };
      }
      const locale = header(event, 'accept-language')?.split(',')[0]?.split(';')[0];
      return html(404, renderInvalidStatementPage(locale));
    }
    if (json) {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', ...PRIVATE },
        body: JSON.stringify(statementJson(statement)),
      };
    }
    return html(200, renderStatementPage(statement, { company }));
  });

function html(statusCode: number, body: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      ...PRIVATE,
    },
    body,
  };
}

/** A request header, whatever the case of its name (API Gateway passes them as the client sent them). */
function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

/** JSON when `application/json` is asked for and `text/html` is not asked for before it (browsers ask for HTML). */
export function wantsJson(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  const json = types.indexOf('application/json');
  const html = types.indexOf('text/html');
  return json >= 0 && (html < 0 || json < html);
}

/** The statement as JSON: amounts as `{ minor, currency, decimal }`. */
function statementJson(statement: Statement) {
  const money = (m: Money) => ({ ...m, decimal: formatDecimalAmount(m.minor, m.currency) });
  return {
    customer: { name: statement.customerName },
    locale: statement.locale,
    timezone: statement.timezone,
    asOf: statement.asOf,
    today: statement.today,
    expiresAt: statement.expiresAt,
    invoices: statement.invoices.map((line) => ({
      invoiceId: line.invoiceId,
      ...(line.description ? { description: line.description } : {}),
      state: line.state,
      dueDate: line.dueDate,
      daysFromDue: line.daysFromDue,
      amount: money(line.amount),
      balance: money(line.balance),
      ...(line.lateFees
        ? {
            lateFees: {
              daysLate: line.lateFees.daysLate,
              fine: money(line.lateFees.fine),
              interest: money(line.lateFees.interest),
            },
          }
        : {}),
      totalDue: money(line.totalDue),
      ...(line.earlyPayment
        ? {
            earlyPayment: {
              pay: money(line.earlyPayment.pay),
              discount: money(line.earlyPayment.discount),
              discountPercent: line.earlyPayment.discountPercent,
              payBy: line.earlyPayment.payBy,
              validUntil: line.earlyPayment.validUntil,
            },
          }
        : {}),
      ...(line.paymentUrl ? { paymentUrl: line.paymentUrl } : {}),
      ...(line.agreementOf ? { agreementOf: line.agreementOf } : {}),
    })),
    totals: statement.totals.map((t) => ({
      currency: t.currency,
      balance: money(t.balance),
      totalDue: money(t.totalDue),
    })),
  };
}
