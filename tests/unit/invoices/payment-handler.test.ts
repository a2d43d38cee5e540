import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/record-payment';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

function request(invoiceId: string, body?: unknown): APIGatewayProxyEvent {
  return {
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: { id: invoiceId },
    httpMethod: 'POST',
    path: `/invoices/${invoiceId}/payments`,
  } as unknown as APIGatewayProxyEvent;
}

function givenOpenInvoice(overrides = {}) {
  const invoice = invoiceFixture({ taskToken: 'token-D0', ...overrides });
  ddb.on(GetCommand, { Key: keys.invoice('INV-1') }).resolves({ Item: { ...keys.invoice('INV-1'), ...invoice } });
  return invoice;
}

describe('recording a payment', () => {
  afterEach(() => {
    ddb.reset();
    sfn.reset();
  });

  it('marks the invoice paid and resumes the waiting stage at once', async () => {
    givenOpenInvoice();
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...invoiceFixture(),
        status: input.ExpressionAttributeValues[':status'],
        balanceMinor: 0,
        version: 2,
      },
    }));
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    const response = await handler(request('INV-1'), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ event: 'paid', status: 'PAID', resumedWorkflow: true });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'PAID', ':balance': 0, ':version': 1 }),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-D0',
      output: '{"event":"paid"}',
    });
  });

  it('lowers the balance on a partial payment without stopping the walk', async () => {
    givenOpenInvoice();
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...invoiceFixture(),
        status: input.ExpressionAttributeValues[':status'],
        balanceMinor: input.ExpressionAttributeValues[':balance'],
      },
    }));
    ddb.on(PutCommand).resolves({});

    const response = await handler(request('INV-1', { amount: '234.50' }), lambdaContext);

    expect(JSON.parse(response.body)).toMatchObject({
      event: 'partially-paid',
      status: 'OPEN',
      balance: { minor: 100000, currency: 'BRL', decimal: '1000.00' },
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('retries on a concurrent change (optimistic lock) and still succeeds', async () => {
    givenOpenInvoice();
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }))
      .resolves({ Attributes: { ...invoiceFixture(), status: 'PAID', balanceMinor: 0 } });
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    const response = await handler(request('INV-1'), lambdaContext);

    expect(response.statusCode).toBe(200);
    // the conflicting write, the write that holds, and the told token taken off
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 3);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 3, { ConditionExpression: 'taskToken = :token' });
  });

  it('succeeds when the wait already timed out (the next step re-reads the invoice)', async () => {
    givenOpenInvoice();
    ddb.on(UpdateCommand).resolves({ Attributes: { ...invoiceFixture(), status: 'PAID', balanceMinor: 0 } });
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    const response = await handler(request('INV-1'), lambdaContext);

    expect(JSON.parse(response.body)).toMatchObject({ event: 'paid', resumedWorkflow: false });
  });

  it('answers 404 for an unknown invoice and 409 for a paid one, in the JSON error format', async () => {
    ddb.on(GetCommand).resolves({});
    const missing = await handler(request('NOPE'), lambdaContext);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({
      error: { code: 'InvoiceNotFound', message: 'Invoice NOPE not found', details: [] },
    });

    ddb.reset();
    givenOpenInvoice({ status: 'PAID', balanceMinor: 0 });
    const paid = await handler(request('INV-1'), lambdaContext);
    expect(paid.statusCode).toBe(409);
    expect(JSON.parse(paid.body).error.code).toBe('InvoiceNotOpen');
  });

  it('rejects a malformed amount naming the field', async () => {
    givenOpenInvoice();
    const response = await handler(request('INV-1', { amount: '12,50' }), lambdaContext);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([
      { path: 'amount', issue: expect.stringContaining('12,50') },
    ]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});

describe('paying more than the balance, or the same payment twice', () => {
  afterEach(() => {
    ddb.reset();
    sfn.reset();
  });

  it('leaves the balance at 0, keeps the excess as credit and says so', async () => {
    givenOpenInvoice({ balanceMinor: 10000 });
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...invoiceFixture(),
        status: input.ExpressionAttributeValues[':status'],
        balanceMinor: input.ExpressionAttributeValues[':balance'],
        creditMinor: input.ExpressionAttributeValues[':credit'],
      },
    }));
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    const response = await handler(request('INV-1', { amount: '150.00', reference: 'PIX-77' }), lambdaContext);

    expect(JSON.parse(response.body)).toMatchObject({
      event: 'paid',
      status: 'PAID',
      balance: { minor: 0, decimal: '0.00' },
      excess: { minor: 5000, currency: 'BRL', decimal: '50.00' },
      credit: { minor: 5000, currency: 'BRL', decimal: '50.00' },
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':balance': 0, ':credit': 5000, ':refs': ['PIX-77'] }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'paid',
        detail: { amountMinor: 15000, balanceMinor: 0, excessMinor: 5000, creditMinor: 5000, reference: 'PIX-77' },
      }),
    });
  });

  it('answers a payment whose reference was applied already as a duplicate, changing nothing', async () => {
    givenOpenInvoice({ paymentRefs: ['PIX-77'] });

    const response = await handler(request('INV-1', { amount: '10.00', reference: 'PIX-77' }), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ event: 'duplicate', status: 'OPEN', resumedWorkflow: false });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});
