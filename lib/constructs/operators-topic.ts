import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
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
 * The operators' SNS topic: escalations (`escalate` actions), workflow failures and the stack's CloudWatch alarms.
 * Encrypted with a customer managed KMS key (rotated yearly) whose policy lets CloudWatch publish alarms — the AWS
 * managed key `alias/aws/sns` cannot be used by CloudWatch alarm actions — publishing only over TLS.
 *
 * The topic policy: `enforceSSL` makes CDK write an AWS::SNS::TopicPolicy, and a topic policy REPLACES SNS's default
 * one (which let the account's services publish). A policy holding only the TLS Deny would therefore leave
 * `cloudwatch.amazonaws.com` without sns:Publish, and every alarm action would fail silently (the alarm turns ALARM,
 * the notification is dropped; only the alarm history says "Failed to execute action"). So the policy also allows
 * CloudWatch to publish, for this account's alarms only (aws:SourceAccount and aws:SourceArn: the confused-deputy
 * guard AWS recommends for service principals).
 */
export class OperatorsTopic extends Construct {
  readonly topic: ITopic;
  /** The topic's key. */
  readonly key: Key;

  constructor(scope: Construct, id: string, props: OperatorsTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: "Encrypts the dunning operators' topic (escalations, failures, alarms)",
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the topic: it needs the key to encrypt them.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Dunning operators',
      masterKey: this.key,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
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
