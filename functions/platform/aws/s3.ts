import { S3Client } from '@aws-sdk/client-s3';

/** The S3 client of this Lambda container (see ../clients.ts). */
export const s3 = new S3Client({});
