import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/create-agreement';
import { agreementRequest as request, useAgreementApi } from '../../support/agreement-api';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const { ddb, sfn, sqs, given, clockAt } = useAgreementApi();

/** 10 days late on Sun 2026-12-20 (São Paulo): 1234.50 + 24.69 fine + 4.12 interest = 1263.31 BRL. */
const THREE_PARTS = [
  { dueDate: '2027-01-05', amount: '421.11' },
  { dueDate: '2027-02-05', amount: '421.10' },
  { dueDate: '2027-03-05', amount: '421.10' },
];

describe('POST /invoices/{id}/agreements', () => {
  it('renegotiates in one conditional write, registers each instalment with its walk queued, and ends the original walk', async () => {
    // Prepare
    clockAt('2026-12-20T15:00:00.000Z');
    given(invoiceFixture({ ruleId: 'with-fees', taskToken: 'token-D+7', version: 9 }));

    // Act
    const response = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({
      invoiceId: 'INV-1',
      event: 'renegotiated',
      status: 'RENEGOTIATED',
      previousStatus: 'OPEN',
      due: {
        balance: { decimal: '1234.50' },
        fine: { decimal: '24.69' },
        interest: { decimal: '4.12' },
        total: { minor: 126331, currency: 'BRL', decimal: '1263.31' },
        daysLate: 10,
      },
      registered: ['INV-1-1of3', 'INV-1-2of3', 'INV-1-3of3'],
      duplicates: [],
      resumedWorkflow: true,
    });
    expect(body.instalments.map((i: { invoiceId: string; amount: { decimal: string } }) => i.amount.decimal)).toEqual([
      '421.11',
      '421.10',
      '421.10',
    ]);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      ConditionExpression: 'version = :version',
      UpdateExpression: expect.stringMatching(/instalments = :instalments.*, pendingResume = :resume REMOVE #hold$/),
      ExpressionAttributeValues: expect.objectContaining({
        ':status': 'RENEGOTIATED',
        ':version': 9,
        ':instalments': [
          { invoiceId: 'INV-1-1of3', dueDate: '2027-01-05', amountMinor: 42111 },
          { invoiceId: 'INV-1-2of3', dueDate: '2027-02-05', amountMinor: 42110 },
          { invoiceId: 'INV-1-3of3', dueDate: '2027-03-05', amountMinor: 42110 },
        ],
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({
        pk: 'INVOICE#INV-1-2of3',
        gsi1pk: 'CUSTOMER#C-1',
        status: 'OPEN',
        ruleId: 'with-fees',
        agreementOf: 'INV-1',
        dueDate: '2027-02-05',
        amount: { minor: 42110, currency: 'BRL' },
        balanceMinor: 42110,
        description: '2/3 · INV-1',
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: 'INVOICE#INV-1',
        type: 'renegotiated',
        detail: expect.objectContaining({
          instalments: 3,
          totalMinor: 126331,
          fineMinor: 2469,
          interestMinor: 412,
          by: 'arn:aws:iam::123456789012:user/ana',
        }),
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: 'INVOICE#INV-1-3of3',
        type: 'registered',
        detail: { agreementOf: 'INV-1', instalment: 3, of: 3, amountMinor: 42110 },
      }),
    });
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: ['INV-1-1of3', 'INV-1-2of3', 'INV-1-3of3'].map((invoiceId, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ invoiceId }),
      })),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-D+7',
      output: '{"event":"changed","status":"RENEGOTIATED"}',
    });
  });

  it('answers 400 naming `instalments` when they do not add up to the balance plus fees, and changes nothing', async () => {
    clockAt('2026-12-20T15:00:00.000Z');
    given(invoiceFixture({ ruleId: 'with-fees' }));

    const response = await handler(
      request('INV-1', { instalments: [{ dueDate: '2027-01-05', amount: '1234.50' }] }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'ValidationError',
      details: [{ path: 'instalments', issue: expect.stringContaining('must add up to 1263.31 BRL') }],
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it.each([
    ['no instalments', { instalments: [] }, 'instalments', 'needs at least one instalment'],
    ['no body field', {}, 'instalments', 'is required'],
    ['an unknown field', { instalments: THREE_PARTS, note: 'x' }, '(root)', 'unknown field(s) note'],
    [
      'a date that is no date',
      { instalments: [{ dueDate: '5/1/2027', amount: '1.00' }] },
      'instalments.0.dueDate',
      'YYYY-MM-DD',
    ],
    [
      'a payment link that is not http(s)',
      { instalments: [{ dueDate: '2027-01-05', amount: '1.00', paymentUrl: 'javascript:alert(1)' }] },
      'instalments.0.paymentUrl',
      'http or https URL',
    ],
  ])('answers 400 for %s, naming the field', async (_case, body, path, issue) => {
    given(invoiceFixture());

    const response = await handler(request('INV-1', body), lambdaContext);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([{ path, issue: expect.stringContaining(issue) }]);
  });

  it('answers a second identical agreement as a duplicate and queues again an instalment whose walk never started', async () => {
    // Prepare: renegotiated; instalment 2 stored but never started (the queue was down)
    clockAt('2026-12-21T15:00:00.000Z');
    const instalments = [
      { invoiceId: 'INV-1-1of3', dueDate: '2027-01-05', amountMinor: 42111 },
      { invoiceId: 'INV-1-2of3', dueDate: '2027-02-05', amountMinor: 42110 },
      { invoiceId: 'INV-1-3of3', dueDate: '2027-03-05', amountMinor: 42110 },
    ];
    given(invoiceFixture({ status: 'RENEGOTIATED', instalments }), {
      'INV-1-1of3': { agreementOf: 'INV-1', executionArn: 'arn:1' },
      'INV-1-2of3': { agreementOf: 'INV-1' },
      'INV-1-3of3': { agreementOf: 'INV-1', executionArn: 'arn:3' },
    });
    ddb.on(PutCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));

    // Act
    const response = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      event: 'duplicate',
      status: 'RENEGOTIATED',
      registered: [],
      duplicates: ['INV-1-1of3', 'INV-1-2of3', 'INV-1-3of3'],
      resumedWorkflow: false,
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: [{ Id: '0', MessageBody: JSON.stringify({ invoiceId: 'INV-1-2of3' }) }],
    });
  });

  it('answers 409 for another agreement on a renegotiated invoice, and for a disputed one', async () => {
    clockAt('2026-12-20T15:00:00.000Z');
    given(
      invoiceFixture({
        status: 'RENEGOTIATED',
        instalments: [{ invoiceId: 'INV-1-1of1', dueDate: '2027-01-05', amountMinor: 123450 }],
      }),
    );
    const other = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);
    ddb.reset();
    given(invoiceFixture({ status: 'DISPUTED', ruleId: 'with-fees' }));
    const disputed = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    expect(other.statusCode).toBe(409);
    expect(JSON.parse(other.body).error).toMatchObject({
      code: 'InvalidTransition',
      message: 'Invoice INV-1 is RENEGOTIATED: cannot renegotiate it (it was renegotiated already, into INV-1-1of1)',
    });
    expect(disputed.statusCode).toBe(409);
    expect(JSON.parse(disputed.body).error.message).toContain('resolve the dispute first');
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 409 when an instalment id is another invoice’s, before changing anything', async () => {
    clockAt('2026-12-20T15:00:00.000Z');
    // INV-1-2of3: an invoice of its own, no `agreementOf`
    given(invoiceFixture({ ruleId: 'with-fees' }), { 'INV-1-2of3': {} });

    const response = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'InstalmentIdTaken',
      details: [{ path: 'instalments.1', issue: 'its id INV-1-2of3 is the id of another invoice' }],
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 503 when an instalment walk could not be queued, the agreement standing (the same request completes it)', async () => {
    clockAt('2026-12-20T15:00:00.000Z');
    given(invoiceFixture({ ruleId: 'with-fees' }));
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '2', Code: 'x', SenderFault: false }] });

    const response = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'AgreementIncomplete',
      details: [{ path: 'instalments.2', issue: expect.stringContaining('INV-1-3of3: stored, but its walk') }],
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'RENEGOTIATED' }),
    });
  });
});
