import { Mailer } from '../contact/providers/mailer';
import { ses } from '../platform/aws/ses';
import { ENV, optionalEnv, requireEnv } from '../platform/environment';

export const mailer = () => new Mailer(ses, requireEnv(ENV.SENDER_EMAIL), optionalEnv(ENV.SES_CONFIGURATION_SET));
