/**
 * AWS clients, created once per Lambda container (module level) and shared by the handlers of this bundle.
 * Endpoints come from the SDK's standard configuration, so the local runtime points them at emulators with
 * `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SESV2`, … without any code path of its own.
 * Tests replace them with aws-sdk-client-mock (`mockClient(SESv2Client)` mocks every instance).
 *
 * Each client lives in its own module under ./aws/ and handlers import only the ones they use (through the factories
 * of functions/wiring/), so a Lambda bundle carries only its own SDK clients (issue #6: bundle size). This module gathers them
 * for the tests, the local runtime and the bench, which reach the very instances the handlers use (ES modules are
 * evaluated once): handlers must not import it.
 *
 * SES and SNS have two clients each: `ses` / `sns` for reads, with the SDK's standard retries, and `sesSend` /
 * `snsSend` for SendEmail and Publish, with no automatic retry (`maxAttempts: 1`): a send has no idempotency key, so
 * an SDK retry after a reset connection may deliver a second copy (docs/architecture.md "Send claims"). Middleware
 * meant for every SES or SNS call goes on both.
 */
export { dynamo } from './aws/dynamo';
export { s3 } from './aws/s3';
export { scheduler } from './aws/scheduler';
export { ses, sesSend } from './aws/ses';
export { sfn } from './aws/sfn';
export { sns, snsSend } from './aws/sns';
export { sqs } from './aws/sqs';
