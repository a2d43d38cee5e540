import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { BillingRule } from '../../functions/domain/billing-rule';
import { buildBillingRuleWorkflow } from '../../state-machines/billing-rule-workflow';

/** Logical ids of the test stack's workflow functions, by handler name. */
export const WORKFLOW_FUNCTIONS = {
  planStage: 'plan-stage',
  waitForEvent: 'wait-for-event',
  sendStage: 'send-stage',
  handleFailure: 'handle-failure',
} as const;

/**
 * A minimal stack holding only the workflow built from `rule` (functions with placeholder code), synthesized to a
 * CloudFormation template. The definition is the same one the real stack deploys: same builder, same rule.
 */
export function synthWorkflowTemplate(rule: BillingRule): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'WorkflowUnderTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const fn = (id: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler=()=>{}'),
    });
  const functions = {
    planStage: fn('PlanStage'),
    waitForEvent: fn('WaitForEvent'),
    sendStage: fn('SendStage'),
    handleFailure: fn('HandleFailure'),
  };
  new StateMachine(stack, 'Workflow', {
    definitionBody: DefinitionBody.fromChainable(buildBillingRuleWorkflow(stack, { rule, functions })),
  });
  return Template.fromStack(stack).toJSON();
}

/** The ASL definition of the template's state machine, with Fn::GetAtt ARNs replaced by `arn:…:function:<LogicalId>`. */
export function definitionOf(template: Record<string, unknown>): {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
} {
  const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('no state machine in the template');
  const def = machine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof def === 'string'
      ? def
      : def['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
            if (getAtt) return `arn:aws:lambda:us-east-1:123456789012:function:${getAtt[0]}`;
            const ref = (part as { Ref?: string }).Ref;
            if (ref === 'AWS::Partition') return 'aws';
            throw new Error(`unsupported intrinsic in definition: ${JSON.stringify(part)}`);
          })
          .join(def['Fn::Join'][0]);
  return JSON.parse(text);
}
