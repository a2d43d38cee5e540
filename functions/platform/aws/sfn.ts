import { SFNClient } from '@aws-sdk/client-sfn';

/** The Step Functions client of this Lambda container (see ../clients.ts). */
export const sfn = new SFNClient({});
