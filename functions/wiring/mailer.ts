import { Mailer } from '../contact/providers/mailer';
import { ses, sesSend } from '../platform/aws/ses';
import { ENV, optionalEnv, requireEnv } from '../platform/environment';

/** SendEmail through `sesSend` (no SDK retries: no idempotency key), the suppression-list read through `ses`. */
export const mailer = () =>
  new Mailer({ reads: ses, sends: sesSend }, requireEnv(ENV.SENDER_EMAIL), optionalEnv(ENV.SES_CONFIGURATION_SET));
