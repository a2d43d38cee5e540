import { SmsSender } from '../contact/providers/sms-sender';
import { sns, snsSend } from '../platform/aws/sns';
import { ENV, optionalEnv } from '../platform/environment';

/** Publish through `snsSend` (no SDK retries: no idempotency key), the opt-out read through `sns`. */
export const smsSender = () => new SmsSender({ reads: sns, sends: snsSend }, optionalEnv(ENV.SMS_SENDER_ID));
