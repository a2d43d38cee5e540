import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, ContactLog, ContactLogEntry } from '../contact/contact-log';
import type { ContactSlots } from '../contact/contact-slots';
import type { SendClaim, SendClaims } from '../contact/send-claims';
import type { AuditLog, InvoiceEvent } from '../invoices/audit-log';
import type { CustomerStore } from '../invoices/customer-store';
import type { InvoiceStore, WaitKind } from '../invoices/invoice-store';
import { DynamoAuditLog } from './dynamodb/audit-log';
import { DynamoContactLog } from './dynamodb/contact-log';
import { DynamoCustomerStore } from './dynamodb/customer-store';
import { DynamoInvoiceStore } from './dynamodb/invoice-store';
import { DynamoSendClaims } from './dynamodb/send-claims';

export type { Channel, ContactLogEntry, InvoiceEvent, SendClaim, WaitKind };

/**
 * Transitional: the five DynamoDB stores behind the one object the services took before they depended on the store
 * interfaces (invoices/invoice-store.ts, invoices/customer-store.ts, invoices/audit-log.ts, contact/contact-log.ts,
 * contact/contact-slots.ts, contact/send-claims.ts). Same commands and items: each method is the store's.
 */
export class DunningTable {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore & ContactSlots;
  readonly sendClaims: SendClaims;
  readonly contactLog: ContactLog;
  readonly auditLog: AuditLog;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.invoices = new DynamoInvoiceStore(client, tableName);
    this.customers = new DynamoCustomerStore(client, tableName);
    this.sendClaims = new DynamoSendClaims(client, tableName);
    this.contactLog = new DynamoContactLog(client, tableName);
    this.auditLog = new DynamoAuditLog(client, tableName);
  }

  getInvoice: InvoiceStore['getInvoice'] = (...args) => this.invoices.getInvoice(...args);
  createInvoice: InvoiceStore['createInvoice'] = (...args) => this.invoices.createInvoice(...args);
  setExecution: InvoiceStore['setExecution'] = (...args) => this.invoices.setExecution(...args);
  storeTaskToken: InvoiceStore['storeTaskToken'] = (...args) => this.invoices.storeTaskToken(...args);
  writeInvoiceChange: InvoiceStore['writeInvoiceChange'] = (...args) => this.invoices.writeInvoiceChange(...args);
  writeRenegotiation: InvoiceStore['writeRenegotiation'] = (...args) => this.invoices.writeRenegotiation(...args);
  markEscalated: InvoiceStore['markEscalated'] = (...args) => this.invoices.markEscalated(...args);
  recordFailure: InvoiceStore['recordFailure'] = (...args) => this.invoices.recordFailure(...args);
  recordEarlyPaymentOffer: InvoiceStore['recordEarlyPaymentOffer'] = (...args) =>
    this.invoices.recordEarlyPaymentOffer(...args);
  customerInvoices: InvoiceStore['customerInvoices'] = (...args) => this.invoices.customerInvoices(...args);

  getCustomer: CustomerStore['getCustomer'] = (...args) => this.customers.getCustomer(...args);
  upsertCustomer: CustomerStore['upsertCustomer'] = (...args) => this.customers.upsertCustomer(...args);
  replaceCustomerContact: CustomerStore['replaceCustomerContact'] = (...args) =>
    this.customers.replaceCustomerContact(...args);
  addOptOut: CustomerStore['addOptOut'] = (...args) => this.customers.addOptOut(...args);
  statementSecret: CustomerStore['statementSecret'] = (...args) => this.customers.statementSecret(...args);
  reserveContact: ContactSlots['reserveContact'] = (...args) => this.customers.reserveContact(...args);
  releaseContact: ContactSlots['releaseContact'] = (...args) => this.customers.releaseContact(...args);
  uncoverContact: ContactSlots['uncoverContact'] = (...args) => this.customers.uncoverContact(...args);

  claimSend: SendClaims['claimSend'] = (...args) => this.sendClaims.claimSend(...args);
  completeSend: SendClaims['completeSend'] = (...args) => this.sendClaims.completeSend(...args);
  recordConsolidatedSend: SendClaims['recordConsolidatedSend'] = (...args) =>
    this.sendClaims.recordConsolidatedSend(...args);
  releaseSend: SendClaims['releaseSend'] = (...args) => this.sendClaims.releaseSend(...args);

  logContact: ContactLog['logContact'] = (...args) => this.contactLog.logContact(...args);
  customerContacts: ContactLog['customerContacts'] = (...args) => this.contactLog.customerContacts(...args);

  logEvent: AuditLog['logEvent'] = (...args) => this.auditLog.logEvent(...args);
  invoiceHistory: AuditLog['invoiceHistory'] = (...args) => this.auditLog.invoiceHistory(...args);
}
