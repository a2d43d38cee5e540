import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { DunningConfig } from '../lib/config';
import { DunningFunction } from '../lib/constructs/dunning-function';
import { DunningStack } from '../lib/dunning-stack';
import { extractStateMachineDefinition, localLambdaArn } from './definition';
import type { SynthesizedWorkflow } from './synth';

/**
 * Synthesizes the real CDK stack for `config` (bundling skipped: nothing is built or deployed) and returns its
 * state machine definition — the same builder, the same billing rule as `cdk deploy` — and which handler file each
 * Lambda function runs. Takes ~3 s (loading aws-cdk-lib).
 */
export function synthesizeWorkflow(config: DunningConfig): SynthesizedWorkflow {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new DunningStack(app, 'DunningLocal', { config });
  const handlerByArn = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (node instanceof DunningFunction) {
      const logicalId = Stack.of(node).getLogicalId(node.node.defaultChild as CfnFunction as unknown as CfnElement);
      handlerByArn.set(localLambdaArn(logicalId), node.handlerName);
    }
  }
  const { definition, functionLogicalIds } = extractStateMachineDefinition(Template.fromStack(stack).toJSON());
  for (const logicalId of functionLogicalIds) {
    if (!handlerByArn.has(localLambdaArn(logicalId))) {
      throw new Error(`The workflow invokes ${logicalId}, which is not a DunningFunction: no local handler for it`);
    }
  }
  return { definition, handlerByArn, handlers: [...new Set(handlerByArn.values())].sort() };
}
