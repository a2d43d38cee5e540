/**
 * Collaborators of the handlers, built from the module-level clients and the environment. Each handler calls the
 * factories it needs once, at module load, so a missing variable fails the cold start with its name.
 *
 * One module per factory under ./factories/, each importing only its own adapter and SDK client: handlers import
 * those modules, so a Lambda bundle carries only the clients it uses (issue #6: bundle size). This module gathers them
 * for tests and tools.
 */
export { now } from './clock';
export { companyIdentity, ruleId } from './factories/company';
export { dunningTable } from './factories/dunning-table';
export { mailer } from './factories/mailer';
export { operatorsNotifier } from './factories/operators-notifier';
export { ruleChooser } from './factories/rule-chooser';
export { smsSender } from './factories/sms-sender';
export { startQueue } from './factories/start-queue';
export { taskTokens } from './factories/task-tokens';
