import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/change-invoice';
import { handler as escalateHandler } from '../../../functions/handlers/escalate-invoice';
import type { Invoice } from '../../../functions/invoices/invoice';
import { installClock } from '../../../functions/platform/clock';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);

function request(action: string, invoiceId: string, body: unknown, userArn?: string): APIGatewayProxyEvent {
  return {
    resource: `/invoices/{id}/${action}`,
    httpMethod: 'POST',
    path: `/invoices/${invoiceId}/${action}`,
    pathParameters: { id: invoiceId },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { identity: { userArn: userArn ?? null } },
  } as unknown as APIGatewayProxyEvent;
}

function given(invoice: Invoice) {
  ddb
    .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
    .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).callsFake((input) => ({
    Attributes: {
      ...invoice,
      status: input.ExpressionAttributeValues[':status'],
      version: input.ExpressionAttributeValues[':next'],
      ...(input.ExpressionAttributeValues[':hold'] ? { hold: input.ExpressionAttributeValues[':hold'] } : {}),
    },
  }));
  sfn.on(SendTaskSuccessCommand).resolves({});
}

let restore: () => void = () => {};

afterEach(() => {
  ddb.reset();
  sfn.reset();
  sns.reset();
  restore();
  restore = () => {};
});

describe('an operator pauses an invoice', () => {
  it('writes PAUSED with the hold in one conditional write, records who and why, and resumes the waiting step', async () => {
    // Prepare
    given(invoiceFixture({ taskToken: 'token-D0', version: 7 }));

    // Act
    const response = await handler(
      request('pause', 'INV-1', { reason: 'customer called' }, 'arn:aws:iam::123456789012:user/ana'),
      lambdaContext,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      invoiceId: 'INV-1',
      status: 'PAUSED',
      previousStatus: 'OPEN',
      events: ['paused'],
      resumedWorkflow: true,
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ConditionExpression: 'version = :version',
      // the token stays parked, with what it is to be told, until Step Functions took it
      UpdateExpression: expect.stringMatching(/^SET .*#hold = :hold.*pendingResume = :resume$/),
      ExpressionAttributeValues: expect.objectContaining({
        ':status': 'PAUSED',
        ':version': 7,
        ':next': 8,
        ':resume': { event: 'changed', status: 'PAUSED' },
        ':hold': expect.objectContaining({
          kind: 'pause',
          reason: 'customer called',
          resumeTo: 'OPEN',
          by: 'arn:aws:iam::123456789012:user/ana',
        }),
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: 'INVOICE#INV-1',
        sk: expect.stringMatching(/^EVENT#.+#0000000008#paused$/),
        type: 'paused',
        detail: { reason: 'customer called', by: 'arn:aws:iam::123456789012:user/ana' },
      }),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-D0',
      output: '{"event":"changed","status":"PAUSED"}',
    });
    // then the told token comes off the invoice, only if it is still the parked one
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ConditionExpression: 'taskToken = :token',
      UpdateExpression: 'SET updatedAt = :at REMOVE taskToken, waitUntil, pendingResume',
      ExpressionAttributeValues: expect.objectContaining({ ':token': 'token-D0' }),
    });
  });

  it('decides again when the invoice changed between the read and the write', async () => {
    given(invoiceFixture());
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }))
      .resolves({ Attributes: { ...invoiceFixture(), status: 'PAUSED', version: 2 } });

    const response = await handler(request('pause', 'INV-1', { reason: 'asked' }), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
  });
});

describe('an operator action the invoice does not allow', () => {
  it('answers 409 InvalidTransition naming the status, and writes nothing', async () => {
    given(invoiceFixture({ status: 'PAID', balanceMinor: 0 }));

    const response = await handler(request('pause', 'INV-1', { reason: 'late' }), lambdaContext);

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'InvalidTransition',
        message: 'Invoice INV-1 is PAID: cannot pause it (pause needs OPEN, ESCALATED)',
        details: [{ path: '(status)', issue: 'is PAID' }],
      },
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 404 for an unknown invoice', async () => {
    ddb.on(GetCommand).resolves({});

    const response = await handler(request('resume', 'NOPE', { reason: 'x' }), lambdaContext);

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('InvoiceNotFound');
  });
});

describe('an operator request without a proper reason', () => {
  it.each([
    ['no body', undefined, '(body)', 'is required'],
    ['no reason', {}, 'reason', 'is required'],
    ['a blank reason', { reason: '   ' }, 'reason', 'is required'],
    ['a control character', { reason: 'a\u0007b' }, 'reason', 'control characters'],
    ['an unknown field', { reason: 'ok', when: 'now' }, '(root)', 'unknown field(s) when'],
  ])('answers 400 for %s, naming the field, and writes nothing', async (_case, body, path, issue) => {
    given(invoiceFixture());

    const response = await handler(request('dispute', 'INV-1', body), lambdaContext);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([{ path, issue: expect.stringContaining(issue) }]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});

describe('an operator records a promise to pay', () => {
  const promise = (body: unknown) => request('promises', 'INV-1', body);

  it('pauses the invoice with the promise (the balance unless an amount is given) and answers with it', async () => {
    // Prepare: it is Tue 8th in São Paulo
    restore = installClock({ now: () => new Date('2026-12-08T15:00:00.000Z') });
    given(invoiceFixture({ taskToken: 'token-D0' }));

    // Act
    const response = await handler(promise({ date: '2026-12-15', amount: '500.00' }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      status: 'PAUSED',
      events: ['promised'],
      promise: { date: '2026-12-15', amount: '500.00', currency: 'BRL' },
      resumedWorkflow: true,
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({
        ':hold': expect.objectContaining({
          kind: 'promise',
          promise: { date: '2026-12-15', amountMinor: 50000, paidMinor: 0 },
        }),
      }),
    });
  });

  it.each([
    ['a date in the past (debtor zone)', { date: '2026-12-07' }, 'date', 'is in the past (today is 2026-12-08'],
    ['an impossible date', { date: '2026-02-30' }, 'date', 'is not a real date'],
    ['a date more than a year ahead', { date: '2028-01-01' }, 'date', 'is more than 365 days ahead'],
    ['a date that is not YYYY-MM-DD', { date: '15/12/2026' }, 'date', 'must be a date YYYY-MM-DD'],
    ['no date', { amount: '10.00' }, 'date', 'is required'],
    ['an amount above the balance', { date: '2026-12-15', amount: '1234.51' }, 'amount', 'is more than the balance'],
    ['a zero amount', { date: '2026-12-15', amount: '0.00' }, 'amount', 'must be greater than 0'],
    ['a malformed amount', { date: '2026-12-15', amount: '12,50' }, 'amount', '12,50'],
  ])('answers 400 for %s, naming the field, and writes nothing', async (_case, body, path, issue) => {
    restore = installClock({ now: () => new Date('2026-12-08T15:00:00.000Z') });
    given(invoiceFixture());

    const response = await handler(promise(body), lambdaContext);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([{ path, issue: expect.stringContaining(issue) }]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});

describe('an operator writes an invoice off', () => {
  it('writes WRITTEN_OFF, records the balance written off and resumes the waiting step to end the walk', async () => {
    given(invoiceFixture({ taskToken: 'token-D+7', status: 'PAUSED' }));

    const response = await handler(request('write-off', 'INV-1', { reason: 'debtor insolvent' }), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'WRITTEN_OFF', previousStatus: 'PAUSED' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'written-off',
        detail: { reason: 'debtor insolvent', balanceMinor: 123450 },
      }),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-D+7',
      output: '{"event":"changed","status":"WRITTEN_OFF"}',
    });
  });
});

describe('an operator escalates an invoice now', () => {
  const escalate = (invoiceId: string, body: unknown) =>
    escalateHandler(
      {
        resource: '/invoices/{id}/escalate',
        pathParameters: { id: invoiceId },
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/ana' } },
      } as unknown as APIGatewayProxyEvent,
      lambdaContext,
    );

  it('publishes the escalation to the operators topic, then marks the invoice ESCALATED with the message id', async () => {
    given(invoiceFixture({ currentStage: 'D+7' }));
    sns.on(PublishCommand).resolves({ MessageId: 'sns-42' });

    const response = await escalate('INV-1', { reason: 'third broken promise', to: 'legal' });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      invoiceId: 'INV-1',
      status: 'ESCALATED',
      previousStatus: 'OPEN',
      events: ['escalated'],
      notificationId: 'sns-42',
    });
    const published = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(published?.TopicArn).toBe(process.env.OPERATORS_TOPIC_ARN);
    expect(JSON.parse(published?.Message ?? '{}')).toMatchObject({
      kind: 'escalation',
      manual: true,
      to: 'legal',
      reason: 'third broken promise',
      invoiceId: 'INV-1',
      stageId: 'D+7',
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'escalated',
        detail: {
          reason: 'third broken promise',
          to: 'legal',
          manual: true,
          by: 'arn:aws:iam::123456789012:user/ana',
          notificationId: 'sns-42',
        },
      }),
    });
  });

  it('tells nobody and answers 409 when the invoice is not open; 400 for a team name that is not a slug', async () => {
    given(invoiceFixture({ status: 'PAID', balanceMinor: 0 }));

    const paid = await escalate('INV-1', { reason: 'late' });
    const badTeam = await escalate('INV-1', { reason: 'late', to: 'the lawyers' });

    expect(paid.statusCode).toBe(409);
    expect(badTeam.statusCode).toBe(400);
    expect(JSON.parse(badTeam.body).error.details).toEqual([{ path: 'to', issue: expect.stringContaining('team') }]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });
});
