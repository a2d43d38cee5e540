import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Stores } from '../stores';
import { DynamoAuditLog } from './audit-log';
import { DynamoContactLog } from './contact-log';
import { DynamoCustomerStore } from './customer-store';
import { DynamoInvoiceListing } from './invoice-listing';
import { DynamoInvoiceStore } from './invoice-store';
import { DynamoSendClaims } from './send-claims';
import { DynamoSendingBreakers } from './sending-breakers';
import { DynamoWalkAttention } from './walk-attention';

export {
  DynamoAuditLog,
  DynamoContactLog,
  DynamoCustomerStore,
  DynamoInvoiceListing,
  DynamoInvoiceStore,
  DynamoSendClaims,
  DynamoSendingBreakers,
  DynamoWalkAttention,
};

/** The stores on the single DynamoDB table `tableName` (contracts/table-layout.ts), one class per item type. */
export function dynamoStores(client: DynamoDBDocumentClient, tableName: string): Stores {
  const customers = new DynamoCustomerStore(client, tableName);
  return {
    invoices: new DynamoInvoiceStore(client, tableName),
    customers,
    contactSlots: customers,
    sendClaims: new DynamoSendClaims(client, tableName),
    sendingBreakers: new DynamoSendingBreakers(client, tableName),
    contactLog: new DynamoContactLog(client, tableName),
    auditLog: new DynamoAuditLog(client, tableName),
    walkAttention: new DynamoWalkAttention(client, tableName),
  };
}
