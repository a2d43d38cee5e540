import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog } from '../../functions/invoices/audit-log';
import type { InvoiceListing, InvoiceStore, WalkUnderWay } from '../../functions/invoices/invoice-store';
import { debtorTimezone } from '../../functions/rules/schedule';
import { DynamoAuditLog, DynamoInvoiceListing, DynamoInvoiceStore } from '../../functions/stores/dynamodb';
import type { DunningConfig } from '../../lib/config';
import { compareTimelineEvents, invoiceTimeline, type TimelineEvent } from '../simulator/timeline';

/**
 * What the local system reads of the invoices, through the stores (functions/stores/dynamodb/): the invoice ids, each
 * invoice's timeline assembled from its contact log and audit events (docs/formats.md), and the invoices whose walk
 * should still be running after a restart (the listing scans the table: local use only).
 */

/** An invoice whose walk is still under way (contactable, or on hold waiting to resume). */
export type WalkToResume = WalkUnderWay;

/** When an invoice's execution ended in `Billing rule completed` (undefined otherwise). */
/** When the walk's execution (the invoice's latest, `executionArn`) ended in `Billing rule completed`, if it did. */
export type CompletedAt = (invoiceId: string, executionArn: string | undefined) => string | undefined;

export class LocalTableReads {
  /** Debtor zones of the invoices whose timeline was read. */
  private readonly zones = new Map<string, string>();
  private readonly invoices: InvoiceStore;
  private readonly auditLog: AuditLog;
  private readonly listing: InvoiceListing;

  constructor(
    dynamo: DynamoDBDocumentClient,
    tableName: string,
    private readonly config: DunningConfig,
  ) {
    this.invoices = new DynamoInvoiceStore(dynamo, tableName);
    this.auditLog = new DynamoAuditLog(dynamo, tableName);
    this.listing = new DynamoInvoiceListing(dynamo, tableName);
  }

  /** Every invoice id, sorted. */
  invoiceIds(): Promise<string[]> {
    return this.listing.allInvoiceIds();
  }

  /** The timeline of each invoice (docs/formats.md events), from its contact log and audit events, in time order. */
  async timeline(invoiceIds: readonly string[], completedAt: CompletedAt): Promise<TimelineEvent[]> {
    const lines: TimelineEvent[] = [];
    for (const invoiceId of invoiceIds) lines.push(...(await this.invoiceTimeline(invoiceId, completedAt)));
    return lines.sort(compareTimelineEvents);
  }

  /** One invoice's timeline, `completed` included once its execution ended in `Billing rule completed`. */
  async invoiceTimeline(invoiceId: string, completedAt: CompletedAt): Promise<TimelineEvent[]> {
    const invoice = await this.invoices.getInvoice(invoiceId);
    if (!invoice) return [];
    this.zones.set(invoiceId, debtorTimezone(this.config.rule, invoice.customer));
    const history = await this.auditLog.invoiceHistory(invoiceId);
    return invoiceTimeline(
      { invoiceId, customerId: invoice.customer.customerId },
      history,
      completedAt(invoiceId, invoice.executionArn),
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
  walksToResume(): Promise<WalkToResume[]> {
    return this.listing.walksUnderWay();
  }
}
