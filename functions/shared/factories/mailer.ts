import { Mailer } from '../../adapters/mailer';
import { ses } from '../aws/ses';
import { ENV, optionalEnv, requireEnv } from '../environment';

export const mailer = () => new Mailer(ses, requireEnv(ENV.SENDER_EMAIL), optionalEnv(ENV.SES_CONFIGURATION_SET));
