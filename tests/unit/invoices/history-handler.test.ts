import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/get-history';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);

const request = (invoiceId: string) =>
  ({ pathParameters: { id: invoiceId }, httpMethod: 'GET', body: null }) as unknown as APIGatewayProxyEvent;

afterEach(() => ddb.reset());

const contact = (at: string, fields: Record<string, unknown>) => ({
  ...keys.contact({
    at,
    invoiceId: 'INV-1',
    stageId: String(fields.stageId),
    channel: String(fields.channel),
    outcome: String(fields.outcome),
  }),
  itemType: 'contact',
  at,
  invoiceId: 'INV-1',
  customerId: 'C-1',
  ...fields,
});
const event = (at: string, type: string, detail?: Record<string, unknown>, seq?: number) => ({
  ...keys.event({ at, invoiceId: 'INV-1', type, seq }),
  itemType: 'event',
  at,
  invoiceId: 'INV-1',
  type,
  ...(detail ? { detail } : {}),
  ...(seq === undefined ? {} : { seq }),
});

describe("an invoice's audit trail", () => {
  it('lists every contact attempt and lifecycle event in time order, causes before what they let out', async () => {
    // Prepare: the table returns items in key order (contacts before events), as DynamoDB does
    ddb.on(GetCommand).resolves({ Item: { ...keys.invoice('INV-1'), ...invoiceFixture({ status: 'PAID' }) } });
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...keys.invoice('INV-1'), itemType: 'invoice' },
        contact('2026-12-07T12:00:00.000Z', {
          stageId: 'D-3',
          channel: 'email',
          outcome: 'sent',
          template: 'reminder',
          messageId: 'ses-1',
        }),
        contact('2026-12-18T15:00:00.000Z', {
          stageId: 'D0',
          channel: '*',
          outcome: 'superseded',
          reason: 'superseded',
        }),
        contact('2026-12-18T15:00:01.000Z', {
          stageId: 'D+3',
          channel: '*',
          outcome: 'deferred',
          reason: 'outside-business-hours',
          until: '2026-12-19T11:00:00.000Z',
        }),
        event('2026-12-01T12:00:00.000Z', 'registered'),
        event('2026-12-08T15:00:00.000Z', 'paused', { reason: 'customer called', by: 'arn:aws:iam::1:user/ana' }, 5),
        event('2026-12-18T15:00:00.000Z', 'resumed', { reason: 'no news' }, 8),
        event('2026-12-20T15:00:00.000Z', 'paid', { amountMinor: 130000, balanceMinor: 0, excessMinor: 6550 }, 12),
      ],
    });

    // Act
    const response = await handler(request('INV-1'), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      invoiceId: 'INV-1',
      status: 'PAID',
      currency: 'BRL',
      history: [
        { at: '2026-12-01T12:00:00.000Z', type: 'registered' },
        {
          at: '2026-12-07T12:00:00.000Z',
          type: 'contact',
          stage: 'D-3',
          channel: 'email',
          outcome: 'sent',
          template: 'reminder',
          messageId: 'ses-1',
        },
        { at: '2026-12-08T15:00:00.000Z', type: 'paused', reason: 'customer called', by: 'arn:aws:iam::1:user/ana' },
        { at: '2026-12-18T15:00:00.000Z', type: 'resumed', reason: 'no news' },
        {
          at: '2026-12-18T15:00:00.000Z',
          type: 'contact',
          stage: 'D0',
          channel: '*',
          outcome: 'superseded',
          reason: 'superseded',
        },
        {
          at: '2026-12-18T15:00:01.000Z',
          type: 'contact',
          stage: 'D+3',
          channel: '*',
          outcome: 'deferred',
          reason: 'outside-business-hours',
          until: '2026-12-19T11:00:00.000Z',
        },
        { at: '2026-12-20T15:00:00.000Z', type: 'paid', amount: '1300.00', balance: '0.00', excess: '65.50' },
      ],
    });
  });

  it('answers 404 in the JSON error format for an unknown invoice', async () => {
    ddb.on(GetCommand).resolves({});

    const response = await handler(request('NOPE'), lambdaContext);

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('InvoiceNotFound');
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });
});
