import { join } from 'node:path';
import type { BillingRule } from '../../functions/domain/billing-rule';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { type AslDefinition, synthesizedWorkflow } from '../../local/preview/synthesized-workflow';

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));

/** The real stack's workflow (as `cdk deploy` ships it) for a billing rule, and which handler each function runs. */
export function workflowFor(rule: BillingRule = config.rule): {
  definition: AslDefinition;
  handlerByArn: Map<string, string>;
} {
  return synthesizedWorkflow({ ...config, rule });
}
