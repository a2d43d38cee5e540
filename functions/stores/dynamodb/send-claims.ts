import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../contact/contact-log';
import { consolidatedSendRecord, type SendClaim, type SendClaims } from '../../contact/send-claims';
import { ITEM_TYPE, sendRecordExpiry, tableKeys } from '../../contracts/table-layout';
import { TableStore } from './table';

const sendKey = tableKeys.send;

/** The send claim items (`SEND#<invoice>#<stage>#<channel>` / `SEND`, TTL `expiresAt`): contracts/table-layout.ts. */
export class DynamoSendClaims extends TableStore implements SendClaims {
  /**
   * Claims the right to send one channel of one stage of one invoice (conditional put). A second claim finds the
   * first: 'already-sent' when it completed, 'in-doubt' when it never did (a crash between send and record) —
   * the caller does not send again in either case: two copies of a notice are worse than a missing one.
   */
  async claimSend(invoiceId: string, stageId: string, channel: Channel, at: string): Promise<SendClaim> {
    const key = sendKey(invoiceId, stageId, channel);
    const item = { ...key, itemType: ITEM_TYPE.send, state: 'PENDING', claimedAt: at, expiresAt: sendRecordExpiry(at) };
    if (await this.putNewItem(item)) return 'claimed';
    return (await this.getItem(key))?.state === 'SENT' ? 'already-sent' : 'in-doubt';
  }

  /** Marks a claim as sent, with the provider's message id. */
  async completeSend(
    invoiceId: string,
    stageId: string,
    channel: Channel,
    messageId: string,
    at: string,
  ): Promise<void> {
    await this.update({
      Key: sendKey(invoiceId, stageId, channel),
      UpdateExpression: 'SET #state = :sent, messageId = :id, sentAt = :at',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':sent': 'SENT', ':id': messageId, ':at': at },
    });
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
    const recorded = await this.putNewItem({
      ...sendKey(send.invoiceId, send.stageId, send.channel),
      itemType: ITEM_TYPE.send,
      ...consolidatedSendRecord(at, messageId, consolidatedInto, sendRecordExpiry(at)),
    });
    return recorded ? 'recorded' : 'exists';
  }

  /** Gives a claim back when the provider said for sure that nothing was sent (throttling), so a retry may send. */
  async releaseSend(invoiceId: string, stageId: string, channel: Channel): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: sendKey(invoiceId, stageId, channel) }),
    );
  }
}
