import { randomFillSync } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { CUSTOMER_INDEX, customerPartition, type ItemKey } from '../../contracts/table-layout';

/**
 * What every DynamoDB store shares: the document client and the name of the single table
 * (contracts/table-layout.ts). Every state change is one single-item conditional write (no transactions), which
 * dynalite supports and which is the cheaper design on DynamoDB too.
 */
export interface TableRef {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * What the store classes share: one constructor (the client and the table name, kept as their `TableRef`) and the
 * commands on the table they all send the same way.
 */
export abstract class TableStore {
  protected readonly table: TableRef;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.table = { client, tableName };
  }

  /** The item at `key` (a consistent read), or undefined when there is none. */
  protected async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const out = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Writes `item`, replacing any item with its key. */
  protected async putItem(item: Record<string, unknown>): Promise<void> {
    await this.table.client.send(new PutCommand({ TableName: this.table.tableName, Item: item }));
  }

  /** Writes `item` unless an item with its key exists: false when one does (nothing was written). */
  protected async putNewItem(item: Record<string, unknown>): Promise<boolean> {
    const out = await unlessConditionFails(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return out !== undefined;
  }

  /** One update of an item of the table. */
  protected update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput> {
    return this.table.client.send(new UpdateCommand({ TableName: this.table.tableName, ...input }));
  }

  /** An update with a `ConditionExpression`: its answer, or undefined when the condition did not hold. */
  protected conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | undefined> {
    return unlessConditionFails(this.update(input));
  }
}

/** A conditional write that did not hold (as the SDK throws it, or as another copy of the SDK names it). */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

/**
 * The answer to a conditional write, or undefined when its condition did not hold (nothing was written); any other
 * error is thrown.
 */
async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** An item read back, without its keys and item type: the domain's shape. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, itemType: _itemType, ...rest } = item;
  return rest as T;
}

/** Every item of a customer in the customer index whose sort key meets `sortKeyCondition`, page after page. */
export async function queryCustomerIndex<T>(
  table: TableRef,
  customerId: string,
  sortKeyCondition: string,
  values: Record<string, string>,
): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: CUSTOMER_INDEX.name,
        KeyConditionExpression: `gsi1pk = :pk AND ${sortKeyCondition}`,
        ExpressionAttributeValues: { ':pk': customerPartition(customerId), ...values },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) items.push(stripKeys<T>(item));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Bytes of one secret: 144 random bits. */
const SECRET_BYTES = 18;
/**
 * Random bytes for secrets, drawn from the CSPRNG 256 secrets at a time (one `randomBytes` call per customer costs
 * a native call and a buffer each; a file of a million customers felt it). Each secret uses its bytes once.
 */
const secretPool = Buffer.alloc(SECRET_BYTES * 256);
let secretPoolOffset = secretPool.length;

/** A fresh secret (unsubscribe token, statement secret): 144 bits from the CSPRNG, base64url (24 characters). */
export function newSecretToken(): string {
  if (secretPoolOffset + SECRET_BYTES > secretPool.length) {
    randomFillSync(secretPool);
    secretPoolOffset = 0;
  }
  const token = secretPool.toString('base64url', secretPoolOffset, secretPoolOffset + SECRET_BYTES);
  secretPoolOffset += SECRET_BYTES;
  return token;
}
