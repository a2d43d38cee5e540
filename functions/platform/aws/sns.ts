import { SNSClient } from '@aws-sdk/client-sns';

/**
 * The SNS client of this Lambda container for reads (CheckIfPhoneNumberIsOptedOut): the SDK's standard retries
 * (3 attempts) are safe there, a read can be repeated (see ../clients.ts).
 */
export const sns = new SNSClient({});

/**
 * The SNS client that publishes (an SMS to a phone number, a notice to the operators' topic), with the SDK's automatic
 * retries off (`maxAttempts: 1`). Publish has no idempotency key for a phone number or a standard topic: the standard
 * retry strategy repeats a request whose connection was reset or timed out after SNS had accepted it, and the
 * debtor would get a second SMS — below the send claim that guards against exactly that (docs/architecture.md "Send
 * claims"). A failure of the one attempt is classified by functions/contact/providers/provider-errors.ts.
 */
export const snsSend = new SNSClient({ maxAttempts: 1 });
