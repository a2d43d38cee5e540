import { maskContactDetails } from '../../platform/redact';

/**
 * Error thrown when a provider failed in a way that means "try again later". The state machine retries the send step
 * on this name only (state-machines/billing-rule-workflow.ts `TRANSIENT_SEND_ERROR`).
 */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

/**
 * A send that failed without an answer (connection reset, socket hang up, timeout, abort): the provider may have
 * taken the message. Its name stays `TransientSendError`, so the step is retried, and the retry finds the send claim
 * PENDING ("in doubt") and counts the channel as done without sending it again (docs/architecture.md "Send claims").
 * Its claim is never given back.
 */
export class SendInDoubtError extends TransientSendError {}

/** Error thrown when a provider refused the message for good (bad address, rejected content). */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

/**
 * The provider refused because of the account, not the message: SES suspended or paused sending, the MAIL FROM
 * domain is not verified, the account is in the sandbox; SNS says the caller is not authorized or the topic's KMS key
 * cannot be used. Every message on the channel would be refused the same way: the send step opens the channel's
 * sending breaker (functions/contact/send/sending-breaker.ts) instead of recording one failed message.
 */
export class AccountSendError extends Error {
  override readonly name = 'AccountSendError';
  /**
   * @param reason the provider's error name (`AccountSuspendedException`, `AuthorizationErrorException`…), or
   *   `SandboxRecipientNotVerified` for SES's sandbox rejection
   */
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'KMSThrottlingException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalErrorException',
  'InternalError',
]);

/**
 * Account-level refusals (SES v2 SendEmail's AccountSuspendedException, SendingPausedException,
 * MailFromDomainNotVerifiedException; SNS Publish's AuthorizationError and the topic's KMS key problems). Not among
 * them: SNS's monthly SMS spend limit, which Publish does not report — SNS accepts the message (200, a message id)
 * and drops it; only the delivery status logs ("No quota left for account") and the `SMSMonthToDateSpentUSD`
 * metric show it, so it needs an alarm, not this classification.
 */
const ACCOUNT_LEVEL = new Set([
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'AuthorizationErrorException',
  'AuthorizationError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);

/** SES's sandbox answer to a recipient (or sender) not verified: `MessageRejected: Email address is not verified…`. */
const SANDBOX_REJECTION = /email address is not verified/i;

/**
 * A request that got no answer after it may have reached the provider: the connection was reset or broken while or
 * after the request was written (ECONNRESET, "socket hang up", EPIPE), or the SDK gave up waiting (ETIMEDOUT,
 * TimeoutError, RequestTimeout, an aborted request).
 */
const NO_ANSWER_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);

/** A connection that was never made (refused, unknown host): the request never left, nothing can have been sent. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** What the provider call was: a send (SendEmail, Publish) or a read (suppression list, opt-out list). */
export type ProviderCall = 'send' | 'read';

/**
 * Sorts a provider error: throttling and 5xx answers mean the provider did not take the message (transient);
 * account-level refusals are the account's (`AccountSendError`); other 4xx answers are permanent for this message.
 * Errors without an answer: a connection never made is transient (nothing left); a send that got no answer may have
 * been taken (`SendInDoubtError`: retried, never sent again); a read without an answer is transient. Anything else is
 * rethrown as it is. Providers echo the destination they refused (SES: "…failed the check in region US-EAST-1:
 * maria@…"; SNS: "PhoneNumber Reason: +55… is not valid"): the classified error's message has `destination` and
 * anything shaped like an email address or a phone number masked, for it ends up in logs (Lambda's "Invoke Error"
 * line, the workflow's execution log with its data), the operators' notices and the contact log.
 */
export function classifyProviderError(
  error: unknown,
  provider: string,
  destination?: string,
  call: ProviderCall = 'send',
): Error {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const detail = maskContactDetails(`${provider}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, [destination]);
  if ((e.name && THROTTLING.has(e.name)) || (status !== undefined && status >= 500)) {
    return new TransientSendError(detail);
  }
  if (e.name && ACCOUNT_LEVEL.has(e.name)) return new AccountSendError(detail, e.name);
  if (e.name === 'MessageRejected' && SANDBOX_REJECTION.test(e.message ?? '')) {
    return new AccountSendError(detail, 'SandboxRecipientNotVerified');
  }
  if (status !== undefined && status >= 400) return new PermanentSendError(detail);
  if (e.code && NOT_CONNECTED_CODES.has(e.code)) return new TransientSendError(detail);
  if (withoutAnswer(e)) {
    return call === 'send'
      ? new SendInDoubtError(`${detail} (no answer: the message may have been taken; it is not sent again)`)
      : new TransientSendError(detail);
  }
  if (!(error instanceof Error)) return new Error(detail);
  // Rethrown as it is (its name and class tell callers what happened), its message and stack masked like the others'.
  error.message = maskContactDetails(error.message, [destination]);
  if (error.stack) error.stack = maskContactDetails(error.stack, [destination]);
  return error;
}

function withoutAnswer(e: { name?: string; code?: string; message?: string }): boolean {
  return (
    (e.code !== undefined && NO_ANSWER_CODES.has(e.code)) ||
    (e.name !== undefined && NO_ANSWER_NAMES.has(e.name)) ||
    /socket hang up/i.test(e.message ?? '')
  );
}
