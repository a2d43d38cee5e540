import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The handler (file name under functions/handlers/) the local system is running in the current async context, so an
 * observer of the AWS clients (a test's SDK middleware) can tell which Lambda function made each call: in-process,
 * every handler shares the same module-level clients (functions/platform/clients.ts), unlike on Lambda.
 */
export const currentHandler = new AsyncLocalStorage<string>();
