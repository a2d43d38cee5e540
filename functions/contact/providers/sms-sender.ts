import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { classifyProviderError } from './provider-errors';

/** Sends SMS through SNS (Publish to a phone number) and checks SNS's opt-out list. */
export class SmsSender {
  constructor(
    private readonly client: SNSClient,
    private readonly senderId?: string,
  ) {}

  async isOptedOut(phone: string): Promise<boolean> {
    try {
      const out = await this.client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
      return out.isOptedOut === true;
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone);
    }
  }

  async send(phone: string, text: string): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          PhoneNumber: phone,
          Message: text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId } } : {}),
          },
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS', phone);
    }
  }
}
