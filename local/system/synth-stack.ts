import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { DunningConfig } from '../../lib/config';
import { DunningFunction } from '../../lib/constructs/dunning-function';
import { DunningStack } from '../../lib/dunning-stack';
import { type AslDefinition, extractStateMachineDefinition, localLambdaArn } from '../stepfunctions/asl';

/**
 * The real CDK stack synthesized for the local runtime (nothing bundled or deployed): its state machine definition
 * with local Lambda ARNs, and which handler file each Lambda function runs.
 */

/** The workflow of the real stack, ready for the local runtime. */
export interface SynthesizedWorkflow {
  /** The state machine definition `cdk deploy` ships, Lambda ARNs resolved to {@link localLambdaArn}s. */
  readonly definition: AslDefinition;
  /** Handler file (under functions/handlers/) of every Lambda function of the stack, by its local ARN. */
  readonly handlerByArn: ReadonlyMap<string, string>;
  /** Handler files of every Lambda function of the stack (API, ingestion, starter, workflow). */
  readonly handlers: readonly string[];
}

/**
 * Synthesizes the real CDK stack for `config` (bundling skipped: nothing is built or deployed) and returns its
 * state machine definition — the same builder, the same billing rule as `cdk deploy` — and which handler file each
 * Lambda function runs. Takes ~3 s (loading aws-cdk-lib) the first time in a process, well under 1 s after.
 */
export function synthesizeWorkflow(config: DunningConfig): SynthesizedWorkflow {
  // aws-cdk-lib validates every synthesized template against the CloudFormation schema (a WebAssembly engine,
  // 2-7 s). `cdk synth` / `cdk deploy` keep that check (CI runs `cdk synth`); here only the definition is read.
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return synthesize(config);
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}

function synthesize(config: DunningConfig): SynthesizedWorkflow {
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
