import { SNSClient } from '@aws-sdk/client-sns';

/** The SNS client of this Lambda container (see ../clients.ts). */
export const sns = new SNSClient({});
