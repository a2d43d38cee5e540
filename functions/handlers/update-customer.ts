import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CustomerNotFound, HttpError } from '../contracts/errors';
import { validateCustomerRecord } from '../invoices/input/customer-record';
import { now } from '../platform/clock';
import { httpErrors, jsonResponse, parseJsonBody, pathParameter } from '../platform/http';
import { log } from '../platform/logger';
import { stores } from '../wiring/stores';

const { customers } = stores();

/**
 * `PUT /customers/{id}` — a known customer's new name and contact details (a CRM sync, a support call): the body has
 * the customer fields of an invoice record and replaces the stored set (a field left out is removed). Opt-outs,
 * contact history and secrets stay. Every later step of every walk of the customer reads them: the next message goes
 * to the new address, in the new zone's business hours. 404 for an unknown customer.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const customerId = pathParameter(event, 'id');
    const checked = validateCustomerRecord(parseJsonBody(event), customerId);
    if (!checked.ok) throw new HttpError(400, 'ValidationError', 'Invalid customer', checked.issues);
    if ((await customers.replaceCustomerContact(checked.value, now().toISOString())) === 'not-found') {
      throw new CustomerNotFound(customerId);
    }
    // The field names only: the values are personal data.
    log.info('customer updated', { customerId, fields: Object.keys(checked.value).join(',') });
    return jsonResponse(200, { customer: checked.value });
  });
