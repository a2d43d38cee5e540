/** What an operator's request carries besides its body fields: a reason, and who signed it. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';

/** An operator's reason: required, one line of clean text. */
export const Reason = z
  .string({ error: 'is required: say why (one line of text)' })
  .trim()
  .min(1, { error: 'is required: say why (one line of text)' })
  .max(500, { error: 'is longer than 500 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), { error: 'must not contain control characters' });

/** The IAM principal that signed the request (API Gateway fills it in with IAM auth; none locally). */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  const identity = event.requestContext?.identity;
  return identity?.userArn ?? identity?.caller ?? undefined;
}
