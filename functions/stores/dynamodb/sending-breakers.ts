import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../contact/contact-log';
import type { SendingBreaker, SendingBreakers } from '../../contact/sending-breakers';
import { ITEM_TYPE, tableKeys } from '../../contracts/table-layout';
import { TableStore } from './table';

const CHANNELS: readonly Channel[] = ['email', 'sms', 'escalate'];

/**
 * The sending breakers (`ACCOUNT#sending` / `BREAKER`, contracts/table-layout.ts): one item, one map attribute per
 * channel. Every send step that needs a channel reads it (one eventually consistent GetItem: half a read unit);
 * DynamoDB serves at most 3,000 read units a second from one partition, i.e. 6,000 such reads of this one item —
 * far above the send rates SES and SNS allow an account. A write changes one channel's map, conditional on its
 * version, so two send steps never both open (or close) a breaker.
 */
export class DynamoSendingBreakers extends TableStore implements SendingBreakers {
  async sendingBreakers(): Promise<Partial<Record<Channel, SendingBreaker>>> {
    // Eventually consistent: a stale answer only lets a send meet the refusal again (its write then loses) or defers
    // a stage a little longer; every change is a conditional write on the version read.
    const out = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: tableKeys.sendingBreakers(), ConsistentRead: false }),
    );
    const breakers: Partial<Record<Channel, SendingBreaker>> = {};
    for (const channel of CHANNELS) {
      const breaker = out.Item?.[channel] as SendingBreaker | undefined;
      if (breaker) breakers[channel] = breaker;
    }
    return breakers;
  }

  async writeSendingBreaker(breaker: SendingBreaker, expectedVersion: number): Promise<boolean> {
    const out = await this.conditionalUpdate({
      Key: tableKeys.sendingBreakers(),
      UpdateExpression: 'SET #channel = :breaker, itemType = :type',
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#channel)' : '#channel.#version = :expected',
      ExpressionAttributeNames: {
        '#channel': breaker.channel,
        ...(expectedVersion === 0 ? {} : { '#version': 'version' }),
      },
      ExpressionAttributeValues: {
        ':breaker': breaker,
        ':type': ITEM_TYPE.breaker,
        ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
      },
    });
    return out !== undefined;
  }
}
