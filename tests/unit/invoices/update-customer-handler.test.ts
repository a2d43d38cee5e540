import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/update-customer';
import { validateCustomerRecord } from '../../../functions/invoices/input/customer-record';
import { keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);

function request(customerId: string, body: unknown): APIGatewayProxyEvent {
  return {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: { id: customerId },
    httpMethod: 'PUT',
    path: `/customers/${customerId}`,
    resource: '/customers/{id}',
  } as unknown as APIGatewayProxyEvent;
}

const details = {
  customerName: 'Maria Silva',
  email: 'maria.nova@example.com',
  phone: '+5521987650002',
  timezone: 'America/Manaus',
  locale: 'pt-BR',
  country: 'BR',
  region: 'AM',
};

describe("PUT /customers/{id}: a customer's new contact details", () => {
  afterEach(() => ddb.reset());

  it('replaces the stored set of a known customer (a field left out is removed) and answers it', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const response = await handler(request('C-1', { ...details, email: '  maria.nova@example.com ' }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      customer: {
        customerId: 'C-1',
        name: 'Maria Silva',
        email: 'maria.nova@example.com',
        phone: '+5521987650002',
        timezone: 'America/Manaus',
        locale: 'pt-BR',
        country: 'BR',
        region: 'AM',
      },
    });
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual(keys.customer('C-1'));
    expect(update?.ConditionExpression).toBe('attribute_exists(pk)');
    expect(update?.UpdateExpression).toMatch(/ REMOVE #segment, #riskScore$/);
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':email': 'maria.nova@example.com', ':region': 'AM' });
    expect(update?.UpdateExpression).not.toMatch(/optOuts|recentContacts|statementSecret/);
  });

  it('answers 404 for an unknown customer, creating nothing', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    const response = await handler(request('C-404', details), lambdaContext);

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('CustomerNotFound');
  });

  it('answers 400 naming every bad field, and writes nothing', async () => {
    const response = await handler(
      request('C-1', {
        customerId: 'C-2',
        customerName: '',
        emial: 'maria@example.com',
        phone: '11 98765-0002',
        timezone: 'Brazil/Nowhere',
      }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body);
    expect(body.error.code).toBe('ValidationError');
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'customerId',
      'customerName',
      'phone',
      'timezone',
      'emial',
    ]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers any JSON body with 200 or a 400 naming a field, never a 5xx (property)', async () => {
    ddb.on(UpdateCommand).resolves({});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.record({ customerName: fc.string(), email: fc.string() })),
        async (body) => {
          const response = await handler(request('C-1', JSON.stringify(body)), lambdaContext);
          expect([200, 400]).toContain(response.statusCode);
          if (response.statusCode === 400) expect(JSON.parse(response.body).error.details.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers 400 for a body that is not an object or not JSON', async () => {
    for (const body of ['[1]', '"text"', '{"customerName":']) {
      const response = await handler(request('C-1', body), lambdaContext);
      expect(response.statusCode, body).toBe(400);
    }
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});

describe('validating a customer record', () => {
  it('accepts what it accepts in an invoice record, and keeps the path id whatever the body says is allowed', () => {
    expect(validateCustomerRecord({ customerName: 'Ana' }, 'C-9')).toEqual({
      ok: true,
      value: { customerId: 'C-9', name: 'Ana' },
    });
    expect(validateCustomerRecord({ customerId: 'C-9', customerName: 'Ana', riskScore: 700 }, 'C-9')).toEqual({
      ok: true,
      value: { customerId: 'C-9', name: 'Ana', riskScore: 700 },
    });
  });

  it('never throws, and either accepts a customer with the path id or names at least one field (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const result = validateCustomerRecord(body, 'C-1');
        if (result.ok) expect(result.value.customerId).toBe('C-1');
        else expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
