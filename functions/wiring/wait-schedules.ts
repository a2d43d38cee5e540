import { WaitSchedules } from '../executions/wait-schedules';
import { scheduler } from '../platform/aws/scheduler';
import { ENV, optionalEnv, requireEnv } from '../platform/environment';

/** The wait step's schedules: it creates them (the group and the role Scheduler assumes are required). */
export const waitSchedules = () =>
  new WaitSchedules(scheduler, {
    groupName: requireEnv(ENV.WAIT_SCHEDULE_GROUP),
    roleArn: requireEnv(ENV.WAIT_SCHEDULE_ROLE_ARN),
  });

/**
 * The schedules a function that resumes parked tokens deletes (payments, operators' changes, the reconciler): none when
 * its construct bound no schedule group.
 */
export const waitScheduleCancels = () => {
  const groupName = optionalEnv(ENV.WAIT_SCHEDULE_GROUP);
  return groupName ? new WaitSchedules(scheduler, { groupName }) : undefined;
};
