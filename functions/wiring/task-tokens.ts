import { TaskTokens } from '../executions/task-tokens';
import { sfn } from '../platform/aws/sfn';
import { waitScheduleCancels } from './wait-schedules';

export const taskTokens = () => new TaskTokens(sfn, waitScheduleCancels());
