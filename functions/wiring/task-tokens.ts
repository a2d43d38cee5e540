import { TaskTokens } from '../executions/task-tokens';
import { sfn } from '../platform/aws/sfn';

export const taskTokens = () => new TaskTokens(sfn);
