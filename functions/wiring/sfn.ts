/** The Step Functions client of the execution starter (module level, one per Lambda container; platform/aws/sfn.ts). */
export { sfn } from '../platform/aws/sfn';
