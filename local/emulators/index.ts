/**
 * Local AWS for `npm start` and the e2e tests: DynamoDB (dynalite), SES v2 (aws-ses-v2-local), SQS + SNS topics +
 * S3 (fauxqs) and our SMS endpoint in front of SNS, all in-process on 127.0.0.1.
 *
 * ```ts
 * const aws = await startEmulators({ dataDir: '.dunning' });
 * Object.assign(process.env, aws.env);            // every `new XClient({})` now talks to the emulators
 * const { tableName, queueUrl, topicArn } = await provisionResources(aws, names);
 * …
 * await aws.stop();
 * ```
 */
export type { DynamoEmulator } from './dynamo';
export { startDynamo } from './dynamo';
export type { FauxqsEmulator, TopicMessage } from './fauxqs';
export { startFauxqsEmulator } from './fauxqs';
export type { EmulatorPorts, LocalAws, StartEmulatorsOptions } from './local-aws';
export { LOCAL_REGION, startEmulators } from './local-aws';
export type { ProvisionedResources, ResourceNames } from './provision';
export { provisionResources } from './provision';
export type { CapturedEmail, SesEmulator } from './ses';
export { startSes } from './ses';
export type { SmsEndpoint, SmsEndpointOptions } from './sms-endpoint';
export { startSmsEndpoint } from './sms-endpoint';
export type { SmsMessage } from './sms-store';
export { isE164 } from './sms-store';
