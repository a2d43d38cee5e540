import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_TYPE, TABLE_KEY, tableKeys, walkAttentionPartition } from '../../contracts/table-layout';
import type { WalkAttention, WalkMark } from '../../executions/walk-attention';
import { stripKeys, TableStore } from './table';

/**
 * The walks the reconciler must look at (`WALKS#attention` / `<invoiceId>`, contracts/table-layout.ts): one small item
 * per marked walk, in one partition. Marks are written only when a resume or a start message failed (rare: one
 * partition takes 1,000 writes a second), and the reconciler reads the partition with a Query (1 MB a page) — what
 * it reads is what is marked, not the whole table.
 */
export class DynamoWalkAttention extends TableStore implements WalkAttention {
  async flagWalk(mark: WalkMark): Promise<void> {
    await this.putItem({ ...tableKeys.walkAttention(mark.invoiceId), itemType: ITEM_TYPE.attention, ...mark });
  }

  async *flaggedWalks(): AsyncGenerator<WalkMark> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
          ExpressionAttributeValues: { ':pk': walkAttentionPartition },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield stripKeys<WalkMark>(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async clearWalk(invoiceId: string): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: tableKeys.walkAttention(invoiceId) }),
    );
  }
}
