import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CUSTOMER_INDEX, TABLE_KEY } from '../../functions/contracts/table-layout';
import type { DynamoEngine } from './dynamo-engine';
import type { LocalAws } from './local-aws';

/**
 * The stack's resources created in the emulators, idempotently: the single DynamoDB table as production has it
 * (docs/architecture.md), the drop bucket, the start queue and the operators' topic.
 */

/** Names of the resources the stack would create. */
export interface ResourceNames {
  table: string;
  bucket: string;
  queue: string;
  topic: string;
}

/** What `provisionResources` created (or found). */
export interface ProvisionedResources {
  tableName: string;
  bucket: string;
  /** `<sqs endpoint>/000000000000/<queue>`: usable as is by an `SQSClient` configured from `LocalAws.env`. */
  queueUrl: string;
  topicArn: string;
}

/** How long to wait for the table (and its index) to become ACTIVE. */
const TABLE_ACTIVE_TIMEOUT_MS = 10_000;

/**
 * Creates the stack's resources in the emulators, idempotently (a second call, e.g. on persisted data, finds them):
 * the single DynamoDB table as production has it, the S3 bucket, the SQS queue and the SNS topic.
 * SES needs nothing: aws-ses-v2-local accepts any sender without a verified identity.
 */
export async function provisionResources(aws: LocalAws, names: ResourceNames): Promise<ProvisionedResources> {
  const region = aws.env.AWS_REGION;
  const config = {
    ...(region === undefined ? {} : { region }),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const dynamo = new DynamoDBClient({ ...config, endpoint: aws.endpoints.dynamodb });
  const s3 = new S3Client({ ...config, endpoint: aws.endpoints.s3, forcePathStyle: true });
  const sqs = new SQSClient({ ...config, endpoint: aws.endpoints.sqs });
  const sns = new SNSClient({ ...config, endpoint: aws.endpoints.sns });
  try {
    const [, , queueName, topicArn] = await Promise.all([
      aws.dynamoEngine ? createTableInProcess(aws.dynamoEngine, names.table) : createTable(dynamo, names.table),
      createBucket(s3, names.bucket),
      createQueue(sqs, names.queue),
      createTopic(sns, names.topic),
    ]);
    return {
      tableName: names.table,
      bucket: names.bucket,
      queueUrl: localQueueUrl(aws.endpoints.sqs, queueName),
      topicArn,
    };
  } finally {
    for (const client of [dynamo, s3, sqs, sns]) client.destroy();
  }
}

/**
 * fauxqs answers queue URLs like `http://sqs.us-east-1.localhost:<port>/000000000000/<name>`, and the SQS client
 * sends each request to its QueueUrl's host — which does not resolve everywhere. fauxqs finds a queue by the last
 * path segment when the host carries no region, so the endpoint's own origin works for every client.
 */
function localQueueUrl(sqsEndpoint: string, queueName: string): string {
  return `${sqsEndpoint}/000000000000/${queueName}`;
}

/** {@link createTable} on dynalite's in-process engine. */
async function createTableInProcess(engine: DynamoEngine, tableName: string): Promise<void> {
  try {
    await engine.call('CreateTable', { TableName: tableName, ...TABLE_SHAPE });
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

/** The single table's keys, index and billing, as production has them (functions/contracts/table-layout.ts). */
const TABLE_SHAPE = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: TABLE_KEY.partition, AttributeType: 'S' },
    { AttributeName: TABLE_KEY.sort, AttributeType: 'S' },
    { AttributeName: CUSTOMER_INDEX.partition, AttributeType: 'S' },
    { AttributeName: CUSTOMER_INDEX.sort, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEY.partition, KeyType: 'HASH' },
    { AttributeName: TABLE_KEY.sort, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: CUSTOMER_INDEX.name,
      KeySchema: [
        { AttributeName: CUSTOMER_INDEX.partition, KeyType: 'HASH' },
        { AttributeName: CUSTOMER_INDEX.sort, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
} as const;

/**
 * Creates (or finds) the single table as production has it: `pk`/`sk` strings, GSI `gsi1` (`gsi1pk`/`gsi1sk`,
 * projection ALL), on-demand; resolves once it is ACTIVE.
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        ...TABLE_SHAPE,
        AttributeDefinitions: [...TABLE_SHAPE.AttributeDefinitions],
        KeySchema: [...TABLE_SHAPE.KeySchema],
        GlobalSecondaryIndexes: TABLE_SHAPE.GlobalSecondaryIndexes.map((index) => ({
          ...index,
          KeySchema: [...index.KeySchema],
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // TTL on `expiresAt` (TTL_ATTRIBUTE) is skipped: dynalite 4 has no UpdateTimeToLive (only DescribeTimeToLive), and it would not
  // expire items anyway. Production enables it in the CDK table.
  await waitUntilActive(client, tableName);
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = performance.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (performance.now() > deadline) {
      throw new Error(`DynamoDB table ${tableName} is still ${Table?.TableStatus} after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function createBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
}

/** Creates (or finds: CreateQueue is idempotent) the queue and returns its name. */
async function createQueue(client: SQSClient, queue: string): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: queue }));
  if (QueueUrl === undefined) throw new Error(`SQS CreateQueue ${queue} returned no QueueUrl`);
  return queue;
}

/** Creates (or finds: CreateTopic is idempotent) the topic and returns its ARN. */
async function createTopic(client: SNSClient, topic: string): Promise<string> {
  const { TopicArn } = await client.send(new CreateTopicCommand({ Name: topic }));
  if (TopicArn === undefined) throw new Error(`SNS CreateTopic ${topic} returned no TopicArn`);
  return TopicArn;
}
