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

  it('alarms on workflows that timed out or were aborted (they end without handle-failure telling anyone)', () => {
    const [[stateMachineId] = []] = resources('AWS::StepFunctions::StateMachine');
    for (const metricName of ['ExecutionsTimedOut', 'ExecutionsAborted']) {
      const alarms = resources('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === metricName);
      expect(alarms, metricName).toHaveLength(1);
      expect(alarms[0]?.[1].Properties, metricName).toMatchObject({
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId() }],
      });
    }
  });

  it("alarms on any Lambda throttle: every function of ours in exactly one group alarm, each within metric math's 10 metrics", () => {
    interface MathQuery {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Value: { Ref: string } }[] } };
    }
    const throttleAlarms = resources('AWS::CloudWatch::Alarm').filter(([, a]) =>
      ((a.Properties.Metrics as MathQuery[] | undefined) ?? []).some(
        (q) => q.MetricStat?.Metric.MetricName === 'Throttles',
      ),
    );
    expect(throttleAlarms.length).toBeGreaterThanOrEqual(2);
    const watched: string[] = [];
    for (const [id, alarm] of throttleAlarms) {
      const queries = alarm.Properties.Metrics as MathQuery[];
      const stats = queries.filter((q) => q.MetricStat);
      expect(stats.length, id).toBeLessThanOrEqual(10);
      for (const q of stats) {
        expect(q.MetricStat?.Metric.Namespace, id).toBe('AWS/Lambda');
        watched.push(...(q.MetricStat?.Metric.Dimensions.map((d) => d.Value.Ref) ?? []));
      }
      // the one expression the alarm evaluates adds every function's throttles up
      const expressions = queries.filter((q) => q.Expression);
      expect(expressions, id).toHaveLength(1);
      expect(expressions[0]?.Expression, id).toBe(`SUM([${stats.map((q) => q.Id).join(',')}])`);
      expect(alarm.Properties, id).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId() }],
      });
    }
    const functions = resources('AWS::Lambda::Function')
      .map(([id]) => id)
      .filter((id) => !id.startsWith('BucketNotificationsHandler'));
    expect(functions.length).toBeGreaterThanOrEqual(17);
    expect([...watched].sort()).toEqual([...functions].sort());
  });

  it('names the dashboard in the stack outputs', () => {
    template.hasOutput('DashboardName', { Value: { Ref: Match.stringLikeRegexp('Dashboard') } });
  });
});
