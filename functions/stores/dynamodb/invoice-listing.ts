import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_TYPE } from '../../contracts/table-layout';
import type { InvoiceListing, WalkUnderWay } from '../../invoices/invoice-store';
import { TableStore } from './table';

/**
 * Scans of the invoice items (contracts/table-layout.ts) for the local system and tools; the Lambdas are granted no
 * Scan and never build this.
 */
export class DynamoInvoiceListing extends TableStore implements InvoiceListing {
  async allInvoiceIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of this.scan({
      FilterExpression: 'itemType = :invoice',
      ExpressionAttributeValues: { ':invoice': ITEM_TYPE.invoice },
      ProjectionExpression: 'invoiceId',
    })) {
      ids.push(String(item.invoiceId));
    }
    return ids.sort();
  }

  async walksUnderWay(): Promise<WalkUnderWay[]> {
    const walks: WalkUnderWay[] = [];
    for await (const item of this.scan({
      // Walks still running: contactable, or on hold (paused, disputed) waiting to resume.
      FilterExpression:
        'itemType = :invoice AND attribute_exists(executionArn) AND #status IN (:open, :escalated, :paused, :disputed)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':invoice': ITEM_TYPE.invoice,
        ':open': 'OPEN',
        ':escalated': 'ESCALATED',
        ':paused': 'PAUSED',
        ':disputed': 'DISPUTED',
      },
      ProjectionExpression: 'invoiceId, ruleId, executionArn',
    })) {
      const invoiceId = String(item.invoiceId);
      walks.push({
        invoiceId,
        ...(typeof item.ruleId === 'string' ? { ruleId: item.ruleId } : {}),
        ...(typeof item.executionArn === 'string' ? { executionArn: item.executionArn } : {}),
      });
    }
    return walks;
  }

  /** Every item the scan `input` finds, page after page. */
  private async *scan(
    input: Omit<ConstructorParameters<typeof ScanCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
  ): AsyncGenerator<Record<string, unknown>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new ScanCommand({ ...input, TableName: this.table.tableName, ExclusiveStartKey: startKey }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
