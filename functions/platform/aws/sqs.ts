import { SQSClient } from '@aws-sdk/client-sqs';

/** The SQS client of this Lambda container (see ../clients.ts). */
export const sqs = new SQSClient({});
