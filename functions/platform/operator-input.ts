/** What an operator's request carries besides its body fields: a reason, and who signed it. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';

/** A request body with exactly these fields: an unknown one is refused, naming it and the fields allowed. */
export const strictBody = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}; allowed: ${Object.keys(shape).join(', ')}`
        : undefined,
  });

/** An operator's reason: required, one line of clean text. */
export const Reason = z
  .string({ error: 'is required: say why (one line of text)' })
  .trim()
  .min(1, { error: 'is required: say why (one line of text)' })
  .max(500, { error: 'is longer than 500 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), { error: 'must not contain control characters' });

/**
 * Who made the request: the IAM principal that signed it (API Gateway fills it in with IAM auth), or with a Cognito
 * user pool authorizer the token's user as `cognito:<username>` (`cognito:username` of an ID token, `username` of an
 * access token, else its `sub`); none locally.
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  const identity = event.requestContext?.identity;
  const iam = identity?.userArn ?? identity?.caller;
  if (iam) return iam;
  const claims: unknown = event.requestContext?.authorizer?.claims;
  if (!claims || typeof claims !== 'object') return undefined;
  const c = claims as Record<string, unknown>;
  const user = [c['cognito:username'], c.username, c.sub].find((v) => typeof v === 'string' && v !== '');
  return typeof user === 'string' ? `cognito:${user}` : undefined;
}
