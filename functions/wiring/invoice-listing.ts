import type { InvoiceListing } from '../invoices/invoice-store';
import { dynamo } from '../platform/aws/dynamo';
import { ENV, requireEnv } from '../platform/environment';
import { DynamoInvoiceListing } from '../stores/dynamodb';

/** Scans of the invoices on the table `TABLE_NAME`: only the reconciler's Lambda builds this (and is granted Scan). */
export const invoiceListing = (): InvoiceListing => new DynamoInvoiceListing(dynamo, requireEnv(ENV.TABLE_NAME));
