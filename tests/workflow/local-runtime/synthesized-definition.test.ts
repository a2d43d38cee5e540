import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  IntegrationPattern,
  JsonPath,
  StateMachine,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { extractStateMachineDefinition } from '../../../local/stepfunctions/asl';
import { VirtualClock } from '../../../local/stepfunctions/virtual-clock';
import { type JsonValue, LocalWorkflowRuntime } from '../../../local/stepfunctions/workflow-runtime';
import { DAY_S, stateTrail, T0 } from '../../support/local-runtime';

// The local workflow runtime reads the synthesized template: extractStateMachineDefinition, and a CDK-built
// waitForTaskToken workflow run end to end.

describe('extractStateMachineDefinition reads the synthesized template', () => {
  const machine = (id: string) => ({
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      DefinitionString: {
        'Fn::Join': [
          '',
          [
            '{"StartAt":"Go","States":{"Go":{"Type":"Task","Resource":"arn:',
            { Ref: 'AWS::Partition' },
            ':states:::lambda:invoke","Parameters":{"FunctionName":"',
            { 'Fn::GetAtt': [`${id}Fn`, 'Arn'] },
            '","Payload.$":"$"},"End":true}}}',
          ],
        ],
      },
    },
  });
  const fn = { Type: 'AWS::Lambda::Function', Properties: {} };

  it('resolves Fn::Join, Ref of pseudo parameters and Fn::GetAtt of functions', () => {
    // Act
    const extracted = extractStateMachineDefinition({ Resources: { M: machine('M'), MFn: fn } });

    // Assess
    expect(extracted.functionLogicalIds).toEqual(['MFn']);
    expect(extracted.definition.States.Go).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:local:000000000000:function:MFn' },
    });
  });

  it('asks for the logical id when there are several state machines, and says when there is none', () => {
    // Prepare
    const template = { Resources: { A: machine('A'), AFn: fn, B: machine('B'), BFn: fn } };

    // Act / Assess
    expect(() => extractStateMachineDefinition(template)).toThrow(/2 state machines \(A, B\): pass the logicalId/);
    expect(extractStateMachineDefinition(template, 'B').functionLogicalIds).toEqual(['BFn']);
    expect(() => extractStateMachineDefinition(template, 'C')).toThrow(/No AWS::StepFunctions::StateMachine .* C/);
    expect(() => extractStateMachineDefinition({ Resources: { AFn: fn } })).toThrow(/no AWS::StepFunctions/);
    expect(() => extractStateMachineDefinition({ Resources: { A: machine('A') } })).toThrow(/cannot resolve/);
  });

  it('runs a CDK-synthesized waitForTaskToken workflow with unicode state names end to end', async () => {
    // Prepare: a real CDK stack (no bundling: inline code), synthesized to a template
    const stack = new Stack(new App(), 'LocalRuntimeFixture');
    const lambda = (id: string) =>
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({})'),
      });
    const wait = new LambdaInvoke(stack, 'D0 · wait or payment', {
      lambdaFunction: lambda('Wait'),
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ invoiceId: JsonPath.stringAt('$.invoiceId'), taskToken: JsonPath.taskToken }),
      taskTimeout: Timeout.at('$.seconds'),
      resultPath: '$.interrupt',
    });
    const send = new LambdaInvoke(stack, 'D0 · send email + sms', {
      lambdaFunction: lambda('Send'),
      payloadResponseOnly: false,
      resultSelector: { 'outcome.$': '$.Payload.outcome' },
      resultPath: '$.step',
    }).addRetry({ errors: ['TransientSendError'], interval: Duration.seconds(30), maxAttempts: 3 });
    send.next(new Succeed(stack, 'Sent'));
    wait.addCatch(send, { errors: [Errors.TIMEOUT], resultPath: '$.waited' });
    const paid = new Choice(stack, 'Paid?')
      .when(Condition.stringEquals('$.interrupt.event', 'paid'), new Succeed(stack, 'Invoice paid'))
      .otherwise(new Succeed(stack, 'Other event'));
    new StateMachine(stack, 'Workflow', {
      definitionBody: DefinitionBody.fromChainable(wait.next(paid)),
    });
    const template = Template.fromStack(stack).toJSON();
    const { definition: synthesized, functionLogicalIds } = extractStateMachineDefinition(template);
    const clock = new VirtualClock(T0);
    const seen: { fn: string; at: string; payload: JsonValue }[] = [];
    const runtime = new LocalWorkflowRuntime({
      definition: synthesized,
      clock,
      invokeLambda: async (fn, payload) => {
        seen.push({ fn, at: clock.now().toISOString(), payload: payload as JsonValue });
        return { outcome: 'sent' };
      },
    });

    // Act
    const { executionArn } = runtime.startExecution({
      name: 'INV-CDK',
      input: { invoiceId: 'INV-CDK', seconds: 7 * DAY_S },
    });
    await runtime.runUntilSettled();

    // Assess
    expect(functionLogicalIds).toHaveLength(2);
    expect(seen.map((s) => s.at)).toEqual([T0.toISOString(), '2026-11-08T12:00:00.000Z']);
    expect(seen[0]?.payload).toMatchObject({ invoiceId: 'INV-CDK', taskToken: expect.stringMatching(/^AQ/) });
    expect(runtime.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(stateTrail(runtime.history(executionArn)).filter((t) => t.startsWith('StateEntered'))).toEqual([
      'StateEntered D0 · wait or payment',
      'StateEntered D0 · send email + sms',
      'StateEntered Sent',
    ]);
  });
});
