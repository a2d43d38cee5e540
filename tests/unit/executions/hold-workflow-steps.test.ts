import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXECUTION_LIFE_SECONDS } from '../../../functions/executions/execution-life';
import { SAFETY_NET_SECONDS } from '../../../functions/executions/wait-schedules';
import { handler as planStage } from '../../../functions/handlers/plan-stage';
import { handler as waitForEvent } from '../../../functions/handlers/wait-for-event';
import type { Invoice, InvoiceHold } from '../../../functions/invoices/invoice';
import { installClock } from '../../../functions/platform/clock';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
let restoreClock: () => void = () => {};
const at = (iso: string) => {
  restoreClock();
  restoreClock = installClock({ now: () => new Date(iso) });
};

const promiseHold = (date: string): InvoiceHold => ({
  kind: 'promise',
  reason: 'promise to pay',
  since: '2026-12-08T15:00:00.000Z',
  resumeTo: 'OPEN',
  promise: { date, amountMinor: 123450, paidMinor: 0 },
});

function given(invoice: Invoice) {
  ddb
    .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
    .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
  ddb.on(GetCommand, { Key: keys.customer('C-1') }).resolves({ Item: customerFixture() });
  ddb.on(PutCommand).resolves({});
}

afterEach(() => {
  ddb.reset();
  sfn.reset();
});
afterAll(() => restoreClock());

describe('planning an invoice on hold', () => {
  it("parks a paused or disputed walk at its current stage, until the execution's year is nearly over", async () => {
    at('2026-12-09T15:00:00.000Z');
    given(invoiceFixture({ status: 'DISPUTED', currentStage: 'D0', hold: { ...promiseHold('x'), kind: 'dispute' } }));

    const result = await planStage({ invoiceId: 'INV-1', rule: defaultRule }, lambdaContext);

    expect(result).toEqual({
      outcome: 'held',
      stageId: 'D0',
      seconds: EXECUTION_LIFE_SECONDS,
      until: '',
      reason: 'disputed',
    });
  });

  it('waits for a promise until the start of the day after the promised date plus the grace days, debtor zone', async () => {
    at('2026-12-09T15:00:00.000Z');
    given(invoiceFixture({ status: 'PAUSED', currentStage: 'D0', hold: promiseHold('2026-12-20') }));

    const result = await planStage(
      { invoiceId: 'INV-1', rule: { ...defaultRule, promiseGraceDays: 2 } },
      lambdaContext,
    );

    // 2026-12-23 00:00 in São Paulo (UTC-3)
    expect(result).toEqual({
      outcome: 'promised',
      stageId: 'D0',
      seconds: (13 * 24 + 12) * 3600 + SAFETY_NET_SECONDS,
      until: '2026-12-23T03:00:00.000Z',
      reason: 'promise-to-pay',
    });
  });

  it('breaks a promise whose deadline passed and resumes with the stage that is due, earlier ones superseded', async () => {
    // Prepare: promised for Fri 11th (no grace); it is Mon 14th 12:00 local, D0 (10th) and D+3 (13th) fell due
    at('2026-12-14T15:00:00.000Z');
    given(invoiceFixture({ status: 'PAUSED', currentStage: 'D0', version: 4, hold: promiseHold('2026-12-11') }));
    ddb.on(UpdateCommand).resolves({
      Attributes: invoiceFixture({ status: 'OPEN', currentStage: 'D0', version: 5 }),
    });

    // Act
    const result = await planStage({ invoiceId: 'INV-1', rule: defaultRule }, lambdaContext);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: 'version = :version',
      UpdateExpression: 'SET #status = :status, updatedAt = :at, version = :next REMOVE #hold',
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'OPEN', ':version': 4 }),
    });
    const written = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
    expect(written).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'promise-broken',
          detail: { date: '2026-12-11', amountMinor: 123450, paidMinor: 0 },
        }),
        expect.objectContaining({ stageId: 'D0', outcome: 'superseded' }),
      ]),
    );
    expect(result).toMatchObject({
      outcome: 'wait',
      stageId: 'D+3',
      seconds: 1 + SAFETY_NET_SECONDS,
      reason: 'superseded',
    });
  });
});

describe('parking the token of a hold', () => {
  it('stores it only while the invoice is on hold, leaving the current stage alone', async () => {
    at('2026-12-09T15:00:00.000Z');
    ddb.on(UpdateCommand).resolves({});

    await waitForEvent(
      { invoiceId: 'INV-1', stageId: 'D0', taskToken: 'tok', until: '2026-12-21T03:00:00.000Z', kind: 'hold' },
      lambdaContext,
    );

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: '#status IN (:paused, :disputed)',
      UpdateExpression:
        'SET taskToken = :token, updatedAt = :at, waitUntil = :until REMOVE pendingResume ADD version :one',
      ExpressionAttributeValues: expect.objectContaining({ ':token': 'tok', ':until': '2026-12-21T03:00:00.000Z' }),
    });
  });

  it('resumes a stage wait at once when the invoice went on hold before it began, keeping the stage to resume at', async () => {
    at('2026-12-09T15:00:00.000Z');
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'on hold', $metadata: {} }))
      .resolves({});
    ddb.on(GetCommand).resolves({ Item: invoiceFixture({ status: 'PAUSED', currentStage: 'D-3' }) });
    sfn.on(SendTaskSuccessCommand).resolves({});

    await waitForEvent({ invoiceId: 'INV-1', stageId: 'D0', taskToken: 'tok', until: '' }, lambdaContext);

    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      UpdateExpression: 'SET currentStage = :stage, updatedAt = :at ADD version :one',
      ConditionExpression: '#status IN (:paused, :disputed)',
      ExpressionAttributeValues: expect.objectContaining({ ':stage': 'D0' }),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok',
      output: '{"event":"changed","status":"PAUSED"}',
    });
  });
});
