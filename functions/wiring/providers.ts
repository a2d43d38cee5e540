/**
 * The providers' adapters (SES, SNS, Step Functions task tokens, SQS), one module each so that a Lambda bundle
 * carries only the SDK clients it uses (issue #6: bundle size). This module gathers them for tests and tools;
 * handlers and services import the adapter's own module.
 */
export { Mailer, type OutgoingEmail } from '../contact/providers/mailer';
export { OperatorsNotifier } from '../contact/providers/operators-notifier';
export { type ProviderClients, providerClients } from '../contact/providers/provider-clients';
export {
  AccountSendError,
  classifyProviderError,
  PermanentSendError,
  SendInDoubtError,
  TransientSendError,
} from '../contact/providers/provider-errors';
export { messageTags, SmsSender, type SmsTags } from '../contact/providers/sms-sender';
export { StartQueue } from '../executions/start-queue';
export { TaskTokens } from '../executions/task-tokens';
