import { StartQueue } from '../../adapters/start-queue';
import { sqs } from '../aws/sqs';
import { ENV, requireEnv } from '../environment';

export const startQueue = () => new StartQueue(sqs, requireEnv(ENV.START_QUEUE_URL));
