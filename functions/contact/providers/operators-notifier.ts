import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { classifyProviderError } from './provider-errors';
import { messageTags, type SmsTags } from './sms-sender';

/**
 * Publishes to the operators' SNS topic (escalations, failures, the sending breakers). The wiring gives it the SNS
 * client without SDK retries (functions/platform/aws/sns.ts `snsSend`): Publish to a standard topic has no
 * idempotency key, and a retry after a reset connection would notify twice; a failure is classified instead.
 */
export class OperatorsNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  /** `tags`: the invoice and stage the notice is about (an escalation), kept as message attributes. */
  async notify(subject: string, message: Record<string, unknown>, tags?: SmsTags): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify(message, null, 2),
          ...(tags ? { MessageAttributes: messageTags(tags) } : {}),
        }),
      );
      return out.MessageId ?? 'unknown';
    } catch (error) {
      throw classifyProviderError(error, 'SNS topic');
    }
  }
}
