import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  NotFoundException,
  PutSuppressedDestinationCommand,
  SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailer } from '../../functions/wiring/providers';
import {
  type EmulatorPorts,
  type LocalAws,
  type ProvisionedResources,
  provisionResources,
  startEmulators,
} from '../../local/emulators';

const names = { table: 'dunning-e2e', bucket: 'dunning-e2e-drops', queue: 'dunning-e2e-start', topic: 'dunning-ops' };

/** Sets `env` on process.env and returns a function restoring what was there. */
function applyEnv(env: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('local AWS emulators, in memory, reached by SDK clients configured only through LocalAws.env', () => {
  let aws: LocalAws;
  let resources: ProvisionedResources;
  let restoreEnv: () => void;

  beforeAll(async () => {
    aws = await startEmulators();
    resources = await provisionResources(aws, names);
    restoreEnv = applyEnv(aws.env);
  });

  afterAll(async () => {
    restoreEnv();
    await aws.stop();
  });

  it('points every endpoint at a 127.0.0.1 port, SNS and SMS at the same front endpoint', () => {
    // Assess
    for (const url of Object.values(aws.endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(aws.endpoints.sns).toBe(aws.endpoints.sms);
    expect(aws.endpoints.s3).toBe(aws.endpoints.sqs);
    expect(aws.env).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SESV2: aws.endpoints.ses,
      AWS_ENDPOINT_URL_SNS: aws.endpoints.sns,
      AWS_REGION: 'us-east-1',
    });
  });

  it('creates the table as production has it: pk/sk strings, GSI gsi1 (gsi1pk/gsi1sk, ALL), on-demand', async () => {
    // Act
    const { Table } = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: resources.tableName }));

    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
  });

  it('provisions idempotently: a second call finds the same resources', async () => {
    // Act
    const again = await provisionResources(aws, names);

    // Assess
    expect(again).toEqual(resources);
    expect(resources.topicArn).toBe('arn:aws:sns:us-east-1:000000000000:dunning-ops');
    expect(resources.queueUrl).toBe(`${aws.endpoints.sqs}/000000000000/dunning-e2e-start`);
  });

  it('stores, reads and queries DynamoDB items through the GSI with the document client', async () => {
    // Prepare
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const item = {
      pk: 'INVOICE#INV-1',
      sk: 'INVOICE',
      gsi1pk: 'CUSTOMER#C-1',
      gsi1sk: 'DUE#2026-12-01',
      balance: 12345,
    };

    // Act
    await dynamo.send(new PutCommand({ TableName: resources.tableName, Item: item }));
    const got = await dynamo.send(
      new GetCommand({ TableName: resources.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    const byCustomer = await dynamo.send(
      new QueryCommand({
        TableName: resources.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :customer AND begins_with(gsi1sk, :due)',
        ExpressionAttributeValues: { ':customer': 'CUSTOMER#C-1', ':due': 'DUE#2026-12' },
      }),
    );

    // Assess
    expect(got.Item).toEqual(item);
    expect(byCustomer.Items).toEqual([item]);
  });

  it('captures an SES v2 simple email (HTML, text and custom headers) in the mailbox', async () => {
    // Prepare
    await aws.clearMailbox();

    // Act
    const sent = await new SESv2Client({}).send(
      new SendEmailCommand({
        FromEmailAddress: 'cobranca@example.com',
        Destination: { ToAddresses: ['debtor@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Lembrete: fatura INV-1' },
            Body: { Html: { Data: '<p>Olá</p>' }, Text: { Data: 'Olá' } },
            Headers: [{ Name: 'List-Unsubscribe', Value: '<https://example.com/unsubscribe/C-1>' }],
          },
        },
      }),
    );
    const mailbox = await aws.mailbox();

    // Assess
    expect(sent.MessageId).toBeTruthy();
    expect(mailbox).toHaveLength(1);
    expect(mailbox[0]).toMatchObject({
      messageId: sent.MessageId,
      from: 'cobranca@example.com',
      to: ['debtor@example.com'],
      subject: 'Lembrete: fatura INV-1',
      html: '<p>Olá</p>',
      text: 'Olá',
      headers: [{ name: 'List-Unsubscribe', value: '<https://example.com/unsubscribe/C-1>' }],
    });
    expect(Number.isNaN(Date.parse(mailbox[0]?.at ?? ''))).toBe(false);
  });

  it('keeps an SES suppression list the v2 client reads (Get/Put/DeleteSuppressedDestination), and the Mailer checks it', async () => {
    // Prepare
    const ses = new SESv2Client({});
    const mailer = new Mailer(ses, 'cobranca@example.com');
    aws.suppressEmail('bounced@example.com');

    // Act
    const found = await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'Bounced@Example.com' }));
    const missing = await ses
      .send(new GetSuppressedDestinationCommand({ EmailAddress: 'fine@example.com' }))
      .catch((error: unknown) => error);
    await ses.send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'complained@example.com', Reason: 'COMPLAINT' }),
    );
    const afterPut = await mailer.isSuppressed('complained@example.com');
    await ses.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'complained@example.com' }));
    const afterDelete = await mailer.isSuppressed('complained@example.com');

    // Assess
    expect(found.SuppressedDestination).toMatchObject({ EmailAddress: 'Bounced@Example.com', Reason: 'BOUNCE' });
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(afterPut).toBe(true);
    expect(afterDelete).toBe(false);
    expect(await mailer.isSuppressed('bounced@example.com')).toBe(true);
  });

  it('empties the mailbox on clearMailbox', async () => {
    // Act
    await aws.clearMailbox();

    // Assess
    expect(await aws.mailbox()).toEqual([]);
  });

  it('puts, gets, copies and deletes S3 objects (path-style, from the env endpoint alone)', async () => {
    // Prepare
    const s3 = new S3Client({});
    const Bucket = resources.bucket;

    // Act
    await s3.send(new PutObjectCommand({ Bucket, Key: 'incoming/invoices.csv', Body: 'invoiceId\nINV-1\n' }));
    await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'processed/invoices.csv', CopySource: `${Bucket}/incoming/invoices.csv` }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'incoming/invoices.csv' }));
    const copied = await s3.send(new GetObjectCommand({ Bucket, Key: 'processed/invoices.csv' }));
    const deleted = s3.send(new GetObjectCommand({ Bucket, Key: 'incoming/invoices.csv' }));

    // Assess
    expect(await copied.Body?.transformToString()).toBe('invoiceId\nINV-1\n');
    await expect(deleted).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('sends and receives SQS messages on the provisioned queue URL', async () => {
    // Prepare
    const sqs = new SQSClient({});

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: '{"invoiceId":"INV-1"}' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of received.Messages ?? []) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: resources.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }

    // Assess
    expect(received.Messages?.map((message) => message.Body)).toEqual(['{"invoiceId":"INV-1"}']);
  });

  it('records a message published to an SNS topic', async () => {
    // Act
    const published = await new SNSClient({}).send(
      new PublishCommand({
        TopicArn: resources.topicArn,
        Message: 'INV-1 escalated',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'escalation' } },
      }),
    );

    // Assess
    expect(aws.topicMessages(resources.topicArn)).toEqual([
      expect.objectContaining({
        topicArn: resources.topicArn,
        messageId: published.MessageId,
        message: 'INV-1 escalated',
        attributes: { kind: 'escalation' },
      }),
    ]);
  });
});

describe('local AWS emulators with a data directory', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'dunning-emulators-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps DynamoDB items, S3 objects and queued SQS messages across a restart', async () => {
    // Prepare
    const first = await startEmulators({ dataDir });
    const resources = await provisionResources(first, names);
    const item = { pk: 'INVOICE#INV-9', sk: 'INVOICE', status: 'OPEN' };
    const clients = (aws: LocalAws) => {
      const config = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
      return {
        dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, endpoint: aws.endpoints.dynamodb })),
        s3: new S3Client({ ...config, endpoint: aws.endpoints.s3 }),
        sqs: new SQSClient({ ...config, endpoint: aws.endpoints.sqs }),
      };
    };
    const before = clients(first);
    await before.dynamo.send(new PutCommand({ TableName: resources.tableName, Item: item }));
    await before.s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: 'incoming/a.json', Body: '[]' }));
    await before.sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: 'start INV-9' }));
    await first.stop();

    // Act
    const second = await startEmulators({ dataDir });
    try {
      const again = await provisionResources(second, names);
      const after = clients(second);
      const got = await after.dynamo.send(
        new GetCommand({ TableName: again.tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
      const object = await after.s3.send(new GetObjectCommand({ Bucket: again.bucket, Key: 'incoming/a.json' }));
      const received = await after.sqs.send(new ReceiveMessageCommand({ QueueUrl: again.queueUrl }));

      // Assess
      expect(got.Item).toEqual(item);
      expect(await object.Body?.transformToString()).toBe('[]');
      expect(received.Messages?.map((message) => message.Body)).toEqual(['start INV-9']);
    } finally {
      await second.stop();
    }
  });
});

describe('stopping the local AWS', () => {
  it('frees every port, so a second start on the same ports works, and is idempotent', async () => {
    // Prepare
    const first = await startEmulators();
    const ports: EmulatorPorts = {
      dynamodb: portOf(first.endpoints.dynamodb),
      ses: portOf(first.endpoints.ses),
      fauxqs: portOf(first.endpoints.sqs),
      sns: portOf(first.endpoints.sns),
    };

    // Act
    await first.stop();
    await first.stop();
    const second = await startEmulators({ ports });
    await second.stop();

    // Assess
    expect(second.endpoints.dynamodb).toBe(first.endpoints.dynamodb);
    expect(second.endpoints.ses).toBe(first.endpoints.ses);
    expect(second.endpoints.sqs).toBe(first.endpoints.sqs);
    expect(second.endpoints.sns).toBe(first.endpoints.sns);
    await expect(fetch(`${first.endpoints.dynamodb}/`)).rejects.toThrow();
  });

  it('reports a port already in use, naming the emulator', async () => {
    // Prepare
    const running = await startEmulators();

    // Act
    const clash = startEmulators({ ports: { dynamodb: portOf(running.endpoints.dynamodb) } });

    // Assess
    await expect(clash).rejects.toThrow(/DynamoDB \(dynalite\) emulator could not listen/);
    await running.stop();
  });
});
