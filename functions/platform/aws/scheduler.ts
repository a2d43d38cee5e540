import { SchedulerClient } from '@aws-sdk/client-scheduler';

/**
 * The EventBridge Scheduler client of this Lambda container (see ../clients.ts): creates the one-time schedule that
 * ends a wait at its instant, deletes it when a change ends the wait first (functions/executions/wait-schedules.ts).
 * The SDK's standard retries (3 attempts) are safe: creating a schedule under its name twice answers
 * ConflictException, deleting one twice ResourceNotFoundException, and both are taken as done.
 */
export const scheduler = new SchedulerClient({});
