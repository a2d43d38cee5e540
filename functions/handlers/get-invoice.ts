import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvoiceNotFound } from '../contracts/errors';
import { checkInvoiceId } from '../invoices/input/text-checks';
import { httpErrors, jsonResponse, pathParameter } from '../platform/http';
import { formatDecimalAmount } from '../values/money';
import { stores } from '../wiring/stores';

const { invoices, auditLog } = stores();

/** `GET /invoices/{id}` — status, current stage, balance and the whole contact history. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const invoiceId = pathParameter(event, 'id', checkInvoiceId);
    const invoice = await invoices.getInvoice(invoiceId);
    if (!invoice) throw new InvoiceNotFound(invoiceId);
    const history = await auditLog.invoiceHistory(invoiceId);
    const { taskToken: _internal, ...visible } = invoice;
    return jsonResponse(200, {
      invoice: {
        ...visible,
        amount: { ...invoice.amount, decimal: formatDecimalAmount(invoice.amount.minor, invoice.amount.currency) },
        balance: {
          minor: invoice.balanceMinor,
          currency: invoice.amount.currency,
          decimal: formatDecimalAmount(invoice.balanceMinor, invoice.amount.currency),
        },
      },
      contacts: history.contacts,
      events: history.events,
    });
  });
