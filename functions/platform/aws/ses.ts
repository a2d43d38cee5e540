import { SESv2Client } from '@aws-sdk/client-sesv2';

/**
 * The SES v2 client of this Lambda container for reads (GetSuppressedDestination): the SDK's standard retries
 * (3 attempts) are safe there, a read can be repeated (see ../clients.ts).
 */
export const ses = new SESv2Client({});

/**
 * The SES v2 client that sends (SendEmail), with the SDK's automatic retries off (`maxAttempts: 1`). SendEmail has
 * no idempotency key: the standard retry strategy repeats a request whose connection was reset or timed out after
 * SES had accepted the message, and the debtor would get a second copy — below the send claim that guards against
 * exactly that (docs/architecture.md "Send claims"). A failure of the one attempt is classified by
 * functions/contact/providers/provider-errors.ts, and the workflow's own retry decides.
 */
export const sesSend = new SESv2Client({ maxAttempts: 1 });
