import {
  CheckIfPhoneNumberIsOptedOutCommand,
  type MessageAttributeValue,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { type ProviderClients, providerClients } from './provider-clients';
import { classifyProviderError } from './provider-errors';

/** What an SMS is about: SNS keeps these as message attributes `invoice` and `stage` (see {@link messageTags}). */
export interface SmsTags {
  readonly invoice: string;
  readonly stage: string;
}

/**
 * Sends SMS through SNS (Publish to a phone number) and checks SNS's opt-out list. Publish goes through the `sends`
 * client, which the wiring makes without SDK retries (functions/platform/aws/sns.ts `snsSend`: no idempotency key,
 * a retry after a reset connection may deliver a second SMS); the opt-out read through `reads`, with them.
 */
export class SmsSender {
  private readonly clients: ProviderClients<SNSClient>;

  constructor(
    clients: SNSClient | ProviderClients<SNSClient>,
    private readonly senderId?: string,
  ) {
    this.clients = providerClients(clients);
  }

  async isOptedOut(phone: string): Promise<boolean> {
    try {
      const out = await this.clients.reads.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
      return out.isOptedOut === true;
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone, 'read');
    }
  }

  async send(phone: string, text: string, tags?: SmsTags): Promise<string> {
    try {
      const out = await this.clients.sends.send(
        new PublishCommand({
          PhoneNumber: phone,
          Message: text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId } } : {}),
            ...(tags ? messageTags(tags) : {}),
          },
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone);
    }
  }
}

/**
 * The invoice and stage a message is about, as SNS message attributes (String): kept with the message by SNS (and
 * read by the local emulators to write their outbox). Names must not start with `AWS.` (reserved) and, like values,
 * are at most 256 characters; an empty String value is refused (InvalidParameterValue), so an empty one is `_`.
 */
export function messageTags(tags: SmsTags): Record<'invoice' | 'stage', MessageAttributeValue> {
  const value = (v: string) => ({ DataType: 'String', StringValue: v.slice(0, 256) || '_' });
  return { invoice: value(tags.invoice), stage: value(tags.stage) };
}
