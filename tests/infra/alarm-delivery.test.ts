import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { sharedDunningStack } from './stack-under-test';
import { resolveIntrinsics, resolveString, TEST_ENV, type TemplateJson } from './template-resolver';

/**
 * Alarms that arrive: every alarm action that names an SNS topic must be one CloudWatch may actually publish to. A
 * topic policy replaces SNS's default policy, and an encrypted topic needs CloudWatch in the key policy; when either
 * refuses, the alarm still turns ALARM but nobody is told (the alarm history says "Failed to execute action"). So
 * each topic's policy and key policy are evaluated as IAM would, with the template's intrinsics resolved to ARNs.
 */

const { template } = sharedDunningStack();
const json = template.toJSON() as TemplateJson;
const resources = Object.entries(json.Resources);
const CLOUDWATCH = 'cloudwatch.amazonaws.com';

interface AlarmAction {
  readonly alarm: string;
  readonly topic: string;
}

/** Every (alarm, SNS topic) pair of the template's alarm, OK and insufficient-data actions. */
function alarmActionsToTopics(): AlarmAction[] {
  return resources
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap(([alarm, r]) =>
      ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((key) =>
        ((r.Properties?.[key] as unknown[] | undefined) ?? []).flatMap((action) => {
          const ref = (action as { Ref?: string }).Ref;
          return ref !== undefined && json.Resources[ref]?.Type === 'AWS::SNS::Topic' ? [{ alarm, topic: ref }] : [];
        }),
      ),
    );
}

/** The resolved AWS::SNS::TopicPolicy document that applies to a topic (SNS allows one policy per topic). */
function topicPolicyOf(topic: string): unknown {
  const policies = resources.filter(
    ([, r]) =>
      r.Type === 'AWS::SNS::TopicPolicy' &&
      (r.Properties?.Topics as unknown[]).some((t) => (t as { Ref?: string }).Ref === topic),
  );
  expect(policies, `topic policies of ${topic}`).toHaveLength(1);
  return resolveIntrinsics(json, policies[0]?.[1].Properties?.PolicyDocument);
}

/** The logical id of the KMS key encrypting a topic, if any. */
function keyOf(topic: string): string | undefined {
  const keyId = json.Resources[topic]?.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: [string, string] } | undefined;
  return keyId?.['Fn::GetAtt']?.[0];
}

const alarmArn = (alarm: string) =>
  `arn:${TEST_ENV.partition}:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:${alarm}`;

/** What IAM answers to CloudWatch (a service principal: no identity policy) asking `action` on `resource`. */
async function cloudWatchMay(
  action: string,
  resource: string,
  resourcePolicy: unknown,
  alarm: string,
): Promise<{ result: string; details: string }> {
  const simulation: Simulation = {
    request: {
      principal: CLOUDWATCH,
      action,
      resource: { resource, accountId: TEST_ENV.account },
      contextVariables: {
        'aws:SourceAccount': TEST_ENV.account,
        'aws:SourceArn': alarmArn(alarm),
        'aws:SecureTransport': 'true',
      },
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return { result: 'error', details: JSON.stringify(response.errors) };
  return { result: response.overallResult, details: JSON.stringify(resourcePolicy) };
}

describe('every alarm can notify its topic', () => {
  const actions = alarmActionsToTopics();

  it('has alarms with actions on SNS topics to check', () => {
    expect(actions.length).toBeGreaterThanOrEqual(4);
  });

  it('lets CloudWatch publish each alarm to its topic (the topic policy, as IAM evaluates it)', async () => {
    for (const { alarm, topic } of actions) {
      const topicArn = resolveString(json, { Ref: topic });
      const answer = await cloudWatchMay('sns:Publish', topicArn, topicPolicyOf(topic), alarm);
      expect(answer.result, `${alarm} -> ${topic}: ${answer.details}`).toBe('Allowed');
    }
  });

  it("lets CloudWatch encrypt with each encrypted topic's key (the key policy)", async () => {
    for (const { alarm, topic } of actions) {
      const key = keyOf(topic);
      if (key === undefined) continue;
      const keyArn = resolveString(json, { 'Fn::GetAtt': [key, 'Arn'] });
      const keyPolicy = resolveIntrinsics(json, json.Resources[key]?.Properties?.KeyPolicy);
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        const answer = await cloudWatchMay(action, keyArn, keyPolicy, alarm);
        expect(answer.result, `${alarm} -> ${key} ${action}: ${answer.details}`).toBe('Allowed');
      }
    }
  });

  it('refuses alarms of another account and publishing without TLS (the policy is not simply open)', async () => {
    const [first] = actions;
    if (!first) throw new Error('no alarm action to check');
    const topicArn = resolveString(json, { Ref: first.topic });
    const policy = topicPolicyOf(first.topic);
    const base: Simulation = {
      request: {
        principal: CLOUDWATCH,
        action: 'sns:Publish',
        resource: { resource: topicArn, accountId: TEST_ENV.account },
        contextVariables: {},
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    };
    const answer = async (contextVariables: Record<string, string>) => {
      const response = await runSimulation({ ...base, request: { ...base.request, contextVariables } }, {});
      return response.resultType === 'error' ? JSON.stringify(response.errors) : response.overallResult;
    };
    const otherAccount = '210987654321';
    expect(
      await answer({
        'aws:SourceAccount': otherAccount,
        'aws:SourceArn': alarmArn(first.alarm).replace(TEST_ENV.account, otherAccount),
        'aws:SecureTransport': 'true',
      }),
    ).not.toBe('Allowed');
    expect(
      await answer({
        'aws:SourceAccount': TEST_ENV.account,
        'aws:SourceArn': alarmArn(first.alarm),
        'aws:SecureTransport': 'false',
      }),
    ).toBe('ExplicitlyDenied');
  });
});
