import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding (AwsSolutions or Serverless pack) on `scope` and everything below it. Every
 * acknowledgement carries the reason a reviewer needs to accept it.
 */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`cdk-nag acknowledgement ${id} needs a real reason, got "${reason}"`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The id of cdk-nag's IAM5 finding for a wildcard resource built from a token (an ARN) plus a suffix, e.g.
 * `AwsSolutions-IAM5[Resource::<PlanStage1234.Arn>:*]`. cdk-nag 3 acknowledges findings one by one, by this id.
 */
export function wildcardResourceFinding(scope: IConstruct, arn: string, suffix = ''): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(Stack.of(scope).resolve(arn))}${suffix}]`;
}

/** The IAM5 finding for `Resource: '*'`. */
export const STAR_RESOURCE_FINDING = 'AwsSolutions-IAM5[Resource::*]';

/** Same flattening cdk-nag applies to CloudFormation references: `Fn::GetAtt` -> `<Id.Attr>`, `Ref` -> `<Id>`. */
function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const getAtt = v['Fn::GetAtt'] as [unknown, unknown] | undefined;
    if (getAtt) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
    if ('Ref' in v) return `<${flattenReference(v.Ref)}>`;
    const join = v['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flattenReference).join(join[0]);
  }
  return JSON.stringify(value);
}
