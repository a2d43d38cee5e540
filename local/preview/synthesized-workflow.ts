import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { DunningConfig } from '../../lib/config';
import { DunningFunction } from '../../lib/constructs/dunning-function';
import { DunningStack } from '../../lib/dunning-stack';

export type AslDefinition = { StartAt: string; States: Record<string, Record<string, unknown>> };

const ACCOUNT = '000000000000';
const REGION = 'local';

/**
 * Synthesizes the real CDK stack (bundling skipped) and returns its state machine definition — the same one
 * `cdk deploy` ships — with Lambda ARNs resolved, plus which handler file each function ARN runs.
 */
export function synthesizedWorkflow(config: DunningConfig): {
  definition: AslDefinition;
  handlerByArn: Map<string, string>;
} {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new DunningStack(app, 'DunningLocal', { config, env: { account: ACCOUNT, region: REGION } });
  const handlerByArn = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (node instanceof DunningFunction) {
      const logicalId = Stack.of(node).getLogicalId(node.node.defaultChild as CfnFunction as unknown as CfnElement);
      handlerByArn.set(arnOf(logicalId), node.handlerName);
    }
  }
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('The stack has no state machine');
  const def = machine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof def === 'string'
      ? def
      : def['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
            if (getAtt) return arnOf(getAtt[0]);
            const ref = (part as { Ref?: string }).Ref;
            if (ref === 'AWS::Partition') return 'aws';
            if (ref === 'AWS::Region') return REGION;
            if (ref === 'AWS::AccountId') return ACCOUNT;
            throw new Error(`Unsupported intrinsic in the state machine definition: ${JSON.stringify(part)}`);
          })
          .join(def['Fn::Join'][0]);
  return { definition: JSON.parse(text) as AslDefinition, handlerByArn };
}

function arnOf(logicalId: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
}
