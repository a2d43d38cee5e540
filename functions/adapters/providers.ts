/**
 * The providers' adapters (SES, SNS, Step Functions task tokens, SQS), one module each so that a Lambda bundle
 * carries only the SDK clients it uses (issue #6: bundle size). This module gathers them for tests and tools;
 * handlers and services import the adapter's own module.
 */
export { Mailer, type OutgoingEmail } from './mailer';
export { OperatorsNotifier } from './operators-notifier';
export { classifyProviderError, PermanentSendError, TransientSendError } from './provider-errors';
export { SmsSender } from './sms-sender';
export { StartQueue } from './start-queue';
export { TaskTokens } from './task-tokens';
