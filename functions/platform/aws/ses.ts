import { SESv2Client } from '@aws-sdk/client-sesv2';

/** The SES v2 client of this Lambda container (see ../clients.ts). */
export const ses = new SESv2Client({});
