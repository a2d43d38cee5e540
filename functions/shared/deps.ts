import { DunningTable } from '../adapters/dunning-table';
import { Mailer, OperatorsNotifier, SmsSender, StartQueue, TaskTokens } from '../adapters/providers';
import type { InvoiceRegistration } from '../domain/invoice';
import { chooseRule, type Segment } from '../domain/rule-set';
import type { CompanyIdentity } from '../services/send-stage';
import { dynamo, ses, sfn, sns, sqs } from './clients';
import { now } from './clock';
import { ENV, optionalEnv, requireEnv } from './environment';

/**
 * Collaborators of the handlers, built from the module-level clients and the environment. Each handler calls the
 * factories it needs once, at module load, so a missing variable fails the cold start with its name.
 */
export const dunningTable = () => new DunningTable(dynamo, requireEnv(ENV.TABLE_NAME));
export const startQueue = () => new StartQueue(sqs, requireEnv(ENV.START_QUEUE_URL));
export const taskTokens = () => new TaskTokens(sfn);
export const mailer = () => new Mailer(ses, requireEnv(ENV.SENDER_EMAIL), optionalEnv(ENV.SES_CONFIGURATION_SET));
export const smsSender = () => new SmsSender(sns, optionalEnv(ENV.SMS_SENDER_ID));
export const operatorsNotifier = () => new OperatorsNotifier(sns, requireEnv(ENV.OPERATORS_TOPIC_ARN));
export const companyIdentity = (): CompanyIdentity => {
  const supportContact = optionalEnv(ENV.COMPANY_SUPPORT_CONTACT);
  return {
    legalName: requireEnv(ENV.COMPANY_LEGAL_NAME),
    taxId: requireEnv(ENV.COMPANY_TAX_ID),
    ...(supportContact ? { supportContact } : {}),
  };
};
export const ruleId = () => requireEnv(ENV.RULE_ID);

/**
 * The billing rule of a registration: with a rule file's segments (RULE_SEGMENTS), the first segment matching the
 * customer and the invoice; else the one rule (RULE_ID).
 */
export const ruleChooser = (): string | ((registration: InvoiceRegistration) => string) => {
  const segmentsJson = optionalEnv(ENV.RULE_SEGMENTS);
  if (!segmentsJson) return ruleId();
  const segments = JSON.parse(segmentsJson) as Segment[];
  return (registration) =>
    chooseRule(segments, {
      segment: registration.customer.segment,
      riskScore: registration.customer.riskScore,
      country: registration.customer.country,
      amount: registration.amount,
    });
};
export { now };
