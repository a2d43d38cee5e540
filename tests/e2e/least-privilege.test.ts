import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as clients from '../../functions/platform/clients';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { currentHandler } from '../../local/system/handler-calls';
import type { LocalSystem } from '../../local/system/system';
import { resourcesOfType, synthDunningStack } from '../infra/stack-under-test';
import { resolveIntrinsics, resolveString, TEST_ENV, type TemplateJson } from '../infra/template-resolver';
import { registrationFixture } from '../support/fixtures';
import { callApi, type Json, startSystemWithApi } from '../support/local-api';

// Least privilege, the proof (issue #13): every AWS call each handler really makes, recorded on the local system
// (the handlers share the module-level clients of functions/platform/clients.ts; local/system/handler-calls.ts says
// which handler is running), is checked against its function's role in the synthesized stack.

/** One AWS call a handler made. */
interface RecordedCall {
  readonly handler: string;
  readonly service: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

const calls: RecordedCall[] = [];

/** Records every command sent through the shared clients, with the handler that sent it. */
function recordCalls(): void {
  for (const [service, client] of Object.entries(clients)) {
    (client as { middlewareStack: { add: (mw: unknown, options: unknown) => void } }).middlewareStack.add(
      (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const handler = currentHandler.getStore();
          if (handler !== undefined) {
            calls.push({
              handler,
              service,
              operation: (context.commandName ?? '?').replace(/Command$/, ''),
              input: args.input,
            });
          }
          return next(args);
        },
      { step: 'initialize', name: `recordCalls-${service}` },
    );
  }
}

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
let system: LocalSystem;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  recordCalls();
  ({ system, api } = await startSystemWithApi({ config, start: new Date('2026-11-20T12:00:00.000Z') }));
});

afterAll(async () => {
  await api?.close();
  await system?.stop();
});

const call = (method: string, path: string, body?: unknown) => callApi(api.url, method, path, body);
const advanceTo = (at: string) => call('POST', '/_local/clock', { advanceTo: at });
const invoice = (id: string, dueDate: string) => registrationFixture(id, { dueDate });

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}

describe('every handler, driven on the local system', () => {
  it('records the AWS calls of every route, both drops, the starter and the workflow steps', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: system.endpoints.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const ids = ['LP-PAY', 'LP-HOLD', 'LP-DISPUTE', 'LP-AGREE', 'LP-ESC', 'LP-WOFF'];
    const created = await call('POST', '/invoices', [...ids.map((id) => invoice(id, '2026-12-01'))]);
    expect(created.status).toBeLessThan(300);
    await s3.send(
      new PutObjectCommand({
        Bucket: system.resources.bucket,
        Key: 'incoming/lp.jsonl',
        Body: JSON.stringify(invoice('LP-DROP', '2026-12-01')),
      }),
    );
    await waitFor(async () => (await call('GET', '/invoices/LP-DROP')).status === 200);

    // D-3 goes out (Sat 28th 09:00 local)
    await advanceTo('2026-11-29T12:00:00.000Z');
    expect((await call('GET', '/invoices/LP-PAY')).status).toBe(200);
    expect((await call('GET', '/invoices/LP-PAY/history')).status).toBe(200);
    expect((await call('POST', '/invoices/LP-PAY/payments', { amount: '10.00' })).status).toBeLessThan(300);
    expect((await call('POST', '/invoices/LP-HOLD/pause', { reason: 'asked' })).status).toBeLessThan(300);
    expect((await call('POST', '/invoices/LP-HOLD/resume', { reason: 'over' })).status).toBeLessThan(300);
    expect((await call('POST', '/invoices/LP-DISPUTE/dispute', { reason: 'wrong' })).status).toBeLessThan(300);
    expect((await call('POST', '/invoices/LP-WOFF/write-off', { reason: 'lost' })).status).toBeLessThan(300);
    expect(
      (
        await call('POST', '/invoices/LP-AGREE/agreements', {
          instalments: [
            { dueDate: '2026-12-20', amount: '144.95' },
            { dueDate: '2027-01-20', amount: '144.95' },
          ],
        })
      ).status,
    ).toBeLessThan(300);
    expect((await call('POST', '/invoices/LP-ESC/escalate', { reason: 'big' })).status).toBeLessThan(300);
    expect((await call('POST', '/customers/C-LP-PAY/opt-outs', { channel: 'sms' })).status).toBeLessThan(300);
    const customer = registrationFixture('LP-PAY');
    expect(
      (
        await call('PUT', '/customers/C-LP-PAY', {
          customerId: 'C-LP-PAY',
          customerName: customer.customerName,
          email: customer.email,
          phone: customer.phone,
          timezone: customer.timezone,
          locale: customer.locale,
          country: customer.country,
          region: customer.region,
        })
      ).status,
    ).toBeLessThan(300);

    // the debtor's links from an email
    const email = (await system.aws.mailbox()).find((e) => e.to.includes('lp-hold@example.com'));
    const unsubscribe = /^<(.+)>$/.exec(email?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '')?.[1];
    const statement = email?.text?.match(/https?:\/\/\S+\/statements\/\S+/)?.[0];
    expect(unsubscribe).toBeDefined();
    expect(statement).toBeDefined();
    expect((await fetch(unsubscribe as string)).status).toBe(200);
    expect(
      (
        await fetch(unsubscribe as string, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        })
      ).status,
    ).toBe(200);
    expect((await fetch(statement as string)).status).toBe(200);

    // a payment file
    await s3.send(
      new PutObjectCommand({
        Bucket: system.resources.bucket,
        Key: 'payments/lp.csv',
        Body: ['invoiceId,amount,reference', 'LP-PAY,279.90,BOLETO-LP'].join('\n'),
      }),
    );
    await system.ingestPayments('payments/lp.csv');

    // the walks go on, to the escalation stage (D+30)
    await advanceTo('2027-01-05T12:00:00.000Z');
    s3.destroy();

    const handlers = new Set(calls.map((c) => c.handler));
    console.log(JSON.stringify(summary(calls), null, 1));
    expect([...handlers].sort()).toEqual(expect.arrayContaining(['send-stage', 'unsubscribe', 'get-statement']));
  });

  it("allows every DynamoDB call each handler made under its function's role, as IAM evaluates it", async () => {
    const { template } = synthDunningStack();
    const json = template.toJSON() as TemplateJson;
    const [tableId] = Object.keys(resourcesOfType(template, 'AWS::DynamoDB::Table'));
    const tableArn = resolveString(json, { 'Fn::GetAtt': [tableId, 'Arn'] });
    const denied: string[] = [];
    const dynamoCalls = calls.filter((c) => c.service === 'dynamo');
    expect(dynamoCalls.length).toBeGreaterThan(50);
    for (const c of dynamoCalls) {
      const key = (c.input.Key ?? c.input.Item) as Json;
      const leadingKey = String(key?.pk ?? (c.input.ExpressionAttributeValues as Json)?.[':pk']);
      const action = `dynamodb:${DYNAMO_ACTION[c.operation] ?? c.operation}`;
      const resource = c.input.IndexName ? `${tableArn}/index/${String(c.input.IndexName)}` : tableArn;
      const response = await runSimulation(
        {
          request: {
            principal: `arn:aws:sts::${TEST_ENV.account}:assumed-role/${c.handler}/${c.handler}`,
            action,
            resource: { resource, accountId: TEST_ENV.account },
            contextVariables: { 'dynamodb:LeadingKeys': [leadingKey] },
          },
          identityPolicies: rolePolicies(json, c.handler),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      const result = response.resultType === 'error' ? JSON.stringify(response.errors) : response.overallResult;
      if (result !== 'Allowed') denied.push(`${c.handler} ${action} ${resource} ${leadingKey}: ${result}`);
    }
    expect([...new Set(denied)]).toEqual([]);
  });

  it("allows every SES, SNS, SQS, Step Functions and S3 call each handler made under its function's role", async () => {
    const { template } = synthDunningStack();
    const json = template.toJSON() as TemplateJson;
    const resources = serviceResources(json);
    const others = calls.filter((c) => c.service !== 'dynamo');
    // the sends, the start queue, the task tokens and StartExecution, the drop bucket's objects, the waits' schedules
    expect(new Set(others.map((c) => c.service))).toEqual(
      new Set(['sesSend', 'ses', 'snsSend', 'sns', 'sqs', 'sfn', 's3', 'scheduler']),
    );
    const denied: string[] = [];
    for (const c of [...others, ...impliedCalls(others)]) {
      const { action, resource, context } = iamRequestOf(c, resources);
      if (TASK_RESPONSES.has(action)) {
        // The service authorization reference lists no resource type for these (the simulator then insists on "*"),
        // but Step Functions evaluates them against the state machine of the task (its AccessDenied names that ARN):
        // the role must allow the action on this state machine.
        if (!allowsOn(rolePolicies(json, c.handler), action, resource))
          denied.push(`${c.handler} ${action} ${resource}`);
        continue;
      }
      const response = await runSimulation(
        {
          request: {
            principal: `arn:aws:sts::${TEST_ENV.account}:assumed-role/${c.handler}/${c.handler}`,
            action,
            resource: { resource, accountId: TEST_ENV.account },
            contextVariables: { 'aws:RequestedRegion': TEST_ENV.region, ...context },
          },
          identityPolicies: rolePolicies(json, c.handler),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      const result = response.resultType === 'error' ? JSON.stringify(response.errors) : response.overallResult;
      if (result !== 'Allowed') denied.push(`${c.handler} ${action} ${resource}: ${result}`);
    }
    expect([...new Set(denied)]).toEqual([]);
  });

  it('grants no handler an action none of its calls used (but for the paths this walk does not take, each named)', () => {
    const { template } = synthDunningStack();
    const json = template.toJSON() as TemplateJson;
    const resources = serviceResources(json);
    const used = new Map<string, Set<string>>();
    for (const c of [...calls, ...impliedCalls(calls)]) {
      const action =
        c.service === 'dynamo'
          ? `dynamodb:${DYNAMO_ACTION[c.operation] ?? c.operation}`
          : iamRequestOf(c, resources).action;
      if (!used.has(c.handler)) used.set(c.handler, new Set());
      used.get(c.handler)?.add(action);
    }
    const unused: string[] = [];
    for (const [handler, actions] of used) {
      for (const action of grantedActions(rolePolicies(json, handler))) {
        if (actions.has(action) || NOT_HANDLER_CALLS.has(action)) continue;
        if (UNTAKEN_PATHS[`${handler} ${action}`]) continue;
        unused.push(`${handler} ${action}`);
      }
    }
    expect(unused.sort()).toEqual([]);
  });
});

/**
 * Actions a role needs that are not the handler's own SDK calls: Lambda's log delivery, X-Ray tracing, the KMS key of the encrypted
 * operators' topic (SNS asks for it on the publisher's behalf), the SQS event source mapping's polling (the Lambda
 * service's, for the starter).
 */
const NOT_HANDLER_CALLS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'kms:GenerateDataKey',
  'kms:Decrypt',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
]);

/** Grants for paths this walk does not take, each with the path that uses it. */
const UNTAKEN_PATHS: Readonly<Record<string, string>> = {
  'send-stage dynamodb:DeleteItem': 'a send claim given back when the provider throttled (nothing was sent)',
  'wait-for-event dynamodb:GetItem': 'the invoice read back when parking the token found it changed meanwhile',
  'wait-for-event states:SendTaskSuccess': 'the wait resuming itself when the invoice changed before it parked',
  'record-opt-out dynamodb:GetItem': 'the customer read back when the conditional update found nobody',
  'unsubscribe dynamodb:GetItem': 'the customer read back when the conditional update found nobody',
  'create-invoices dynamodb:GetItem': 'a duplicate registration: the stored invoice read to see whether it walks',
  'ingest-file dynamodb:GetItem': 'a duplicate registration: the stored invoice read to see whether it walks',
  'plan-stage dynamodb:PutItem': 'a stage superseded by a later one already due (its contact-log line)',
  'plan-stage dynamodb:UpdateItem': 'a promise to pay broken at its deadline (an invoice change)',
  'record-payment states:SendTaskSuccess': 'a payment through the API that settles the invoice (here a file does)',
  'record-payment scheduler:DeleteSchedule': "the settled invoice's wait schedule deleted (here a file settles it)",
  'ingest-file s3:ListBucket': 'GetObject of a file gone already answers NoSuchKey, not AccessDenied',
  'ingest-payments s3:ListBucket': 'GetObject of a file gone already answers NoSuchKey, not AccessDenied',
  'ingest-file s3:GetObjectTagging': "CopyObject (moving the file) copies the object's tags",
  'ingest-file s3:PutObjectTagging': "CopyObject (moving the file) copies the object's tags",
  'ingest-payments s3:GetObjectTagging': "CopyObject (moving the file) copies the object's tags",
  'ingest-payments s3:PutObjectTagging': "CopyObject (moving the file) copies the object's tags",
  'ingest-payments sqs:SendMessage':
    "Lambda's own: an event that failed all its retries to the drop's dead-letter queue",
  // the reconciler's hourly runs found nothing failed in this walk: its repairs are tests/e2e/walk-repairs.test.ts
  'reconcile-walks dynamodb:GetItem': 'reading the invoice of a failed walk',
  'reconcile-walks dynamodb:PutItem': 'the walk-restarted audit event',
  'reconcile-walks dynamodb:UpdateItem': 'recording the next walk',
  'reconcile-walks dynamodb:DeleteItem': 'taking a repaired walk mark off',
  'reconcile-walks states:DescribeExecution': 'a failed execution, to find its invoice',
  'reconcile-walks states:StartExecution': 'starting the next walk',
  'reconcile-walks states:StopExecution': 'stopping a stuck walk',
  'reconcile-walks states:SendTaskSuccess': 'telling a walk a resume it missed',
  'reconcile-walks scheduler:DeleteSchedule': 'deleting the schedule of a wait it told a resume it missed',
};

/**
 * What IAM authorizes on a call's behalf besides the call itself: creating a schedule whose target runs as a role
 * passes that role (`iam:PassRole`, to Scheduler).
 */
function impliedCalls(recorded: readonly RecordedCall[]): RecordedCall[] {
  return recorded
    .filter((c) => c.service === 'scheduler' && c.operation === 'CreateSchedule')
    .map((c) => ({
      ...c,
      service: 'iam',
      operation: 'PassRole',
      input: { RoleArn: (c.input.Target as Json)?.RoleArn },
    }));
}

/** Every action the Allow statements of `policies` name. */
function grantedActions(policies: readonly { policy: unknown }[]): Set<string> {
  const actions = new Set<string>();
  for (const { policy } of policies) {
    for (const statement of asList((policy as { Statement?: unknown }).Statement)) {
      const { Effect, Action } = statement as { Effect?: string; Action?: unknown };
      if (Effect === 'Allow') for (const action of asList(Action)) actions.add(String(action));
    }
  }
  return actions;
}

/** The stack's resources the handlers' calls name, as concrete ARNs in {@link TEST_ENV}. */
interface ServiceResources {
  readonly stateMachine: string;
  /** The waits' schedule group, and the role Scheduler assumes to resume a wait. */
  readonly scheduleGroup: string;
  readonly resumeRole: string;
  readonly startQueue: string;
  readonly operatorsTopic: string;
  readonly bucket: string;
}

function serviceResources(json: TemplateJson): ServiceResources {
  const idOf = (type: string, pattern: RegExp) => {
    const id = Object.keys(json.Resources).find((k) => json.Resources[k]?.Type === type && pattern.test(k));
    if (!id) throw new Error(`no ${type} matching ${pattern}`);
    return id;
  };
  return {
    stateMachine: resolveString(json, { Ref: idOf('AWS::StepFunctions::StateMachine', /^Workflow/) }),
    scheduleGroup: String(
      json.Resources[idOf('AWS::Scheduler::ScheduleGroup', /^WorkflowWaitSchedules/)]?.Properties?.Name,
    ),
    resumeRole: resolveString(json, {
      'Fn::GetAtt': [idOf('AWS::IAM::Role', /^WorkflowWaitSchedulesResumeRole/), 'Arn'],
    }),
    startQueue: resolveString(json, { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', /^StarterQueue/), 'Arn'] }),
    operatorsTopic: resolveString(json, { Ref: idOf('AWS::SNS::Topic', /^Operators/) }),
    bucket: resolveString(json, { 'Fn::GetAtt': [idOf('AWS::S3::Bucket', /^DropBucket[0-9A-F]{8}$/), 'Arn'] }),
  };
}

/**
 * The IAM action and resource of a recorded call, with the local names (fauxqs' queue URL and topic ARN, the local
 * bucket) mapped to the stack's resources: the start queue is the only queue the handlers send to, the operators'
 * topic the only topic they publish to, the drop bucket the only bucket they touch.
 */
function iamRequestOf(
  c: RecordedCall,
  r: ServiceResources,
): { action: string; resource: string; context?: Record<string, string> } {
  const { operation, input } = c;
  const account = TEST_ENV.account;
  switch (c.service) {
    case 'ses':
    case 'sesSend':
      return operation === 'SendEmail'
        ? {
            action: 'ses:SendEmail',
            resource: `arn:${TEST_ENV.partition}:ses:${TEST_ENV.region}:${account}:identity/${String(input.FromEmailAddress)}`,
          }
        : { action: `ses:${operation}`, resource: '*' };
    case 'sns':
    case 'snsSend':
      return { action: `sns:${operation}`, resource: input.TopicArn ? r.operatorsTopic : '*' };
    case 'sqs':
      return { action: `sqs:${operation === 'SendMessageBatch' ? 'SendMessage' : operation}`, resource: r.startQueue };
    case 'sfn':
      return { action: `states:${operation}`, resource: r.stateMachine };
    case 's3': {
      const action = S3_ACTION[operation] ?? operation;
      const key = typeof input.Key === 'string' ? input.Key : undefined;
      return { action: `s3:${action}`, resource: key === undefined ? r.bucket : `${r.bucket}/${key}` };
    }
    case 'scheduler':
      // the local group stands for the stack's (the only one the handlers use)
      return {
        action: `scheduler:${operation}`,
        resource: `arn:${TEST_ENV.partition}:scheduler:${TEST_ENV.region}:${account}:schedule/${r.scheduleGroup}/${String(input.Name)}`,
      };
    case 'iam':
      // the local resume role stands for the stack's
      return {
        action: 'iam:PassRole',
        resource: r.resumeRole,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      };
    default:
      throw new Error(`no IAM mapping for ${c.service}:${operation}`);
  }
}

/** A policy element that may be one value or a list, as a list. */
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Step Functions' task-response actions (see the test above). */
const TASK_RESPONSES = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);

/** Whether one of `policies` has an Allow statement naming `action` on exactly `resource` (or on "*"). */
function allowsOn(policies: readonly { policy: unknown }[], action: string, resource: string): boolean {
  return policies.some(({ policy }) =>
    asList((policy as { Statement?: unknown }).Statement).some((statement) => {
      const { Effect, Action, Resource } = statement as { Effect?: string; Action?: unknown; Resource?: unknown };
      return (
        Effect === 'Allow' &&
        asList(Action).includes(action) &&
        asList(Resource).some((r) => r === resource || r === '*')
      );
    }),
  );
}

/** IAM action of each S3 command the handlers send. */
const S3_ACTION: Readonly<Record<string, string>> = {
  ListObjectsV2: 'ListBucket',
  CopyObject: 'PutObject',
};

/** IAM action of each document-client command. */
const DYNAMO_ACTION: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
};

/** The identity policies of the role of the function running `handler` (its description: `Dunning <handler>`). */
function rolePolicies(json: TemplateJson, handler: string): { name: string; policy: unknown }[] {
  const fn = Object.values(json.Resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === `Dunning ${handler}`,
  );
  const role = (fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined)?.['Fn::GetAtt'][0];
  if (!role) throw new Error(`no function for handler ${handler}`);
  return Object.entries(json.Resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
    )
    .map(([name, r]) => ({ name, policy: resolveIntrinsics(json, r.Properties?.PolicyDocument) }));
}

function summary(recorded: readonly RecordedCall[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const c of recorded) {
    const key = (c.input.Key ?? c.input.Item) as Json;
    const pk = key?.pk ?? (c.input.ExpressionAttributeValues as Json)?.[':pk'];
    const prefix = typeof pk === 'string' ? pk.replace(/#.*/, '#') : '';
    const what = `${c.service}:${c.operation}${c.input.IndexName ? `@${String(c.input.IndexName)}` : ''} ${prefix}`;
    out[c.handler] ??= new Set();
    out[c.handler]?.add(what.trim());
  }
  return Object.fromEntries(Object.entries(out).map(([h, s]) => [h, [...s].sort()]));
}
