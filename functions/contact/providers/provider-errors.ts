import { maskContactDetails } from '../../platform/redact';

/** Error thrown when a provider failed in a way that means "nothing was sent, try again later". */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

/** Error thrown when a provider refused the message for good (bad address, rejected content). */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalErrorException',
  'InternalError',
]);

/**
 * Sorts a provider error: throttling and 5xx answers mean the provider did not take the message (transient);
 * 4xx answers are permanent for this message. Network errors without an answer are rethrown as they are: we
 * cannot know whether the message left, and the send claim stays in doubt rather than risk a second copy.
 * Providers echo the destination they refused (SES: "…failed the check in region US-EAST-1: maria@…"; SNS:
 * "PhoneNumber Reason: +55… is not valid"): the classified error's message has `destination` and anything shaped
 * like an email address or a phone number masked, for it ends up in logs (Lambda's "Invoke Error" line, the
 * workflow's execution log with its data), the operators' notices and the contact log.
 */
export function classifyProviderError(error: unknown, provider: string, destination?: string): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const detail = maskContactDetails(`${provider}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, [destination]);
  if ((e.name && THROTTLING.has(e.name)) || (status !== undefined && status >= 500)) {
    return new TransientSendError(detail);
  }
  if (status !== undefined && status >= 400) return new PermanentSendError(detail);
  if (!(error instanceof Error)) return new Error(detail);
  // Rethrown as it is (its name and class tell callers what happened), its message and stack masked like the others'.
  error.message = maskContactDetails(error.message, [destination]);
  if (error.stack) error.stack = maskContactDetails(error.stack, [destination]);
  return error;
}
