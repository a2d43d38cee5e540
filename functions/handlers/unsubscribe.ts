import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { parseUnsubscribeToken, sameSecret } from '../contact/unsubscribe-token';
import { renderUnsubscribePage, type UnsubscribePage } from '../messages/unsubscribe-page';
import { now } from '../platform/clock';
import { ENV, requireEnv } from '../platform/environment';
import { httpErrors } from '../platform/http';
import { log } from '../platform/logger';
import { stores } from '../wiring/stores';

const { customers } = stores();
const company = requireEnv(ENV.COMPANY_LEGAL_NAME);

/**
 * `GET|POST /unsubscribe/{token}` — the email's unsubscribe link (public: the token is the authorization). GET shows
 * a page asking to confirm; POST — the page's button, or the mail client's RFC 8058 one-click
 * (`List-Unsubscribe=One-Click`) — records the opt-out of email for the customer, idempotently. An unknown or forged
 * token gets the same "not valid" page whatever the reason, so the link reveals nothing about customers.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    let token = '';
    try {
      token = decodeURIComponent(event.pathParameters?.token ?? '');
    } catch {
      return page(404, 'invalid');
    }
    const parsed = parseUnsubscribeToken(token);
    const customer = parsed ? await customers.getCustomer(parsed.customerId) : undefined;
    if (!parsed || !customer?.unsubscribeToken || !sameSecret(customer.unsubscribeToken, parsed.secret)) {
      return page(404, 'invalid');
    }
    if (event.httpMethod === 'POST') {
      await customers.addOptOut(customer.customerId, 'email', now().toISOString());
      log.info('opt-out recorded', { customerId: customer.customerId, channel: 'email', via: 'unsubscribe-link' });
      return page(200, 'done', customer.locale);
    }
    return page(200, 'confirm', customer.locale);
  });

function page(statusCode: number, kind: UnsubscribePage, locale?: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
    },
    body: renderUnsubscribePage(kind, { locale, company }),
  };
}
