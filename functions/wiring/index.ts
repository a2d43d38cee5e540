/**
 * Collaborators of the handlers, built from the module-level clients and the environment. Each handler calls the
 * factories it needs once, at module load, so a missing variable fails the cold start with its name.
 *
 * One module per factory in this folder, each importing only its own adapter and SDK client: handlers import
 * those modules, so a Lambda bundle carries only the clients it uses (issue #6: bundle size). This module gathers them
 * for tests and tools.
 */
export { now } from '../platform/clock';
export { companyIdentity, ruleId } from './company';
export { mailer } from './mailer';
export { operatorsNotifier } from './operators-notifier';
export { ruleChooser } from './rule-chooser';
export { smsSender } from './sms-sender';
export { startQueue } from './start-queue';
export { stores } from './stores';
export { taskTokens } from './task-tokens';
