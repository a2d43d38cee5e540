import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localLambdaArn } from '../../local/stepfunctions/asl';
import { LocalSfnEndpoint } from '../../local/stepfunctions/sfn-endpoint';
import { VirtualClock } from '../../local/stepfunctions/virtual-clock';
import { LocalWorkflowRuntime } from '../../local/stepfunctions/workflow-runtime';

// The real @aws-sdk/client-sfn against the local endpoint: what handlers (payments resuming a wait) will do.

const WAIT = localLambdaArn('WaitForEvent');
const START = new Date('2026-11-01T12:00:00.000Z');

const definition = {
  StartAt: 'D0 · wait or payment',
  States: {
    'D0 · wait or payment': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 7 * 86_400,
      Parameters: { FunctionName: WAIT, Payload: { 'invoiceId.$': '$.invoiceId', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.interrupt',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.waited', Next: 'Time to act' }],
      Next: 'Paid?',
    },
    'Paid?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.interrupt.event', StringEquals: 'paid', Next: 'Invoice paid' }],
      Default: 'Time to act',
    },
    'Invoice paid': { Type: 'Succeed' },
    'Time to act': { Type: 'Succeed' },
  },
};

describe('the local Step Functions endpoint, spoken to by the real SFNClient', () => {
  const clock = new VirtualClock(START);
  const tokens = new Map<string, string>();
  const runtime = new LocalWorkflowRuntime({
    definition,
    clock,
    invokeLambda: async (_fn, payload) => {
      const { invoiceId, taskToken } = payload as { invoiceId: string; taskToken: string };
      tokens.set(invoiceId, taskToken);
      return null;
    },
  });
  let endpoint: { url: string; close(): Promise<void> };
  let sfn: SFNClient;

  beforeAll(async () => {
    endpoint = await new LocalSfnEndpoint(runtime).start();
    sfn = new SFNClient({
      endpoint: endpoint.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    sfn.destroy();
    await endpoint.close();
  });

  async function start(invoiceId: string) {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachineArn,
        name: invoiceId,
        input: JSON.stringify({ invoiceId }),
      }),
    );
    await runtime.whenIdle();
    return started;
  }

  it('starts an execution, describes it, and resumes its wait with SendTaskSuccess', async () => {
    // Prepare
    const started = await start('INV-E2E-1');
    expect(started.startDate).toEqual(START);
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(running).toMatchObject({ status: 'RUNNING', name: 'INV-E2E-1', input: '{"invoiceId":"INV-E2E-1"}' });

    // Act
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: tokens.get('INV-E2E-1') }));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: tokens.get('INV-E2E-1'), output: JSON.stringify({ event: 'paid' }) }),
    );
    await runtime.whenIdle();

    // Assess
    const ended = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(ended.status).toBe('SUCCEEDED');
    expect(ended.stopDate).toEqual(START);
    expect(JSON.parse(ended.output ?? '')).toEqual({ invoiceId: 'INV-E2E-1', interrupt: { event: 'paid' } });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[1]?.stateEnteredEventDetails?.name).toBe('D0 · wait or payment');
    expect(history.events?.[0]?.timestamp).toEqual(START);
  });

  it('answers a second start of the same name with another input as ExecutionAlreadyExists', async () => {
    // Prepare
    await start('INV-E2E-2');

    // Act
    const again = sfn.send(
      new StartExecutionCommand({ stateMachineArn: runtime.stateMachineArn, name: 'INV-E2E-2', input: '{"x":1}' }),
    );

    // Assess
    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(again).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('answers stale, unknown and malformed tokens, unknown executions and state machines with typed errors', async () => {
    // Prepare
    await start('INV-E2E-3');
    const token = tokens.get('INV-E2E-3');
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'InvoiceDisputed', cause: 'disputed' }));
    await runtime.whenIdle();

    // Act / Assess
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: runtime.executionArnOf('INV-NONE') })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    const failed = await sfn.send(new DescribeExecutionCommand({ executionArn: runtime.executionArnOf('INV-E2E-3') }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'InvoiceDisputed', cause: 'disputed' });
  });

  it('lists executions by status, newest first, with pagination', async () => {
    // Prepare
    await start('INV-E2E-4');
    await start('INV-E2E-5');

    // Act
    const firstPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: runtime.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }),
    );
    const secondPage = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: runtime.stateMachineArn,
        statusFilter: 'RUNNING',
        maxResults: 10,
        nextToken: firstPage.nextToken,
      }),
    );

    // Assess
    const names = [...(firstPage.executions ?? []), ...(secondPage.executions ?? [])].map((e) => e.name);
    expect(names).toEqual(['INV-E2E-5', 'INV-E2E-4', 'INV-E2E-2']);
    expect(secondPage.nextToken).toBeUndefined();
  });
});
