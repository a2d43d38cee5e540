import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../functions/contracts/api-routes';
import { INCOMING_PREFIX, PROCESSED_PREFIX, REJECTED_PREFIX } from '../../functions/ingest/ingest-file';
import {
  PAYMENTS_PREFIX,
  PROCESSED_PAYMENTS_PREFIX,
  REJECTED_PAYMENTS_PREFIX,
} from '../../functions/ingest/ingest-payments';
import { loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { DROP_PREFIXES, PAYMENT_PREFIXES } from '../../lib/constructs/invoice-drop-bucket';
import { resourcesOfType, sharedDunningStack, synthDunningStack } from './stack-under-test';

const { template } = sharedDunningStack();

/** Our Lambda functions (CDK's own bucket-notifications helper is not one of them), by handler name. */
function dunningFunctions(): Record<string, Record<string, unknown>> {
  const byHandler: Record<string, Record<string, unknown>> = {};
  for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
    const description = fn.Properties.Description;
    if (typeof description === 'string' && description.startsWith('Dunning ')) {
      byHandler[description.slice('Dunning '.length)] = fn.Properties;
    }
  }
  return byHandler;
}

describe('the single table keeps the data safe', () => {
  it('is on-demand, point-in-time recoverable, encrypted, protected from deletion and retained', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('every Lambda function carries the project defaults', () => {
  const functions = dunningFunctions();

  it('creates one function per handler: each API route, the drop, the starter and the workflow steps', () => {
    const routeHandlers = API_ROUTES.map((r) => r.handler);
    const others = [
      'continue-walk',
      'reconcile-walks',
      'handle-failure',
      'ingest-file',
      'ingest-payments',
      'plan-stage',
      'send-stage',
      'start-executions',
      'wait-for-event',
    ];
    expect(Object.keys(functions).sort()).toEqual([...new Set([...routeHandlers, ...others])].sort());
  });

  it('runs Node 22 on arm64 with active tracing, source maps and its own log group', () => {
    for (const [handler, fn] of Object.entries(functions)) {
      expect(fn, handler).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
    }
  });

  it('takes the AWS SDK from one shared layer built for Node 22 on arm64', () => {
    // Assess
    const layers = resourcesOfType(template, 'AWS::Lambda::LayerVersion');
    expect(Object.keys(layers)).toHaveLength(1);
    const [layerId, layer] = Object.entries(layers)[0] ?? [];
    expect(layer?.Properties).toMatchObject({
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['arm64'],
      Description: expect.stringContaining('AWS SDK for JavaScript v3 at the tested versions'),
    });
    for (const [handler, fn] of Object.entries(functions)) {
      expect({ handler, layers: fn.Layers }).toEqual({ handler, layers: [{ Ref: layerId }] });
    }
  });

  it('keeps one month of logs per function', () => {
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    for (const [handler, fn] of Object.entries(functions)) {
      const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[logGroupId]?.Properties.RetentionInDays, handler).toBe(30);
    }
  });

  it('sizes each function for its job: 30 s / 512 MB by default, 60 s to send, 15 min / 1 GB to ingest a file', () => {
    expect(functions['plan-stage']).toMatchObject({ Timeout: 30, MemorySize: 512 });
    expect(functions['send-stage']).toMatchObject({ Timeout: 60, MemorySize: 512 });
    expect(functions['ingest-file']).toMatchObject({ Timeout: 900, MemorySize: 1024 });
  });

  it('sets exactly the environment each handler reads at cold start', () => {
    const expected: Record<string, string[]> = {
      'plan-stage': ['TABLE_NAME'],
      // the wait step creates its wait's schedule; whatever resumes a parked token deletes it (the group only)
      'wait-for-event': ['TABLE_NAME', 'WAIT_SCHEDULE_GROUP', 'WAIT_SCHEDULE_ROLE_ARN'],
      'send-stage': [
        'TABLE_NAME',
        'OPERATORS_TOPIC_ARN',
        'SENDER_EMAIL',
        'SES_CONFIGURATION_SET',
        'SMS_SENDER_ID',
        'COMPANY_LEGAL_NAME',
        'COMPANY_TAX_ID',
        'COMPANY_SUPPORT_CONTACT',
        'UNSUBSCRIBE_BASE_URL',
      ],
      'handle-failure': ['TABLE_NAME', 'OPERATORS_TOPIC_ARN'],
      // its own state machine's ARN comes with each event: as a variable it would be a circular dependency
      'continue-walk': ['TABLE_NAME'],
      'start-executions': ['TABLE_NAME', 'STATE_MACHINE_ARN'],
      'reconcile-walks': ['TABLE_NAME', 'STATE_MACHINE_ARN', 'WAIT_SCHEDULE_GROUP'],
      'restart-walk': ['TABLE_NAME', 'STATE_MACHINE_ARN', 'WAIT_SCHEDULE_GROUP'],
      'create-invoices': ['TABLE_NAME', 'START_QUEUE_URL', 'RULE_ID'],
      'get-invoice': ['TABLE_NAME'],
      'get-history': ['TABLE_NAME'],
      'record-payment': ['TABLE_NAME', 'WAIT_SCHEDULE_GROUP'],
      'change-invoice': ['TABLE_NAME', 'WAIT_SCHEDULE_GROUP'],
      'escalate-invoice': ['TABLE_NAME', 'OPERATORS_TOPIC_ARN'],
      'record-opt-out': ['TABLE_NAME'],
      'update-customer': ['TABLE_NAME'],
      unsubscribe: ['TABLE_NAME', 'COMPANY_LEGAL_NAME'],
      'ingest-file': ['TABLE_NAME', 'START_QUEUE_URL', 'RULE_ID'],
      'ingest-payments': ['TABLE_NAME', 'WAIT_SCHEDULE_GROUP'],
      'create-agreement': ['TABLE_NAME', 'START_QUEUE_URL', 'RULE_ID', 'RULE_TERMS', 'WAIT_SCHEDULE_GROUP'],
      'get-statement': ['TABLE_NAME', 'COMPANY_LEGAL_NAME', 'RULE_ID', 'RULE_TERMS'],
    };
    for (const [handler, fn] of Object.entries(functions)) {
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort(), handler).toEqual(['NODE_OPTIONS', ...(expected[handler] ?? [])].sort());
    }
    expect(
      JSON.parse(
        String(
          (functions['get-statement']?.Environment as { Variables: Record<string, unknown> }).Variables.RULE_TERMS,
        ),
      ),
    ).toEqual({
      standard: { timezone: 'America/Sao_Paulo', lastStageOffsetDays: 30 },
    });
    expect(functions['send-stage']).toMatchObject({
      Environment: {
        Variables: {
          SENDER_EMAIL: 'cobranca@example.com',
          SES_CONFIGURATION_SET: 'dunning-events',
          SMS_SENDER_ID: 'EXEMPLO',
          COMPANY_LEGAL_NAME: 'Exemplo Cobranças Ltda',
          COMPANY_TAX_ID: 'CNPJ 12.345.678/0001-90',
        },
      },
    });
    expect(functions['create-invoices']).toMatchObject({ Environment: { Variables: { RULE_ID: 'standard' } } });
  });
});

describe('the workflow is a logged, traced Standard state machine', () => {
  it('logs every event with execution data, traces with X-Ray and lets CloudFormation name it', () => {
    // Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
      TracingConfiguration: { Enabled: true },
      StateMachineName: Match.absent(),
    });
  });

  it('is generated from the billing rule (one wait per stage, named for people)', () => {
    const machine = Object.values(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.stringify(machine?.Properties.DefinitionString);
    for (const stage of ['D-3', 'D0', 'D+3', 'D+7', 'D+15', 'D+30'])
      expect(definition).toContain(`${stage} · wait or payment`);
  });

  it('alarms on failed executions', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('StartExecution goes through an SQS buffer', () => {
  it('keeps messages hidden six times the starter timeout and parks them in a dead-letter queue after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
  });

  it('encrypts every queue and refuses plain-HTTP access to each', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(Object.keys(queues).length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });

  it('feeds the starter in batches of 10, with partial batch failures and at most 5 concurrent starters', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('alarms when anything reaches a dead-letter queue', () => {
    const dlqAlarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(dlqAlarms).toHaveLength(2);
  });
});

describe('the drop bucket is private, encrypted and tidy', () => {
  const buckets = resourcesOfType(template, 'AWS::S3::Bucket');
  const dropEntry = Object.entries(buckets).find(([, b]) => b.Properties.LoggingConfiguration !== undefined);

  it('encrypts, blocks public access and logs server access to a separate bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    expect(dropEntry?.[1].Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: expect.any(String) },
    });
  });

  it('accepts only TLS requests', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('expires processed files after 90 days and rejection reports after 180', () => {
    expect(dropEntry?.[1].Properties.LifecycleConfiguration).toMatchObject({
      Rules: expect.arrayContaining([
        expect.objectContaining({ Prefix: 'processed/', ExpirationInDays: 90, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'rejected/', ExpirationInDays: 180, Status: 'Enabled' }),
      ]),
    });
  });

  it('invokes ingest-file for objects created under incoming/ and ingest-payments under payments/, nothing else', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const logicalIdOf = (handler: string) =>
      Object.entries(functions).find(([, f]) => f.Properties.Description === `Dunning ${handler}`)?.[0];
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf('ingest-file'), 'Arn'] },
          },
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'payments/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf('ingest-payments'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('uses the same prefixes as the ingest services', () => {
    expect(DROP_PREFIXES).toEqual({
      incoming: INCOMING_PREFIX,
      processed: PROCESSED_PREFIX,
      rejected: REJECTED_PREFIX,
    });
    expect(PAYMENT_PREFIXES).toEqual({
      payments: PAYMENTS_PREFIX,
      processed: PROCESSED_PAYMENTS_PREFIX,
      rejected: REJECTED_PAYMENTS_PREFIX,
    });
  });

  it('parks S3 events that failed every retry in a dead-letter queue', () => {
    for (const handler of ['ingest-file', 'ingest-payments']) {
      expect(dunningFunctions()[handler], handler).toMatchObject({
        DeadLetterConfig: { TargetArn: expect.anything() },
      });
    }
  });
});

describe('the operators topic', () => {
  it('is encrypted with its own KMS key (so that alarms can publish; see operations.test.ts) and accepts only TLS publishers', () => {
    const topic = Object.values(resourcesOfType(template, 'AWS::SNS::Topic'))[0];
    expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toMatch(
      /^\{"Fn::GetAtt":\["OperatorsKey[0-9A-F]+","Arn"\]\}$/,
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes the operators listed in the config by email', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'finance@example.com' });
  });
});

describe('the stack tells the deployer where things are', () => {
  it('outputs the API URL, bucket, state machine, table, operators topic and dashboard', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiUrl',
      'DashboardName',
      'DropBucketName',
      'OperatorsTopicArn',
      'StateMachineArn',
      'TableName',
    ]);
  });
});

describe('the shipped config synthesizes a minimal deployment', () => {
  it('has no subscriptions, no configuration set and no SMS sender id when the config names none', () => {
    // Prepare
    const shipped = loadDunningConfig(`${PROJECT_ROOT}/dunning.config.json`);

    // Act
    const { template: minimal } = synthDunningStack(shipped);

    // Assess
    minimal.resourceCountIs('AWS::SNS::Subscription', 0);
    const sendStage = Object.values(resourcesOfType(minimal, 'AWS::Lambda::Function')).find(
      (f) => f.Properties.Description === 'Dunning send-stage',
    );
    const variables = (sendStage?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(variables).toMatchObject({
      SENDER_EMAIL: 'cobranca@example.com',
      COMPANY_LEGAL_NAME: 'Exemplo Cobranças Ltda',
    });
    expect(variables).not.toHaveProperty('SES_CONFIGURATION_SET');
    expect(variables).not.toHaveProperty('SMS_SENDER_ID');
  });
});
