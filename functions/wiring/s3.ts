/** The S3 client of the drop bucket's handlers (module level, one per Lambda container; platform/aws/s3.ts). */
export { s3 } from '../platform/aws/s3';
