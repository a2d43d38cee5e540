import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/create-agreement';
import {
  amountDue,
  checkAgreement,
  type InstalmentRequest,
  instalmentId,
  MAX_INSTALMENTS,
} from '../../../functions/invoices/agreement';
import { MAX_ID_LENGTH } from '../../../functions/invoices/input/limits';
import { checkInvoiceId } from '../../../functions/invoices/input/text-checks';
import type { Invoice } from '../../../functions/invoices/invoice';
import { decide, InvalidTransition } from '../../../functions/invoices/lifecycle';
import { installClock } from '../../../functions/platform/clock';
import { lateFees } from '../../../functions/rules/late-fee';
import type { RuleTerms } from '../../../functions/rules/rule-terms';
import { formatDecimalAmount, parseDecimalAmount } from '../../../functions/values/money';
import { invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const SAO_PAULO = 'America/Sao_Paulo';
const NO_FEES: RuleTerms = { timezone: SAO_PAULO, lastStageOffsetDays: 30 };
const FEES = { finePercent: 2, monthlyInterestPercent: 1, fineCapPercent: 2 };
const WITH_FEES: RuleTerms = { timezone: SAO_PAULO, lateFee: FEES, lastStageOffsetDays: 30 };

/** `count` due dates, one a month from `from` (YYYY-MM-DD), as YYYY-MM-DD. */
function monthly(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => DateTime.fromISO(from).plus({ months: i }).toISODate() ?? '');
}

/** Cuts `total` minor units into the parts between the sorted cut points. */
function split(total: number, cuts: readonly number[]): number[] {
  const points = [0, ...[...cuts].sort((a, b) => a - b), total];
  return points.slice(1).map((p, i) => p - (points[i] ?? 0));
}

describe('what an agreement must add up to (pure)', () => {
  it('is the balance plus the late fees to date of the rule, counted in whole days in the debtor zone (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: -40, max: 400 }),
        fc.boolean(),
        (balanceMinor, days, charges) => {
          // Prepare: due 2026-12-10; now = 12:00 local, `days` days after it
          const invoice = invoiceFixture({ balanceMinor, dueDate: '2026-12-10' });
          const now = DateTime.fromISO('2026-12-10T12:00', { zone: SAO_PAULO }).plus({ days }).toJSDate();
          const terms = charges ? WITH_FEES : NO_FEES;

          // Act
          const due = amountDue(invoice, terms, SAO_PAULO, now);

          // Assess
          const late = Math.max(0, days);
          const fees = charges && late > 0 ? lateFees({ minor: balanceMinor, currency: 'BRL' }, late, FEES) : undefined;
          return (
            due.daysLate === late &&
            due.fineMinor === (fees?.fine.minor ?? 0) &&
            due.interestMinor === (fees?.interest.minor ?? 0) &&
            due.totalMinor === balanceMinor + due.fineMinor + due.interestMinor
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('checking an agreement (pure)', () => {
  const now = new Date('2026-12-20T15:00:00.000Z'); // Sun 20th, 12:00 in São Paulo; due 10th: 10 days late
  const context = { terms: WITH_FEES, timezone: SAO_PAULO, now };

  /**
   * Invoices with any balance, and instalments cutting exactly what is due into 1-11 parts, a month apart from
   * tomorrow (an 11th month would end its walk, 30 days after its due date, more than a year from now).
   */
  const exactAgreements = fc
    .record({ balanceMinor: fc.integer({ min: 24, max: 10_000_000_000 }), count: fc.integer({ min: 1, max: 11 }) })
    .chain(({ balanceMinor, count }) => {
      const invoice = invoiceFixture({ balanceMinor, dueDate: '2026-12-10', ruleId: 'with-fees' });
      const total = amountDue(invoice, WITH_FEES, SAO_PAULO, now).totalMinor;
      return fc
        .uniqueArray(fc.integer({ min: 1, max: total - 1 }), { minLength: count - 1, maxLength: count - 1 })
        .map((cuts) => {
          const dates = monthly('2026-12-21', count);
          const requests: InstalmentRequest[] = split(total, cuts).map((minor, i) => ({
            dueDate: dates[i] ?? '',
            amount: formatDecimalAmount(minor, 'BRL'),
          }));
          return { invoice, total, requests };
        });
    });

  it('accepts any cut of exactly the balance plus fees into future, increasing instalments (property)', () => {
    fc.assert(
      fc.property(exactAgreements, ({ invoice, total, requests }) => {
        const check = checkAgreement(invoice, requests, context);
        return (
          check.ok &&
          check.instalments.reduce((sum, i) => sum + i.amountMinor, 0) === total &&
          new Set(check.instalments.map((i) => i.invoiceId)).size === requests.length
        );
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the same cut with any one amount off by any number of minor units, naming `instalments` only (property)', () => {
    fc.assert(
      fc.property(
        exactAgreements,
        fc.nat(),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        ({ invoice, requests }, pick, delta, up) => {
          // Prepare: one amount moved away from the exact cut (kept above 0)
          const index = pick % requests.length;
          const request = requests[index] as InstalmentRequest;
          const parsed = parseDecimalAmount(request.amount, 'BRL');
          const minor = parsed.ok ? parsed.minor : 0;
          const moved = up ? minor + delta : minor - delta;
          fc.pre(moved > 0);
          const spoiled = requests.map((r, i) =>
            i === index ? { ...r, amount: formatDecimalAmount(moved, 'BRL') } : r,
          );

          // Act
          const check = checkAgreement(invoice, spoiled, context);

          // Assess
          return !check.ok && check.issues.length === 1 && check.issues[0]?.path === 'instalments';
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the total it expected and how it is made of the balance and the fees', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' }); // 1234.50 BRL

    const check = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1234.50' }], context);

    // 2% fine = 24.69; 1% a month over 10 days = 4.115 → 4.12 (half-up): 1263.31
    expect(check).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'instalments',
          issue:
            'must add up to 1263.31 BRL: the balance 1234.50 BRL plus the late fees to date (fine 24.69 BRL, ' +
            'interest 4.12 BRL, 10 days late); got 1234.50 BRL',
        },
      ],
    });
  });

  it('wants the balance alone under a rule without late fees, whatever the delay', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' });

    const exact = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1234.50' }], {
      ...context,
      terms: NO_FEES,
    });
    const more = checkAgreement(invoice, [{ dueDate: '2027-01-10', amount: '1263.31' }], {
      ...context,
      terms: NO_FEES,
    });

    expect(exact.ok).toBe(true);
    expect(more).toMatchObject({
      ok: false,
      issues: [{ path: 'instalments', issue: 'must add up to the balance 1234.50 BRL, got 1263.31 BRL' }],
    });
  });

  it('refuses due dates that are today or past for the debtor, not increasing, unreal or too far ahead, each by field', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10', balanceMinor: 50000 });
    const requests = [
      { dueDate: '2026-12-20', amount: '100.00' }, // today in São Paulo
      { dueDate: '2027-02-01', amount: '100.00' },
      { dueDate: '2027-01-15', amount: '100.00' }, // before the previous one
      { dueDate: '2027-02-30', amount: '100.00' },
      { dueDate: '2027-11-21', amount: '100.00' }, // 20th + 365 − 30 days = 2027-11-20 at the latest
    ];

    const check = checkAgreement(invoice, requests, { ...context, terms: NO_FEES });

    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.issues.map((i) => `${i.path}: ${i.issue}`)).toEqual([
      'instalments.0.dueDate: must be in the future (after 2026-12-20, today for the debtor), got 2026-12-20',
      'instalments.2.dueDate: must be after the due date of instalments.1 (2027-02-01): due dates increase, got 2027-01-15',
      'instalments.3.dueDate: must be a real date YYYY-MM-DD, got "2027-02-30"',
      'instalments.4.dueDate: is too far ahead: an instalment is dunned until 30 days after its due date and a walk lasts at most 365 days, so the latest due date is 2027-11-20, got 2027-11-21',
    ]);
  });

  it('refuses amounts that are not money of the currency, or not more than 0, by field', () => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10' });

    const check = checkAgreement(
      invoice,
      [
        { dueDate: '2027-01-10', amount: '1,234.50' },
        { dueDate: '2027-02-10', amount: '0.00' },
        { dueDate: '2027-03-10', amount: '1.234' },
      ],
      context,
    );

    expect(check.ok ? [] : check.issues.map((i) => i.path)).toEqual([
      'instalments.0.amount',
      'instalments.1.amount',
      'instalments.2.amount',
    ]);
  });
});

describe('instalment ids', () => {
  const originalIds = fc
    .string({ minLength: 1, maxLength: MAX_ID_LENGTH, unit: fc.constantFrom(...'ABCXYZabc0189-_./#é中') })
    .filter((id) => !/^[=+\-@]/.test(id));

  it('pass the invoice-id rules, fit the length and differ per instalment and per original (property)', () => {
    fc.assert(
      fc.property(originalIds, originalIds, fc.integer({ min: 1, max: MAX_INSTALMENTS }), (a, b, count) => {
        const idsOf = (original: string) =>
          Array.from({ length: count }, (_, i) => instalmentId(original, i + 1, count));
        const ours = idsOf(a);
        const valid = ours.every((id) => 'value' in checkInvoiceId(id) && id.length <= MAX_ID_LENGTH);
        const distinct = new Set(ours).size === count;
        const apart = a === b || idsOf(b).every((id) => !ours.includes(id));
        return valid && distinct && apart && ours.every((id) => id[0] === a[0]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads <original>-<n>of<count>', () => {
    expect([1, 2, 3].map((n) => instalmentId('INV-2026-0001', n, 3))).toEqual([
      'INV-2026-0001-1of3',
      'INV-2026-0001-2of3',
      'INV-2026-0001-3of3',
    ]);
  });
});

describe('the lifecycle of a renegotiation (pure)', () => {
  const instalments = [
    { invoiceId: 'INV-1-1of2', dueDate: '2027-01-10', amountMinor: 61725 },
    { invoiceId: 'INV-1-2of2', dueDate: '2027-02-10', amountMinor: 61725 },
  ];
  const due = { balanceMinor: 123450, fineMinor: 0, interestMinor: 0, daysLate: 0 };
  const at = '2026-12-08T15:00:00.000Z';

  it('ends a paused walk too: RENEGOTIATED, the hold gone, the workflow told, the agreement in the event', () => {
    const paused = invoiceFixture({
      status: 'PAUSED',
      hold: { kind: 'pause', reason: 'x', since: at, resumeTo: 'OPEN' },
    });

    const decision = decide(paused, { type: 'renegotiate', instalments, due, by: 'ana' }, at);

    expect(decision).toEqual({
      kind: 'change',
      change: { status: 'RENEGOTIATED', hold: null, instalments },
      events: [
        {
          type: 'renegotiated',
          detail: {
            instalments: 2,
            instalmentIds: 'INV-1-1of2,INV-1-2of2',
            balanceMinor: 123450,
            fineMinor: 0,
            interestMinor: 0,
            daysLate: 0,
            totalMinor: 123450,
            by: 'ana',
          },
        },
      ],
      interrupt: 'changed',
    });
  });

  it('is a duplicate when the same instalments come again, and a conflict when others do', () => {
    const renegotiated = invoiceFixture({ status: 'RENEGOTIATED', instalments });

    expect(decide(renegotiated, { type: 'renegotiate', instalments, due }, at)).toEqual({
      kind: 'no-change',
      why: 'duplicate-agreement',
    });
    expect(() => decide(renegotiated, { type: 'renegotiate', instalments: instalments.slice(0, 1), due }, at)).toThrow(
      InvalidTransition,
    );
  });

  it('refuses a disputed invoice, a closed one, and one whose balance changed since the agreement was checked', () => {
    const command = { type: 'renegotiate', instalments, due } as const;
    const refusal = (invoice: Invoice) => {
      try {
        decide(invoice, command, at);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };

    expect(refusal(invoiceFixture({ status: 'DISPUTED' }))).toContain('resolve the dispute first');
    expect(refusal(invoiceFixture({ status: 'PAID', balanceMinor: 0 }))).toContain(
      'renegotiate needs OPEN, ESCALATED, PAUSED',
    );
    expect(refusal(invoiceFixture({ balanceMinor: 100000 }))).toContain('the balance changed');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The handler, with the AWS SDK mocked

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

function request(invoiceId: string, body: unknown): APIGatewayProxyEvent {
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

function given(invoice: Invoice, others: Record<string, Partial<Invoice>> = {}) {
  ddb.on(GetCommand).resolves({});
  ddb
    .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
    .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
  for (const [id, other] of Object.entries(others)) {
    ddb.on(GetCommand, { Key: keys.invoice(id) }).resolves({ Item: { ...keys.invoice(id), invoiceId: id, ...other } });
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

let restore: () => void = () => {};

afterEach(() => {
  ddb.reset();
  sfn.reset();
  sqs.reset();
  restore();
  restore = () => {};
});

/** 10 days late on Sun 2026-12-20 (São Paulo): 1234.50 + 24.69 fine + 4.12 interest = 1263.31 BRL. */
const THREE_PARTS = [
  { dueDate: '2027-01-05', amount: '421.11' },
  { dueDate: '2027-02-05', amount: '421.10' },
  { dueDate: '2027-03-05', amount: '421.10' },
];

describe('POST /invoices/{id}/agreements', () => {
  it('renegotiates in one conditional write, registers each instalment with its walk queued, and ends the original walk', async () => {
    // Prepare
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
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
      UpdateExpression: expect.stringMatching(/instalments = :instalments.* REMOVE #hold, taskToken, waitUntil$/),
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
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
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
    restore = installClock({ now: () => new Date('2026-12-21T15:00:00.000Z') });
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
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
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
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
    given(invoiceFixture({ ruleId: 'with-fees' }), { 'INV-1-2of3': { agreementOf: undefined } });

    const response = await handler(request('INV-1', { instalments: THREE_PARTS }), lambdaContext);

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'InstalmentIdTaken',
      details: [{ path: 'instalments.1', issue: 'its id INV-1-2of3 is the id of another invoice' }],
    });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 503 when an instalment walk could not be queued, the agreement standing (the same request completes it)', async () => {
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
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

describe('POST /invoices/{id}/agreements under hostile bodies', () => {
  it('answers a 2xx, or a 4xx with the JSON error body naming a field, never a 5xx (property)', async () => {
    restore = installClock({ now: () => new Date('2026-12-20T15:00:00.000Z') });
    const bodies = fc.oneof(
      fc.json(),
      fc.record({
        instalments: fc.array(fc.dictionary(fc.constantFrom('dueDate', 'amount', 'paymentUrl', 'x'), fc.jsonValue()), {
          maxLength: 30,
        }),
      }),
      fc.record({
        instalments: fc.array(
          fc.record({
            dueDate: fc.constantFrom('2027-01-05', '2026-12-20', '2027-13-01', '9999-12-31', '2027-02-29'),
            amount: fc.constantFrom('1263.31', '0', '-1', '1e3', '1263.310', '99999999999999999999', ' 1.00'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        ddb.reset();
        given(invoiceFixture({ ruleId: 'with-fees' }));
        const response = await handler(
          { ...request('INV-1', undefined), body: typeof body === 'string' ? body : JSON.stringify(body) },
          lambdaContext,
        );
        if (response.statusCode < 300) return true;
        const error = JSON.parse(response.body).error;
        return (
          response.statusCode >= 400 &&
          response.statusCode < 500 &&
          typeof error.code === 'string' &&
          (response.statusCode !== 400 || error.details.every((d: { path: string }) => d.path.length > 0))
        );
      }),
      { numRuns: 200 },
    );
  });
});
