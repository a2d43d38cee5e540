import { StartQueue } from '../executions/start-queue';
import { sqs } from '../platform/aws/sqs';
import { ENV, requireEnv } from '../platform/environment';

export const startQueue = () => new StartQueue(sqs, requireEnv(ENV.START_QUEUE_URL));
