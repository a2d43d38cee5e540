import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactLogEntry } from '../../contact/contact-log';
import { ITEM_TYPE, invoicePartition, tableKeys } from '../../contracts/table-layout';
import type { AuditLog, InvoiceEvent } from '../../invoices/audit-log';
import { stripKeys, TableStore } from './table';

/**
 * The audit event items (`INVOICE#<id>` / `EVENT#…`: contracts/table-layout.ts). An invoice's history is one query
 * of its partition: its events and its contact log (./contact-log.ts).
 */
export class DynamoAuditLog extends TableStore implements AuditLog {
  /** Appends an audit event to the invoice's history. */
  async logEvent(event: InvoiceEvent): Promise<void> {
    await this.putItem({ ...tableKeys.event(event), itemType: ITEM_TYPE.event, ...event });
  }

  /** The invoice's contact log and audit events, oldest first. */
  async invoiceHistory(invoiceId: string): Promise<{ contacts: ContactLogEntry[]; events: InvoiceEvent[] }> {
    const contacts: ContactLogEntry[] = [];
    const events: InvoiceEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': invoicePartition(invoiceId) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item.itemType === ITEM_TYPE.contact) contacts.push(stripKeys<ContactLogEntry>(item));
        else if (item.itemType === ITEM_TYPE.event) events.push(stripKeys<InvoiceEvent>(item));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return { contacts, events };
  }
}
