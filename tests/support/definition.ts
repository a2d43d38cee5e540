import { join } from 'node:path';
import type { BillingRule } from '../../functions/rules/billing-rule';
import type { RuleSet } from '../../functions/rules/rule-set';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT, withRuleSet } from '../../lib/config';
import type { SynthesizedWorkflow } from '../../local/system/synth-cache';
import { synthesizeWorkflow } from '../../local/system/synth-stack';

const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));

const synthesized = new Map<string, SynthesizedWorkflow>();

/** The real stack's workflow for a rule file with several rules and segments. */
export function workflowForSet(ruleSet: RuleSet): SynthesizedWorkflow {
  const key = JSON.stringify(ruleSet);
  let workflow = synthesized.get(key);
  if (!workflow) {
    workflow = synthesizeWorkflow(withRuleSet(config, ruleSet));
    synthesized.set(key, workflow);
  }
  return workflow;
}

/**
 * The real stack's workflow (as `cdk deploy` ships it) for a billing rule, and which handler each function runs;
 * synthesized once per rule in a test file.
 */
export function workflowFor(rule: BillingRule = config.rule): SynthesizedWorkflow {
  const key = JSON.stringify(rule);
  let workflow = synthesized.get(key);
  if (!workflow) {
    workflow = synthesizeWorkflow(withRuleSet(config, { rules: [rule], segments: [{ rule: rule.id }] }));
    synthesized.set(key, workflow);
  }
  return workflow;
}
