import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients, created once per Lambda container (module level) and shared by the handlers of this bundle.
 * Endpoints come from the SDK's standard configuration, so the local runtime points them at emulators with
 * `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SESV2`, … without any code path of its own.
 * Tests replace them with aws-sdk-client-mock (`mockClient(SESv2Client)` mocks every instance).
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const ses = new SESv2Client({});
export const sns = new SNSClient({});
export const sfn = new SFNClient({});
export const sqs = new SQSClient({});
export const s3 = new S3Client({});
