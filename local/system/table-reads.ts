import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactLogEntry } from '../../functions/contact/contact-log';
import type { InvoiceEvent } from '../../functions/invoices/audit-log';
import type { Invoice } from '../../functions/invoices/invoice';
import { debtorTimezone } from '../../functions/rules/schedule';
import type { DunningConfig } from '../../lib/config';
import { compareTimelineEvents, invoiceTimeline, type TimelineEvent } from '../simulator/timeline';

/**
 * Everything the local system reads from the DynamoDB table directly (scans and queries with the table's keys
 * spelled out; local use only): the invoice ids, each invoice's timeline assembled from its contact log and audit
 * events (docs/formats.md), and the invoices whose walk should still be running after a restart.
 */

/** An invoice whose walk is still under way (contactable, or on hold waiting to resume). */
export interface WalkToResume {
  readonly invoiceId: string;
  /** The rule chosen at registration, when the item records one. */
  readonly ruleId?: string;
}

/** When an invoice's execution ended in `Billing rule completed` (undefined otherwise). */
export type CompletedAt = (invoiceId: string) => string | undefined;

export class LocalTableReads {
  /** Debtor zones of the invoices whose timeline was read. */
  private readonly zones = new Map<string, string>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly config: DunningConfig,
  ) {}

  /** Every invoice id in the table (a scan: local use only). */
  async invoiceIds(): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'itemType = :invoice',
          ExpressionAttributeValues: { ':invoice': 'invoice' },
          ProjectionExpression: 'invoiceId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.invoiceId));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids.sort();
  }

  /** The timeline of each invoice (docs/formats.md events), from its contact log and audit events, in time order. */
  async timeline(invoiceIds: readonly string[], completedAt: CompletedAt): Promise<TimelineEvent[]> {
    const lines: TimelineEvent[] = [];
    for (const invoiceId of invoiceIds) lines.push(...(await this.invoiceTimeline(invoiceId, completedAt)));
    return lines.sort(compareTimelineEvents);
  }

  /** One invoice's timeline, `completed` included once its execution ended in `Billing rule completed`. */
  async invoiceTimeline(invoiceId: string, completedAt: CompletedAt): Promise<TimelineEvent[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INVOICE#${invoiceId}` },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const invoice = items.find((i) => i.itemType === 'invoice') as (Invoice & { itemType: string }) | undefined;
    if (!invoice) return [];
    this.zones.set(invoiceId, debtorTimezone(this.config.rule, invoice.customer));
    const contacts = items.filter((i) => i.itemType === 'contact') as unknown as ContactLogEntry[];
    const events = items.filter((i) => i.itemType === 'event') as unknown as InvoiceEvent[];
    return invoiceTimeline(
      { invoiceId, customerId: invoice.customer.customerId },
      { contacts, events },
      completedAt(invoiceId),
    );
  }

  /** The debtor's time zone of an invoice whose timeline was read (for showing local times). */
  debtorZone(invoiceId: string): string {
    return this.zones.get(invoiceId) ?? this.config.rule.timezone;
  }

  /**
   * Every invoice still being walked (contactable, or on hold waiting to resume) that has an execution, in scan
   * order.
   */
  async walksToResume(): Promise<WalkToResume[]> {
    const walks: WalkToResume[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new ScanCommand({
          TableName: this.tableName,
          // Walks still running: contactable, or on hold (paused, disputed) waiting to resume.
          FilterExpression:
            'itemType = :invoice AND attribute_exists(executionArn) AND #status IN (:open, :escalated, :paused, :disputed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':invoice': 'invoice',
            ':open': 'OPEN',
            ':escalated': 'ESCALATED',
            ':paused': 'PAUSED',
            ':disputed': 'DISPUTED',
          },
          ProjectionExpression: 'invoiceId, ruleId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const invoiceId = String(item.invoiceId);
        walks.push(typeof item.ruleId === 'string' ? { invoiceId, ruleId: item.ruleId } : { invoiceId });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return walks;
  }
}
