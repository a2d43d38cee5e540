import { SmsSender } from '../../adapters/sms-sender';
import { sns } from '../aws/sns';
import { ENV, optionalEnv } from '../environment';

export const smsSender = () => new SmsSender(sns, optionalEnv(ENV.SMS_SENDER_ID));
