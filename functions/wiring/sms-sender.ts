import { SmsSender } from '../contact/providers/sms-sender';
import { sns } from '../platform/aws/sns';
import { ENV, optionalEnv } from '../platform/environment';

export const smsSender = () => new SmsSender(sns, optionalEnv(ENV.SMS_SENDER_ID));
