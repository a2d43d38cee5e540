import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { classifyProviderError } from './provider-errors';

/** Publishes to the operators' SNS topic (escalations and failures). */
export class OperatorsNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(subject: string, message: Record<string, unknown>): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify(message, null, 2),
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS topic');
    }
  }
}
