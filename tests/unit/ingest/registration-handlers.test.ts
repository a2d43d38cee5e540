import { Readable } from 'node:stream';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, S3Event, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as createInvoices } from '../../../functions/handlers/create-invoices';
import { handler as ingestFile } from '../../../functions/handlers/ingest-file';
import { handler as startExecutions } from '../../../functions/handlers/start-executions';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);

const goodInvoice = {
  invoiceId: 'INV-100',
  customerId: 'C-100',
  customerName: 'João Souza',
  email: 'joao@example.com',
  phone: '+5511987650100',
  timezone: 'America/Sao_Paulo',
  locale: 'pt-BR',
  amount: '250.00',
  currency: 'BRL',
  dueDate: '2026-12-15',
};

function post(body: unknown): APIGatewayProxyEvent {
  return {
    body: JSON.stringify(body),
    isBase64Encoded: false,
    httpMethod: 'POST',
    path: '/invoices',
  } as unknown as APIGatewayProxyEvent;
}

describe('registering invoices through the API', () => {
  beforeEach(() => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });
  afterEach(() => {
    ddb.reset();
    sqs.reset();
  });

  it('stores the invoice once (conditional put) and queues its workflow start', async () => {
    const response = await createInvoices(post(goodInvoice), lambdaContext);

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ registered: ['INV-100'], duplicates: [], failed: [], rejected: [] });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        ...keys.invoice('INV-100'),
        // under its customer in gsi1, where the send step finds the customer's other invoices
        ...keys.invoiceInCustomerIndex('C-100', 'INV-100'),
        status: 'OPEN',
        balanceMinor: 25000,
        ruleId: 'standard',
      }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: [{ Id: '0', MessageBody: '{"invoiceId":"INV-100"}' }],
    });
  });

  it('starts nothing new for a duplicate registration', async () => {
    ddb
      .on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: { invoiceId: 'INV-100', executionArn: 'arn:exec' } });

    const response = await createInvoices(post(goodInvoice), lambdaContext);

    expect(JSON.parse(response.body)).toMatchObject({ registered: [], duplicates: ['INV-100'] });
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it('answers 503 "submit again" when SQS fails after the invoice was stored, and queues it on the resubmission', async () => {
    // Prepare: SendMessageBatch fails outright (throttled after the SDK's retries)
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Successful: [], Failed: [] });

    // Act
    const first = await createInvoices(post(goodInvoice), lambdaContext);

    // Assess: not a 500 with the invoice stored and nothing said; the caller is told to submit it again
    expect(first.statusCode).toBe(503);
    // marked for the reconciler's daily look, which starts it if nobody submits it again
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'WALKS#attention', sk: 'INV-100', reason: 'start' }),
    });
    expect(JSON.parse(first.body)).toEqual({
      registered: [],
      duplicates: [],
      failed: [{ invoiceId: 'INV-100', error: expect.stringMatching(/could not be queued.*submit it again/) }],
      rejected: [],
    });

    // the resubmission finds it stored without a walk, and queues it
    ddb
      .on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: { ...keys.invoice('INV-100'), ...invoiceFixture({ invoiceId: 'INV-100' }) } });
    const again = await createInvoices(post(goodInvoice), lambdaContext);
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body)).toMatchObject({ duplicates: ['INV-100'], failed: [] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
  });

  it('registers the good invoices of a batch and lists the bad ones with their fields', async () => {
    const bad = { ...goodInvoice, invoiceId: 'INV-101', dueDate: '2026-02-30', currency: 'XYZ' };

    const response = await createInvoices(post([goodInvoice, bad]), lambdaContext);

    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    expect(body.registered).toEqual(['INV-100']);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ index: 1, invoiceId: 'INV-101' });
    const paths = body.rejected[0].details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['dueDate', 'currency']));
  });

  it('answers 400 with field details when nothing is valid, and 413 above 500 invoices', async () => {
    const invalid = await createInvoices(post({ ...goodInvoice, amount: '-5' }), lambdaContext);
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body).error).toMatchObject({
      code: 'ValidationError',
      details: [expect.objectContaining({ path: 'amount' })],
    });

    const huge = await createInvoices(post(Array.from({ length: 501 }, () => goodInvoice)), lambdaContext);
    expect(huge.statusCode).toBe(413);

    const notJson = await createInvoices(
      { body: '{oops', isBase64Encoded: false } as unknown as APIGatewayProxyEvent,
      lambdaContext,
    );
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe('BadRequest');
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('starting executions from the SQS buffer', () => {
  afterEach(() => {
    ddb.reset();
    sfn.reset();
  });

  const event = (...ids: string[]): SQSEvent =>
    ({
      Records: ids.map((id, i) => ({ messageId: `m${i}`, body: JSON.stringify({ invoiceId: id }) })),
    }) as unknown as SQSEvent;

  it('names the execution after the invoice, passes the rule chosen at registration, and records its ARN', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:dunning:INV-1' });
    ddb
      .on(GetCommand, { Key: keys.invoice('INV-1') })
      .resolves({ Item: { ...keys.invoice('INV-1'), ...invoiceFixture({ ruleId: 'gentle' }) } });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    const result = await startExecutions(event('INV-1'), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:dunning',
      name: 'INV-1',
      input: '{"invoiceId":"INV-1","ruleId":"gentle"}',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ExpressionAttributeValues: expect.objectContaining({
        ':arn': 'arn:aws:states:us-east-1:123456789012:execution:dunning:INV-1',
      }),
    });
  });

  it('treats an existing execution as started and reports only throttled starts for retry', async () => {
    sfn
      .on(StartExecutionCommand, { name: 'INV-1' })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .on(StartExecutionCommand, { name: 'INV-2' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const result = await startExecutions(event('INV-1', 'INV-2'), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    // the throttled one is marked for the reconciler: if SQS dead-letters its message, the daily look still starts it
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'WALKS#attention', sk: 'INV-2', reason: 'start' }),
    });
    expect(ddb).not.toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'WALKS#attention', sk: 'INV-1' }),
    });
  });
});

describe('ingesting a dropped CSV file', () => {
  afterEach(() => {
    ddb.reset();
    sqs.reset();
    s3.reset();
  });

  it('registers the good rows, reports the bad ones with line and field, and moves the file', async () => {
    const csv = [
      'invoiceId,customerId,customerName,email,amount,currency,dueDate',
      'INV-1,C-1,Ana,ana@example.com,10.00,BRL,2026-12-10',
      'INV-2,C-2,Bia,bia@example.com,10.00,BRL,2026-02-30',
      'INV-3,C-3,Caio,caio@example.com,99.90,BRL,2026-12-12',
    ].join('\n');
    // The adapter only iterates the body, as it does with the SDK's stream.
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as never });
    s3.on(PutObjectCommand).resolves({});
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const event = {
      Records: [{ s3: { bucket: { name: 'drop' }, object: { key: 'incoming/march+batch.csv' } } }],
    } as unknown as S3Event;

    await ingestFile(event, lambdaContext);

    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: [
        { Id: '0', MessageBody: '{"invoiceId":"INV-1"}' },
        { Id: '1', MessageBody: '{"invoiceId":"INV-3"}' },
      ],
    });
    const report = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body));
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'drop',
      Key: 'rejected/march batch.csv.errors.json',
    });
    expect(report.totals).toEqual({ rows: 3, registered: 2, duplicates: 0, rejected: 1, failed: 0 });
    expect(report.rejected).toEqual([
      { line: 3, invoiceId: 'INV-2', issues: [expect.objectContaining({ path: 'dueDate' })] },
    ]);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Bucket: 'drop',
      Key: 'processed/march batch.csv',
      CopySource: 'drop/incoming/march%20batch.csv',
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'drop', Key: 'incoming/march batch.csv' });
  });
});
