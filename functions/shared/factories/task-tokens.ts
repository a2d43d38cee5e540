import { TaskTokens } from '../../adapters/task-tokens';
import { sfn } from '../aws/sfn';

export const taskTokens = () => new TaskTokens(sfn);
