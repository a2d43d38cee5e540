import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOfType, sharedDunningStack } from './stack-under-test';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
}

const { template } = sharedDunningStack();

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** Every statement of every IAM policy, with the logical id of the policy. */
function allStatements(t: Template): { policy: string; statement: Statement }[] {
  return Object.entries(resourcesOfType(t, 'AWS::IAM::Policy')).flatMap(([policy, r]) =>
    (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({ policy, statement })),
  );
}

/** The statements granted to one of our functions (found by its description `Dunning <handler>`). */
function statementsOf(handler: string): Statement[] {
  const fn = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).find(
    (f) => f.Properties.Description === `Dunning ${handler}`,
  );
  if (!fn) throw new Error(`no function for handler ${handler}`);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const allowedActions = (handler: string) => new Set(statementsOf(handler).flatMap(actionsOf));

/** The statements of a function's role that grant DynamoDB actions. */
const tableStatementsOf = (handler: string) =>
  statementsOf(handler).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

/** Handler names of every function of ours (their descriptions are `Dunning <handler>`). */
const ourHandlers = () =>
  Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))
    .map((f) => String(f.Properties.Description ?? ''))
    .filter((d) => d.startsWith('Dunning '))
    .map((d) => d.slice('Dunning '.length))
    .sort();

/**
 * What each handler does with the table, read from its code down to functions/stores/dynamodb/ (and recorded on the
 * local system by tests/e2e/least-privilege.test.ts): item actions on the table, whether it queries gsi1, and the
 * partitions (`pk` / `gsi1pk` prefixes) of the items it touches.
 */
const TABLE_ACCESS: Record<string, { table: string[]; index?: boolean; partitions: string[] }> = {
  'plan-stage': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'CUSTOMER#'] },
  'wait-for-event': { table: ['GetItem', 'UpdateItem'], partitions: ['INVOICE#'] },
  'send-stage': {
    table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    index: true,
    partitions: ['INVOICE#', 'CUSTOMER#', 'SEND#', 'ACCOUNT#'],
  },
  'handle-failure': { table: ['PutItem', 'UpdateItem'], partitions: ['INVOICE#'] },
  'start-executions': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'WALKS#'] },
  'create-invoices': {
    table: ['GetItem', 'PutItem', 'UpdateItem'],
    partitions: ['INVOICE#', 'CUSTOMER#', 'WALKS#'],
  },
  'ingest-file': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'CUSTOMER#', 'WALKS#'] },
  'ingest-payments': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'WALKS#'] },
  'get-invoice': { table: ['GetItem', 'Query'], partitions: ['INVOICE#'] },
  'get-history': { table: ['GetItem', 'Query'], partitions: ['INVOICE#'] },
  'record-payment': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'WALKS#'] },
  'change-invoice': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#', 'WALKS#'] },
  'escalate-invoice': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#'] },
  'create-agreement': {
    table: ['GetItem', 'PutItem', 'UpdateItem'],
    partitions: ['INVOICE#', 'CUSTOMER#', 'WALKS#'],
  },
  'update-customer': { table: ['UpdateItem'], partitions: ['CUSTOMER#'] },
  'record-opt-out': { table: ['GetItem', 'UpdateItem'], partitions: ['CUSTOMER#'] },
  unsubscribe: { table: ['GetItem', 'UpdateItem'], partitions: ['CUSTOMER#'] },
  'get-statement': { table: ['GetItem'], index: true, partitions: ['CUSTOMER#'] },
  'continue-walk': { table: ['GetItem', 'PutItem', 'UpdateItem'], partitions: ['INVOICE#'] },
  'restart-walk': { table: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], partitions: ['INVOICE#', 'WALKS#'] },
  // the walks marked for attention: read by a Query, the mark taken off by a DeleteItem
  'reconcile-walks': {
    table: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem'],
    partitions: ['INVOICE#', 'WALKS#'],
  },
};

/**
 * Actions that AWS only authorizes on `Resource: "*"` (no resource-level permissions), each with the reason it is
 * here. Anything else on "*" is a bug.
 */
const STAR_ONLY: Record<string, string> = {
  'sns:Publish': 'SMS to a phone number has no resource ARN (send-stage only, region-limited)',
  'sns:CheckIfPhoneNumberIsOptedOut': 'no resource-level permission (send-stage only, region-limited)',
  'ses:GetSuppressedDestination':
    "the account's suppression list has no resource ARN (send-stage only, region-limited)",
  'xray:PutTraceSegments': 'X-Ray active tracing',
  'xray:PutTelemetryRecords': 'X-Ray active tracing',
  'xray:GetSamplingRules': 'X-Ray tracing of the state machine',
  'xray:GetSamplingTargets': 'X-Ray tracing of the state machine',
  'logs:CreateLogDelivery': 'Step Functions vended logs',
  'logs:GetLogDelivery': 'Step Functions vended logs',
  'logs:UpdateLogDelivery': 'Step Functions vended logs',
  'logs:DeleteLogDelivery': 'Step Functions vended logs',
  'logs:ListLogDeliveries': 'Step Functions vended logs',
  'logs:PutResourcePolicy': 'Step Functions vended logs',
  'logs:DescribeResourcePolicies': 'Step Functions vended logs',
  'logs:DescribeLogGroups': 'Step Functions vended logs',
};

describe('no IAM statement grants "*" beyond what AWS requires', () => {
  const onStar = allStatements(template).filter(({ statement }) => resourcesOf(statement).includes('*'));

  it('allows "*" only for the documented actions without resource-level permissions', () => {
    // Assess
    expect(onStar.length).toBeGreaterThan(0);
    for (const { policy, statement } of onStar) {
      for (const action of actionsOf(statement))
        expect(STAR_ONLY, `${policy}: ${action} on "*"`).toHaveProperty([action]);
    }
  });

  it('grants SMS publishing on "*" to send-stage alone, limited to the stack region', () => {
    const smsStatements = onStar.filter(({ statement }) => actionsOf(statement).includes('sns:Publish'));
    expect(smsStatements).toHaveLength(1);
    expect(smsStatements[0]?.policy).toMatch(/SendStage/);
    expect(smsStatements[0]?.statement.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } },
    });
  });

  it('has no wildcard actions in our own statements', () => {
    const wildcardActions = allStatements(template)
      .flatMap(({ statement }) => actionsOf(statement))
      .filter((a) => a.includes('*'));
    expect(wildcardActions).toEqual([]);
  });

  it('attaches no AWS managed policy to our roles (only CDK’s bucket-notifications helper has one)', () => {
    const withManaged = Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))
      .filter(([, r]) => r.Properties.ManagedPolicyArns !== undefined)
      .map(([id]) => id);
    expect(withManaged).toHaveLength(1);
    expect(withManaged[0]).toMatch(/^BucketNotificationsHandler/);
  });
});

describe('each function gets only what its handler does', () => {
  it('lets get-invoice, get-history and the public statement read the table but not write it', () => {
    for (const handler of ['get-invoice', 'get-history', 'get-statement']) {
      const actions = allowedActions(handler);
      expect(actions, handler).toContain('dynamodb:GetItem');
      expect(actions, handler).toContain('dynamodb:Query');
      expect(actions, handler).not.toContain('dynamodb:PutItem');
      expect(actions, handler).not.toContain('dynamodb:UpdateItem');
    }
  });

  it('scopes table access to the table and its gsi1 index, never Scan', () => {
    for (const handler of ['plan-stage', 'send-stage', 'create-invoices', 'ingest-file', 'get-statement']) {
      for (const statement of tableStatementsOf(handler)) {
        expect(JSON.stringify(statement.Resource), handler).toMatch(/"Table\w+","Arn"\]\}(,"\/index\/gsi1"\]\]\})?$/);
        expect(actionsOf(statement), handler).not.toContain('dynamodb:Scan');
      }
    }
  });

  it('gives each function exactly the table actions, index and partitions its code uses (DeleteItem only for a send claim and a reconciled walk mark)', () => {
    for (const [handler, expected] of Object.entries(TABLE_ACCESS)) {
      const statements = tableStatementsOf(handler);
      const onIndex = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/gsi1'));
      const onTable = statements.filter((s) => !onIndex.includes(s));
      expect(onTable.flatMap(actionsOf).sort(), handler).toEqual(expected.table.map((a) => `dynamodb:${a}`).sort());
      expect(onIndex.flatMap(actionsOf), handler).toEqual(expected.index ? ['dynamodb:Query'] : []);
      for (const statement of statements) {
        expect(statement.Condition, handler).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expected.partitions.map((p) => `${p}*`) },
        });
      }
    }
    expect(Object.keys(TABLE_ACCESS).sort()).toEqual(ourHandlers());
  });

  it('lets the public unsubscribe link and the opt-out route touch customer items only', () => {
    for (const handler of ['unsubscribe', 'record-opt-out', 'update-customer', 'get-statement']) {
      const statements = tableStatementsOf(handler);
      expect(statements.length, handler).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(JSON.stringify(statement.Condition), handler).toBe(
          JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } }),
        );
        expect(actionsOf(statement), handler).not.toContain('dynamodb:DeleteItem');
        expect(actionsOf(statement), handler).not.toContain('dynamodb:PutItem');
      }
    }
  });

  it("lets the payment API, the operators' changes and the wait step resume a waiting execution, and nothing else", () => {
    const taskResponders = [
      'record-payment',
      'change-invoice',
      'create-agreement',
      'ingest-payments',
      'wait-for-event',
    ];
    for (const handler of [
      'plan-stage',
      'wait-for-event',
      'send-stage',
      'handle-failure',
      'start-executions',
      'create-invoices',
      'get-invoice',
      'record-payment',
      'change-invoice',
      'ingest-file',
      'ingest-payments',
      'escalate-invoice',
      'create-agreement',
      'get-statement',
    ]) {
      expect(allowedActions(handler).has('states:SendTaskSuccess'), handler).toBe(taskResponders.includes(handler));
    }
    expect(allowedActions('start-executions')).toContain('states:StartExecution');
    expect(allowedActions('create-invoices')).not.toContain('states:StartExecution');
  });

  it("lets the wait step create its wait's schedule and whatever resumes a parked token delete it, in the stack's group only", () => {
    const group = Object.keys(resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup'));
    expect(group).toHaveLength(1);
    // its name is generated at synth (unique to the stack), so the statements name it as it is
    const name = resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup')[group[0] as string]?.Properties.Name;
    expect(name).toMatch(/^Dunning-.*WaitSchedules/);
    const schedulesOfTheGroup = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':scheduler:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:schedule/${name}/*`,
        ],
      ],
    };
    const cancellers = [
      'record-payment',
      'change-invoice',
      'create-agreement',
      'ingest-payments',
      'restart-walk',
      'reconcile-walks',
    ];
    for (const handler of ourHandlers()) {
      const actions = allowedActions(handler);
      expect(actions.has('scheduler:CreateSchedule'), handler).toBe(handler === 'wait-for-event');
      expect(actions.has('scheduler:DeleteSchedule'), handler).toBe(cancellers.includes(handler));
      expect(actions.has('iam:PassRole'), handler).toBe(handler === 'wait-for-event');
      for (const statement of statementsOf(handler).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('scheduler:')),
      )) {
        expect(statement.Resource, handler).toEqual(schedulesOfTheGroup);
      }
    }
    // the wait step passes only the resume role, only to Scheduler
    const [passRole] = statementsOf('wait-for-event').filter((st) => actionsOf(st).includes('iam:PassRole'));
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    const resumeRole = (passRole?.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resourcesOfType(template, 'AWS::IAM::Role')[resumeRole];
    // Scheduler may assume it for this account's schedules of this group only (the confused-deputy conditions)
    expect(role?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [group[0], 'Arn'] } },
          },
        },
      ],
    });
    // and it can do one thing: resume a waiting task of the workflow
    const resumeStatements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((pol) => (pol.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === resumeRole))
      .flatMap((pol) => (pol.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(resumeStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'states:SendTaskSuccess',
        Resource: { Ref: expect.stringMatching(/^WorkflowStateMachine/) },
      },
    ]);
  });

  it('lets only registration (invoices, files, the instalments of an agreement) send to the start queue', () => {
    for (const handler of ['create-invoices', 'ingest-file', 'create-agreement'])
      expect(allowedActions(handler), handler).toContain('sqs:SendMessage');
    for (const handler of ['get-invoice', 'get-statement', 'change-invoice'])
      expect(allowedActions(handler), handler).not.toContain('sqs:SendMessage');
  });

  it('gives the public statement nothing but table reads', () => {
    expect(
      [...allowedActions('get-statement')].filter(
        (a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('xray:'),
      ),
    ).toEqual([]);
  });

  it('lets send-stage send email only as the sender identity (address or domain) and with its configuration set', () => {
    const ses = statementsOf('send-stage').filter((s) => actionsOf(s).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    const resources = JSON.stringify(ses[0]?.Resource);
    expect(resources).toContain(':identity/cobranca@example.com');
    expect(resources).toContain(':identity/example.com');
    expect(resources).toContain(':configuration-set/dunning-events');
    expect(resources).not.toContain('"*"');
  });

  it('lets ingest-file read and delete incoming/, write processed/ and rejected/, and nothing else in the bucket', () => {
    const s3 = statementsOf('ingest-file').filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const byAction = new Map<string, string[]>();
    for (const statement of s3) {
      for (const action of actionsOf(statement)) {
        byAction.set(
          action,
          resourcesOf(statement).map((r) => JSON.stringify(r)),
        );
      }
    }
    const prefixesOf = (action: string) =>
      (byAction.get(action) ?? []).map((r) => r.match(/"\/(\w+)\/\*"/)?.[1]).sort();
    expect(prefixesOf('s3:GetObject')).toEqual(['incoming']);
    expect(prefixesOf('s3:DeleteObject')).toEqual(['incoming']);
    expect(prefixesOf('s3:PutObject')).toEqual(['processed', 'rejected']);
    expect([...byAction.keys()].sort()).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:GetObjectTagging',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
  });

  it('lets ingest-payments read and delete payments/, write processed/payments/ and rejected/payments/ only', () => {
    const s3 = statementsOf('ingest-payments').filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const prefixesOf = (action: string) =>
      s3
        .filter((s) => actionsOf(s).includes(action))
        .flatMap((s) => resourcesOf(s).map((r) => JSON.stringify(r).match(/"\/([\w/]+)\/\*"/)?.[1]))
        .sort();
    expect(prefixesOf('s3:GetObject')).toEqual(['payments']);
    expect(prefixesOf('s3:DeleteObject')).toEqual(['payments']);
    expect(prefixesOf('s3:PutObject')).toEqual(['processed/payments', 'rejected/payments']);
    expect(allowedActions('ingest-payments')).not.toContain('states:StartExecution');
  });

  it("lets the escalating and failure steps and an operator's escalation publish to the operators topic", () => {
    for (const handler of ['send-stage', 'handle-failure', 'escalate-invoice']) {
      const publish = statementsOf(handler).filter((s) => actionsOf(s).includes('sns:Publish') && s.Resource !== '*');
      expect(JSON.stringify(publish[0]?.Resource), handler).toMatch(/"Ref":"Operators/);
    }
  });
});
