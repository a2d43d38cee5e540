/**
 * The Amazon States Language definition as the local runtime takes it: its types, the account/region/partition the
 * runtime pretends to run in, local Lambda ARNs, and the definition read out of a synthesized CloudFormation
 * template with its intrinsics resolved.
 */

/** Account and region the local runtime pretends to run in (ARNs in definitions, executions and tokens). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';
export const LOCAL_PARTITION = 'aws';

/** A state of an Amazon States Language definition (JSONPath), as synthesized. */
export type AslState = { Type: string } & Record<string, unknown>;

/** An Amazon States Language definition. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  Comment?: string;
  Version?: string;
}

/** The definition of a synthesized state machine, and the Lambda functions (logical ids) it invokes. */
export interface ExtractedDefinition {
  readonly definition: AslDefinition;
  readonly functionLogicalIds: string[];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The ARN the local runtime gives the Lambda function of a CloudFormation logical id. */
export function localLambdaArn(logicalId: string): string {
  return `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/** The logical id in an ARN made by {@link localLambdaArn}, or undefined for any other string. */
export function logicalIdOfLocalLambdaArn(arn: string): string | undefined {
  const prefix = localLambdaArn('');
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/**
 * Finds the `AWS::StepFunctions::StateMachine` in a synthesized CloudFormation template (the object of
 * `Template.fromStack(stack).toJSON()` or a `cdk.out/*.template.json` file) and returns its definition with the
 * intrinsics resolved for the local runtime: `Fn::GetAtt [Fn, 'Arn']` of a Lambda function becomes
 * {@link localLambdaArn}, `Ref` of `AWS::Partition` / `AWS::Region` / `AWS::AccountId` become `aws` / `local` /
 * `000000000000`, `DefinitionSubstitutions` are applied. `logicalId` picks one state machine when the template has
 * several. Throws an error naming the problem when there is no (or no single) state machine, or an intrinsic the
 * local runtime cannot resolve.
 */
export function extractStateMachineDefinition(template: unknown, logicalId?: string): ExtractedDefinition {
  const resources = resourcesOf(template);
  const [id, machine] = pickStateMachine(resources, logicalId);
  const functionLogicalIds: string[] = [];
  const context: ResolveContext = { resources, functionLogicalIds, stateMachineId: id };
  const properties = machine.Properties ?? {};
  if (properties.DefinitionString === undefined) {
    throw new Error(`State machine ${id}: no DefinitionString (an inline Definition object is not supported locally)`);
  }
  let text = resolveToString(properties.DefinitionString, context, 'DefinitionString');
  const substitutions = properties.DefinitionSubstitutions;
  if (substitutions !== undefined) {
    if (!isRecord(substitutions)) throw new Error(`State machine ${id}: DefinitionSubstitutions must be an object`);
    for (const [key, value] of Object.entries(substitutions)) {
      text = text.split(`\${${key}}`).join(resolveToString(value, context, `DefinitionSubstitutions.${key}`));
    }
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new Error(`State machine ${id}: DefinitionString is not valid JSON once resolved (${String(error)})`);
  }
  if (!isRecord(definition) || typeof definition.StartAt !== 'string' || !isRecord(definition.States)) {
    throw new Error(`State machine ${id}: the definition has no StartAt / States`);
  }
  return { definition: definition as unknown as AslDefinition, functionLogicalIds };
}

interface ResolveContext {
  readonly resources: Record<string, CfnResource>;
  readonly functionLogicalIds: string[];
  readonly stateMachineId: string;
}

function resourcesOf(template: unknown): Record<string, CfnResource> {
  if (!isRecord(template) || !isRecord(template.Resources)) {
    throw new Error('extractStateMachineDefinition: the template has no Resources object (pass the template JSON)');
  }
  return template.Resources as Record<string, CfnResource>;
}

function pickStateMachine(resources: Record<string, CfnResource>, logicalId?: string): [string, CfnResource] {
  const machines = Object.entries(resources).filter(
    ([, resource]) => isRecord(resource) && resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (logicalId !== undefined) {
    const found = machines.find(([id]) => id === logicalId);
    if (found) return found;
    const known = machines.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      `No AWS::StepFunctions::StateMachine with logical id ${logicalId} in the template (found: ${known})`,
    );
  }
  const [only, ...others] = machines;
  if (!only) throw new Error('The template has no AWS::StepFunctions::StateMachine resource');
  if (others.length > 0) {
    const ids = machines.map(([id]) => id).join(', ');
    throw new Error(
      `The template has ${machines.length} state machines (${ids}): pass the logicalId of the one to run`,
    );
  }
  return only;
}

function resolveToString(value: unknown, context: ResolveContext, where: string): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) throw unsupported(value, context, where);
  const keys = Object.keys(value);
  if (keys.length !== 1) throw unsupported(value, context, where);
  if ('Fn::Join' in value) {
    const join = value['Fn::Join'];
    if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
      throw unsupported(value, context, where);
    }
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((part) => resolveToString(part, context, where)).join(separator);
  }
  if ('Ref' in value) return resolveRef(value.Ref, context, where);
  if ('Fn::GetAtt' in value) return resolveGetAtt(value['Fn::GetAtt'], context, where);
  throw unsupported(value, context, where);
}

function resolveRef(name: unknown, context: ResolveContext, where: string): string {
  if (typeof name !== 'string') throw unsupported({ Ref: name }, context, where);
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo !== undefined) return pseudo;
  if (context.resources[name]?.Type === 'AWS::Lambda::Function') {
    remember(context.functionLogicalIds, name);
    return name;
  }
  throw unsupported({ Ref: name }, context, where);
}

function resolveGetAtt(target: unknown, context: ResolveContext, where: string): string {
  const [resourceId, attribute] = typeof target === 'string' ? target.split('.') : Array.isArray(target) ? target : [];
  const resource = typeof resourceId === 'string' ? context.resources[resourceId] : undefined;
  if (typeof resourceId === 'string' && attribute === 'Arn' && resource?.Type === 'AWS::Lambda::Function') {
    remember(context.functionLogicalIds, resourceId);
    return localLambdaArn(resourceId);
  }
  throw unsupported({ 'Fn::GetAtt': target }, context, where);
}

function unsupported(value: unknown, context: ResolveContext, where: string): Error {
  return new Error(
    `State machine ${context.stateMachineId}: ${where} uses ${JSON.stringify(value)}, which the local runtime cannot ` +
      'resolve (supported: strings, Fn::Join, Ref of AWS::Partition/Region/AccountId/URLSuffix or of a Lambda ' +
      'function, Fn::GetAtt [LambdaFunction, Arn])',
  );
}

function remember(list: string[], id: string): void {
  if (!list.includes(id)) list.push(id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
