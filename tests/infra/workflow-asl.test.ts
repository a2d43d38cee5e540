import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { parseRuleSet } from '../../functions/rules/rule-set';
import { PROJECT_ROOT, withRuleSet } from '../../lib/config';
import { fullConfig, sharedDunningStack, synthDunningStack } from './stack-under-test';
import { resolveString, type TemplateJson } from './template-resolver';

/**
 * The state machine definition the stack ships, checked against the Amazon States Language by asl-validator (JSON
 * schemas of every state type, JSONPath syntax, ARNs of resources): a definition Step Functions would refuse fails
 * here, not at `cdk deploy` (CreateStateMachine / UpdateStateMachine answer InvalidDefinition and the deployment
 * rolls back).
 */

/** The DefinitionString of the template's one state machine, its Fn::Join resolved to the JSON CloudFormation sends. */
function shippedDefinition(template: TemplateJson): unknown {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(1);
  return JSON.parse(resolveString(template, machines[0]?.Properties?.DefinitionString));
}

function validate(definition: unknown): void {
  const { isValid, errors, errorsText } = aslValidator(definition, { checkPaths: true, checkArn: true });
  if (!isValid) console.error(`asl-validator:\n${errorsText('\n')}`);
  expect(errors).toEqual([]);
  expect(isValid).toBe(true);
}

const segmentsRuleSet = parseRuleSet(
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'tests', 'fixtures', 'segments', 'rules.json'), 'utf8')),
);

describe('the shipped state machine definition is valid Amazon States Language', () => {
  it('with the default billing rule', () => {
    const definition = shippedDefinition(sharedDunningStack().template.toJSON() as TemplateJson) as {
      States: Record<string, unknown>;
    };
    expect(Object.keys(definition.States).length).toBeGreaterThan(10);
    validate(definition);
  });

  it('with a rule set of several rules and segments (tests/fixtures/segments)', () => {
    expect(segmentsRuleSet.rules.length).toBeGreaterThanOrEqual(3);
    const config = withRuleSet(fullConfig(), segmentsRuleSet);
    const definition = shippedDefinition(synthDunningStack(config).template.toJSON() as TemplateJson) as {
      States: Record<string, { Type: string }>;
    };
    expect(definition.States['Which billing rule?']?.Type).toBe('Choice');
    validate(definition);
  });

  it('catches a definition Step Functions would refuse (the check is not vacuous)', () => {
    const definition = shippedDefinition(sharedDunningStack().template.toJSON() as TemplateJson) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    const broken = { ...definition, States: { ...definition.States, Dangling: { Type: 'Task', Next: 'Nowhere' } } };
    expect(aslValidator(broken, { checkPaths: true, checkArn: true }).isValid).toBe(false);
  });
});
