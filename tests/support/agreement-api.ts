import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach } from 'vitest';
import type { Invoice } from '../../functions/invoices/invoice';
import { installClock } from '../../functions/platform/clock';
import { keys } from './fixtures';

/** `POST /invoices/{id}/agreements` by an operator (ana). */
export function agreementRequest(invoiceId: string, body: unknown): APIGatewayProxyEvent {
  return {
    resource: '/invoices/{id}/agreements',
    httpMethod: 'POST',
    path: `/invoices/${invoiceId}/agreements`,
    pathParameters: { id: invoiceId },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/ana' } },
  } as unknown as APIGatewayProxyEvent;
}

/**
 * The agreement handler's AWS SDK, mocked for the calling test file: DynamoDB, Step Functions and SQS; `given` stores
 * an invoice (and others by id) and accepts every write, task success and queued message; `clockAt` fixes the clock
 * for one test. The mocks and the clock are reset after each test.
 */
export function useAgreementApi() {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const sqs = mockClient(SQSClient);
  let restore: () => void = () => {};

  afterEach(() => {
    ddb.reset();
    sfn.reset();
    sqs.reset();
    restore();
    restore = () => {};
  });

  function given(invoice: Invoice, others: Record<string, Partial<Invoice>> = {}) {
    ddb.on(GetCommand).resolves({});
    ddb
      .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
      .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
    for (const [id, other] of Object.entries(others)) {
      ddb
        .on(GetCommand, { Key: keys.invoice(id) })
        .resolves({ Item: { ...keys.invoice(id), invoiceId: id, ...other } });
    }
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...invoice,
        status: input.ExpressionAttributeValues[':status'],
        instalments: input.ExpressionAttributeValues[':instalments'],
        version: input.ExpressionAttributeValues[':next'],
      },
    }));
    sfn.on(SendTaskSuccessCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  }

  function clockAt(instant: string): void {
    restore = installClock({ now: () => new Date(instant) });
  }

  return { ddb, sfn, sqs, given, clockAt };
}
