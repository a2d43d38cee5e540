import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/record-opt-out';
import { customerFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);

function request(customerId: string, body: unknown): APIGatewayProxyEvent {
  return {
    body: JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: { id: customerId },
    httpMethod: 'POST',
    path: `/customers/${customerId}/opt-outs`,
  } as unknown as APIGatewayProxyEvent;
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

describe('a debtor opting out of a channel', () => {
  afterEach(() => ddb.reset());

  it('appends the channel to the customer, only if the customer exists and has not opted out of it yet', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { ...customerFixture(), optOuts: ['sms'] } });

    // Act
    const response = await handler(request('C-1', { channel: 'sms', source: 'support call' }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ customerId: 'C-1', optOuts: ['sms'] });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.customer('C-1'),
      UpdateExpression: 'SET optOuts = list_append(if_not_exists(optOuts, :none), :channel), updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(optOuts) OR NOT contains(optOuts, :name))',
      ExpressionAttributeValues: expect.objectContaining({ ':channel': ['sms'], ':name': 'sms' }),
    });
  });

  it('is idempotent: a second opt-out of the same channel answers the opt-outs as they are', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: keys.customer('C-1') }).resolves({
      Item: { ...keys.customer('C-1'), ...customerFixture(), optOuts: ['email', 'sms'] },
    });

    // Act
    const response = await handler(request('C-1', { channel: 'sms' }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ customerId: 'C-1', optOuts: ['email', 'sms'] });
  });

  it('answers 404 for an unknown customer and 400 naming the field for a bad channel', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    // Act
    const unknown = await handler(request('C-404', { channel: 'email' }), lambdaContext);
    const bad = await handler(request('C-1', { channel: 'fax' }), lambdaContext);
    const extra = await handler(request('C-1', { channel: 'email', when: 'now' }), lambdaContext);

    // Assess
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('CustomerNotFound');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.details).toEqual([{ path: 'channel', issue: 'must be one of email, sms' }]);
    expect(extra.statusCode).toBe(400);
    expect(JSON.parse(extra.body).error.details[0]).toMatchObject({
      path: '(root)',
      issue: expect.stringContaining('when'),
    });
  });
});
