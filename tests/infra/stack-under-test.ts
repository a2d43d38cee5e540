import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type DunningConfig, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { DunningStack } from '../../lib/dunning-stack';

/** The feature flags of cdk.json, so the tests synthesize what `cdk synth` does. */
export const cdkJsonContext: Record<string, unknown> = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** The shipped config with every optional setting filled in, so the tests see every branch. */
export function fullConfig(): DunningConfig {
  const shipped = loadDunningConfig(join(PROJECT_ROOT, 'dunning.config.json'));
  return {
    ...shipped,
    sender: { email: 'cobranca@example.com', configurationSet: 'dunning-events', smsSenderId: 'EXEMPLO' },
    operators: { emails: ['ops@example.com', 'finance@example.com'] },
  };
}

/** An app with cdk.json's context that skips bundling. */
export function testApp(): App {
  return new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
}

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: DunningStack;
  readonly template: Template;
}

/** A fresh app with the stack (no bundling: the tests look at the template, not the code). */
export function synthDunningStack(config: DunningConfig = fullConfig()): SynthesizedStack {
  const app = testApp();
  const stack = new DunningStack(app, 'Dunning', { config });
  return { app, stack, template: Template.fromStack(stack) };
}

let shared: SynthesizedStack | undefined;

/** The stack built from `fullConfig()`, synthesized once per worker (synth costs seconds). Treat it as read-only. */
export function sharedDunningStack(): SynthesizedStack {
  shared ??= synthDunningStack();
  return shared;
}

/** Resources of one CloudFormation type in the template, by logical id. */
export function resourcesOfType(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}
