import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../contact/contact-log';
import type { SendClaim, SendClaims } from '../../contact/send-claims';
import { ITEM_TYPE, sendRecordExpiry, tableKeys } from '../../contracts/table-layout';
import { isConditionFailure, type TableRef } from './table';

const sendKey = tableKeys.send;

/** The send claim items (`SEND#<invoice>#<stage>#<channel>` / `SEND`, TTL `expiresAt`): contracts/table-layout.ts. */
export class DynamoSendClaims implements SendClaims {
  private readonly table: TableRef;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.table = { client, tableName };
  }

  /**
   * Claims the right to send one channel of one stage of one invoice (conditional put). A second claim finds the
   * first: 'already-sent' when it completed, 'in-doubt' when it never did (a crash between send and record) —
   * the caller does not send again in either case: two copies of a notice are worse than a missing one.
   */
  async claimSend(invoiceId: string, stageId: string, channel: Channel, at: string): Promise<SendClaim> {
    const key = sendKey(invoiceId, stageId, channel);
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...key,
            itemType: ITEM_TYPE.send,
            state: 'PENDING',
            claimedAt: at,
            expiresAt: sendRecordExpiry(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }),
      );
      return out.Item?.state === 'SENT' ? 'already-sent' : 'in-doubt';
    }
  }

  /** Marks a claim as sent, with the provider's message id. */
  async completeSend(
    invoiceId: string,
    stageId: string,
    channel: Channel,
    messageId: string,
    at: string,
  ): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: sendKey(invoiceId, stageId, channel),
        UpdateExpression: 'SET #state = :sent, messageId = :id, sentAt = :at',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'SENT', ':id': messageId, ':at': at },
      }),
    );
  }

  /**
   * Records that one channel of `stageId` of `invoiceId` went out in another invoice's consolidated message (provider
   * message `messageId`): a send claim already SENT, so that this invoice never sends it itself. 'exists' when the
   * invoice holds a claim for it already (it sent, or is sending, that channel itself): nothing is written.
   */
  async recordConsolidatedSend(
    send: { invoiceId: string; stageId: string; channel: Channel },
    messageId: string,
    at: string,
    consolidatedInto: string,
  ): Promise<'recorded' | 'exists'> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...sendKey(send.invoiceId, send.stageId, send.channel),
            itemType: ITEM_TYPE.send,
            state: 'SENT',
            claimedAt: at,
            sentAt: at,
            messageId,
            consolidatedInto,
            expiresAt: sendRecordExpiry(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw error;
    }
  }

  /** Gives a claim back when the provider said for sure that nothing was sent (throttling), so a retry may send. */
  async releaseSend(invoiceId: string, stageId: string, channel: Channel): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: sendKey(invoiceId, stageId, channel) }),
    );
  }
}
