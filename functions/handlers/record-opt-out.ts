import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { CustomerNotFound } from '../contracts/errors';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, parseWith, pathParameter } from '../platform/http';
import { log } from '../platform/logger';
import { stores } from '../wiring/stores';

/** Channels a debtor can opt out of. */
export const OPT_OUT_CHANNELS = ['email', 'sms'] as const;

const OptOutBody = z
  .object({
    channel: z.enum(OPT_OUT_CHANNELS, { error: `must be one of ${OPT_OUT_CHANNELS.join(', ')}` }),
    source: z.string().max(256).optional().describe('where the request came from (support call, web form…)'),
  })
  .strict();

const { customers } = stores();

/**
 * `POST /customers/{id}/opt-outs` — the debtor refuses a channel: every later stage, of every invoice of this
 * customer, skips it with reason `opted-out`. Idempotent.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const customerId = pathParameter(event, 'id');
    const body = parseWith(OptOutBody, parseJsonBody(event), 'opt-out');
    const optOuts = await customers.addOptOut(customerId, body.channel, now().toISOString());
    if (!optOuts) throw new CustomerNotFound(customerId);
    log.info('opt-out recorded', { customerId, channel: body.channel }); // not the free-text source
    return jsonResponse(200, { customerId, optOuts });
  });
