import { Alias } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeNag } from './nag';

export interface OperatorsTopicProps {
  /** Operators subscribed by email (each confirms once). @default - none; subscribe later in the console */
  readonly emails?: readonly string[];
  /** @default "Dunning operators" */
  readonly displayName?: string;
}

/**
 * The operators' SNS topic: escalations (`escalate` actions) and workflow failures. Encrypted with the AWS managed
 * key `alias/aws/sns`, publishing only over TLS.
 */
export class OperatorsTopic extends Construct {
  readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: OperatorsTopicProps = {}) {
    super(scope, id);
    const topic = new Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Dunning operators',
      masterKey: Alias.fromAliasName(this, 'AwsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) topic.addSubscription(new EmailSubscription(email));
    if ((props.emails ?? []).length > 0) {
      acknowledgeNag(
        topic,
        'Serverless-SNSRedrivePolicy',
        'Email subscriptions to people: SNS retries email delivery itself, and an undeliverable operator email is visible in the NumberOfNotificationsFailed metric.',
      );
    }
    this.topic = topic;
  }
}
