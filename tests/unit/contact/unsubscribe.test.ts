import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUnsubscribeToken, unsubscribeLinkToken } from '../../../functions/contact/unsubscribe-token';
import { handler } from '../../../functions/handlers/unsubscribe';
import { customerFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const SECRET = 'k3V9tYqL2wPz8sRfX1cN0bHa';

function request(method: 'GET' | 'POST', token: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    body: method === 'POST' ? 'List-Unsubscribe=One-Click' : null,
    isBase64Encoded: false,
    headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    pathParameters: { token: encodeURIComponent(token) },
    path: `/unsubscribe/${token}`,
  } as unknown as APIGatewayProxyEvent;
}

function givenCustomer(overrides = {}) {
  const customer = customerFixture({ unsubscribeToken: SECRET, locale: 'pt-BR', ...overrides });
  ddb.on(GetCommand, { Key: keys.customer('C-1') }).resolves({ Item: { ...keys.customer('C-1'), ...customer } });
  ddb.on(UpdateCommand).resolves({ Attributes: { ...customer, optOuts: ['email'] } });
}

describe('the unsubscribe link token', () => {
  it('carries the customer id and the secret, and reads back whatever the id (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }), (customerId) => {
        expect(parseUnsubscribeToken(unsubscribeLinkToken(customerId, SECRET))).toEqual({ customerId, secret: SECRET });
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses anything not shaped like one', () => {
    for (const bad of ['', 'abc', 'QzEx', 'QzEx.short', 'QzEx.has space in it!!', `${'a'.repeat(401)}.${SECRET}`]) {
      expect(parseUnsubscribeToken(bad), bad).toBeUndefined();
    }
  });
});

describe('the one-click unsubscribe link (RFC 8058)', () => {
  afterEach(() => ddb.reset());
  const link = unsubscribeLinkToken('C-1', SECRET);

  it('shows a confirmation page on GET, in the debtor language, and opts out of nothing', async () => {
    // Prepare
    givenCustomer();

    // Act
    const response = await handler(request('GET', link), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<form method="post">');
    expect(response.body).toContain('Exemplo Cobranças Ltda');
    expect(response.body).toContain('Não quero mais receber estes e-mails');
    expect(response.body).not.toContain('maria@example.com');
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('records the opt-out of email on POST (the one-click body), idempotently', async () => {
    // Prepare
    givenCustomer();

    // Act
    const response = await handler(request('POST', link), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Você não receberá mais e-mails');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.customer('C-1'),
      ExpressionAttributeValues: expect.objectContaining({ ':channel': ['email'] }),
    });
  });

  it('answers the same "not valid" page for a wrong secret, an unknown customer or a malformed token', async () => {
    // Prepare
    givenCustomer();
    ddb.on(GetCommand, { Key: keys.customer('C-404') }).resolves({});
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const tokens = [
      unsubscribeLinkToken('C-1', `${SECRET.slice(0, -1)}x`),
      unsubscribeLinkToken('C-404', SECRET),
      'not-a-token',
      '%E0%A4%A',
    ];

    // Act
    const answers = await Promise.all(tokens.map((t) => handler(request('POST', t), lambdaContext)));

    // Assess
    for (const answer of answers) {
      expect(answer.statusCode).toBe(404);
      expect(answer.body).toContain('This unsubscribe link is not valid.');
    }
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});
