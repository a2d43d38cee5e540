import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { sharedDunningStack } from './stack-under-test';

const { template } = sharedDunningStack();
const resources = (type: string) => Object.entries(template.findResources(type));
const topicId = () => {
  const [entry] = resources('AWS::SNS::Topic');
  return entry?.[0] as string;
};

describe('what operators watch: the dashboard and the alarms', () => {
  it('has one dashboard with the workflows, every Lambda function, the API, the queues and the alarms', () => {
    const dashboards = resources('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.[1].Properties.DashboardBody);
    for (const metric of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut']) {
      expect(body).toContain(metric);
    }
    for (const metric of ['5XXError', '4XXError', 'Latency', 'ApproximateNumberOfMessagesVisible', 'Throttles']) {
      expect(body).toContain(metric);
    }
    // every function of ours has its errors on the dashboard (the body names each by a reference); CDK's own
    // bucket-notifications helper runs only at deployment
    const functions = resources('AWS::Lambda::Function').filter(([id]) => !id.startsWith('BucketNotificationsHandler'));
    expect(functions.length).toBeGreaterThanOrEqual(17);
    for (const [logicalId] of functions) expect(body, logicalId).toContain(`{"Ref":"${logicalId}"}`);
    expect(body).toContain('alarm');
  });

  it('sends every alarm to the operators topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.map(([, a]) => a.Properties.AlarmDescription as string)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('An invoice workflow failed'),
        expect.stringContaining('dead-letter queue'),
        expect.stringContaining('The API answered 5xx'),
      ]),
    );
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId() }]);
    }
  });

  it('encrypts the operators topic with a rotated customer managed key that CloudWatch may use, in this account only', () => {
    const [[keyId, key] = []] = resources('AWS::KMS::Key');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    expect(resources('AWS::SNS::Topic')[0]?.[1].Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [keyId, 'Arn'],
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('names the dashboard in the stack outputs', () => {
    template.hasOutput('DashboardName', { Value: { Ref: Match.stringLikeRegexp('Dashboard') } });
  });
});
