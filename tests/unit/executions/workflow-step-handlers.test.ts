import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SAFETY_NET_SECONDS } from '../../../functions/executions/wait-schedules';
import { handler as getInvoice } from '../../../functions/handlers/get-invoice';
import { handler as handleFailure } from '../../../functions/handlers/handle-failure';
import { handler as planStage } from '../../../functions/handlers/plan-stage';
import { handler as waitForEvent } from '../../../functions/handlers/wait-for-event';
import { installClock } from '../../../functions/platform/clock';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
let restoreClock: () => void = () => {};
const at = (iso: string) => {
  restoreClock();
  restoreClock = installClock({ now: () => new Date(iso) });
};

function givenInvoice(overrides = {}) {
  const invoice = invoiceFixture(overrides);
  const customer = customerFixture();
  ddb
    .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
    .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
  ddb.on(GetCommand, { Key: keys.customer(customer.customerId) }).resolves({ Item: customer });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
}

afterEach(() => {
  ddb.reset();
  sfn.reset();
  sns.reset();
});
afterAll(() => restoreClock());

describe('planning the first stage', () => {
  it('waits for D-3 when the invoice is registered well before the due date', async () => {
    at('2026-12-01T15:00:00.000Z');
    givenInvoice();

    const result = await planStage({ invoiceId: 'INV-1', rule: defaultRule }, lambdaContext);

    expect(result).toEqual({
      outcome: 'wait',
      stageId: 'D-3',
      seconds: 6 * 86_400 - 3 * 3600 + SAFETY_NET_SECONDS,
      until: '2026-12-07T12:00:00.000Z',
      reason: '',
    });
  });

  it('acts on the latest passed stage and records the earlier ones as superseded', async () => {
    // Registered on 2026-12-15 (D+5): D-3 and D0 are superseded, D+3 is due now.
    at('2026-12-15T15:00:00.000Z');
    givenInvoice();

    const result = await planStage({ invoiceId: 'INV-1', rule: defaultRule }, lambdaContext);

    expect(result).toMatchObject({
      outcome: 'wait',
      stageId: 'D+3',
      seconds: 1 + SAFETY_NET_SECONDS,
      reason: 'superseded',
    });
    const superseded = ddb
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item)
      .filter((item) => item?.outcome === 'superseded')
      .map((item) => item?.stageId);
    expect(superseded).toEqual(['D-3', 'D0']);
  });

  it('reports a paid invoice as paid', async () => {
    at('2026-12-01T15:00:00.000Z');
    givenInvoice({ status: 'PAID' });

    expect(await planStage({ invoiceId: 'INV-1', rule: defaultRule }, lambdaContext)).toMatchObject({
      outcome: 'paid',
    });
  });
});

describe('parking the task token', () => {
  it('stores the token on the open invoice', async () => {
    at('2026-12-01T15:00:00.000Z');
    ddb.on(UpdateCommand).resolves({});

    await waitForEvent({ invoiceId: 'INV-1', stageId: 'D-3', taskToken: 'tok', until: '' }, lambdaContext);

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ConditionExpression: '#status IN (:open, :escalated)',
      ExpressionAttributeValues: expect.objectContaining({ ':token': 'tok', ':stage': 'D-3' }),
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('resumes the token itself when the invoice was paid before the wait began', async () => {
    at('2026-12-01T15:00:00.000Z');
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: invoiceFixture({ status: 'PAID' }) });
    sfn.on(SendTaskSuccessCommand).resolves({});

    await waitForEvent({ invoiceId: 'INV-1', stageId: 'D-3', taskToken: 'tok', until: '' }, lambdaContext);

    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'tok', output: '{"event":"paid"}' });
  });
});

describe('handling an unhandled workflow error', () => {
  it('records it on the invoice and tells the operators, without personal data', async () => {
    at('2026-12-01T15:00:00.000Z');
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'op-1' });

    await handleFailure(
      {
        invoiceId: 'INV-1',
        failure: {
          Error: 'InvoiceNotFound',
          Cause: JSON.stringify({ errorMessage: 'Invoice INV-1 not found', trace: ['x'] }),
        },
      },
      lambdaContext,
    );

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ExpressionAttributeValues: expect.objectContaining({ ':message': 'InvoiceNotFound: Invoice INV-1 not found' }),
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
      Subject: 'Dunning failed for invoice INV-1',
    });
  });
});

describe('reading an invoice', () => {
  it('returns status, balance and the contact history, never the task token', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: { ...keys.invoice('INV-1'), ...invoiceFixture({ taskToken: 'secret', currentStage: 'D0' }) } });
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'INVOICE#INV-1',
          sk: 'EVENT#2026-12-01T12:00:00.000Z#registered',
          itemType: 'event',
          type: 'registered',
          at: '2026-12-01T12:00:00.000Z',
          invoiceId: 'INV-1',
        },
        {
          pk: 'INVOICE#INV-1',
          sk: 'CONTACT#x',
          itemType: 'contact',
          stageId: 'D-3',
          channel: 'email',
          outcome: 'sent',
          at: '2026-12-07T12:00:00.000Z',
        },
      ],
    });

    const response = await getInvoice(
      { pathParameters: { id: 'INV-1' } } as unknown as APIGatewayProxyEvent,
      lambdaContext,
    );

    const body = JSON.parse(response.body);
    expect(response.statusCode).toBe(200);
    expect(body.invoice).toMatchObject({
      status: 'OPEN',
      currentStage: 'D0',
      balance: { decimal: '1234.50', currency: 'BRL' },
    });
    expect(body.invoice.taskToken).toBeUndefined();
    expect(body.contacts).toEqual([expect.objectContaining({ stageId: 'D-3', outcome: 'sent' })]);
    expect(body.events).toEqual([expect.objectContaining({ type: 'registered' })]);
  });
});
