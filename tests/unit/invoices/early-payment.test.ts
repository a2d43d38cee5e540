import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as recordPayment } from '../../../functions/handlers/record-payment';
import { discountedAmount, earlyPaymentOffer, earnedDiscount } from '../../../functions/invoices/early-payment';
import { offerEarlyPayment } from '../../../functions/invoices/early-payment-offers';
import type { EarlyPaymentOffer, Invoice } from '../../../functions/invoices/invoice';
import { decide } from '../../../functions/invoices/lifecycle';
import { installClock } from '../../../functions/platform/clock';
import { type InvalidBillingRule, parseBillingRule } from '../../../functions/rules/billing-rule';
import { MAX_DISCOUNT_PERCENT } from '../../../functions/values/percent';
import { stores } from '../../../functions/wiring';
import { defaultRule, invoiceFixture, keys, lambdaContext } from '../../support/fixtures';

const SAO_PAULO = 'America/Sao_Paulo';

/** Percentages a rule may offer: more than 0, at most 50, at most 4 decimal places. */
const percents = fc
  .integer({ min: 1, max: MAX_DISCOUNT_PERCENT * 10_000 })
  .map((units) => Number((units / 10_000).toFixed(4)));

describe('the discounted amount (pure)', () => {
  it('is the balance less the percentage, rounded half-up to the minor unit, exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 1_000_000) }),
        percents,
        (balance, percent) => {
          // Act
          const { payMinor, discountMinor } = discountedAmount(balance, percent);

          // Assess: |pay − balance × (100 − p)/100| ≤ ½ minor unit, ties up — in integers scaled by 10^6
          const exact = BigInt(balance) * BigInt(Math.round((100 - percent) * 10_000));
          const scaledPay = BigInt(payMinor) * 1_000_000n;
          const off = scaledPay - exact;
          return (
            payMinor + discountMinor === balance &&
            discountMinor >= 0 &&
            2n * off <= 1_000_000n &&
            2n * off > -1_000_000n &&
            Number.isSafeInteger(payMinor)
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('rounds a half minor unit up (the debtor pays the cent) and never forgives more than half', () => {
    expect(discountedAmount(1, 50)).toEqual({ payMinor: 1, discountMinor: 0 });
    expect(discountedAmount(123450, 5)).toEqual({ payMinor: 117278, discountMinor: 6172 }); // 1172.775 → 1172.78
    expect(discountedAmount(1000, 2.5)).toEqual({ payMinor: 975, discountMinor: 25 });
    expect(() => discountedAmount(1000, 0)).toThrow(RangeError);
    expect(() => discountedAmount(1000, 50.0001)).toThrow(RangeError);
  });
});

describe('the offer a stage before the due date makes (pure)', () => {
  const stage = { id: 'D-3', offsetDays: -3, offer: { discountPercent: 5 } };
  const invoice = invoiceFixture({ dueDate: '2026-12-10', balanceMinor: 123450 });

  it('holds the discounted amount and runs to the end of the due date in the debtor zone', () => {
    const offer = earlyPaymentOffer(stage, invoice, SAO_PAULO, new Date('2026-12-07T12:00:00.000Z'));

    expect(offer).toEqual({
      stageId: 'D-3',
      discountPercent: 5,
      balanceMinor: 123450,
      discountMinor: 6172,
      payMinor: 117278,
      offeredAt: '2026-12-07T12:00:00.000Z',
      payBy: '2026-12-10',
      validUntil: '2026-12-11T03:00:00.000Z', // midnight in São Paulo
    });
  });

  it('is none for a stage without an offer, a stage deferred past the due date, or an invoice on hold or paid', () => {
    const at = new Date('2026-12-07T12:00:00.000Z');

    expect(earlyPaymentOffer({ ...stage, offer: undefined }, invoice, SAO_PAULO, at)).toBeUndefined();
    expect(earlyPaymentOffer(stage, invoice, SAO_PAULO, new Date('2026-12-11T03:00:00.000Z'))).toBeUndefined();
    expect(earlyPaymentOffer(stage, { ...invoice, status: 'PAUSED' }, SAO_PAULO, at)).toBeUndefined();
    expect(earlyPaymentOffer(stage, { ...invoice, status: 'PAID', balanceMinor: 0 }, SAO_PAULO, at)).toBeUndefined();
  });
});

describe('a payment under an early-payment offer (pure lifecycle)', () => {
  const offered = (balanceMinor: number, percent: number): Invoice => {
    const invoice = invoiceFixture({ dueDate: '2026-12-10', balanceMinor });
    const offer = earlyPaymentOffer(
      { id: 'D-3', offsetDays: -3, offer: { discountPercent: percent } },
      invoice,
      SAO_PAULO,
      new Date('2026-12-07T12:00:00.000Z'),
    );
    return { ...invoice, ...(offer ? { earlyPayment: offer } : {}) };
  };
  const BEFORE_END = '2026-12-11T02:59:59.999Z';
  const AFTER_END = '2026-12-11T03:00:00.000Z';

  it('settles the invoice when at least the discounted amount is paid before the offer ends (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1_000_000_000 }),
        percents,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (balance, percent, where) => {
          // Prepare: a payment anywhere from the discounted amount to just under the balance
          const invoice = offered(balance, percent);
          const offer = invoice.earlyPayment;
          fc.pre(offer !== undefined);
          const pay = (offer as EarlyPaymentOffer).payMinor;
          const amountMinor = pay + Math.floor(where * (balance - 1 - pay));

          // Act
          const decision = decide(invoice, { type: 'payment', amountMinor }, BEFORE_END);

          // Assess
          const paid = decision.kind === 'change' ? decision.events[0] : undefined;
          return (
            decision.kind === 'change' &&
            decision.change.status === 'PAID' &&
            decision.change.balanceMinor === 0 &&
            decision.interrupt === 'paid' &&
            paid?.type === 'paid' &&
            paid.detail.discountMinor === balance - amountMinor &&
            Number(paid.detail.discountMinor) <= (offer as EarlyPaymentOffer).discountMinor
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('wants the whole balance once the due date has ended in the debtor zone, and less than the discounted amount is a part (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1_000_000_000 }), percents, (balance, percent) => {
        const invoice = offered(balance, percent);
        const offer = invoice.earlyPayment;
        fc.pre(offer !== undefined);
        const pay = (offer as EarlyPaymentOffer).payMinor;

        const late = decide(invoice, { type: 'payment', amountMinor: pay }, AFTER_END);
        const short = decide(invoice, { type: 'payment', amountMinor: pay - 1 }, BEFORE_END);

        return [late, short].every(
          (d, i) =>
            d.kind === 'change' &&
            d.events[0]?.type === 'partially-paid' &&
            d.change.balanceMinor === balance - (i === 0 ? pay : pay - 1) &&
            d.events[0]?.detail.discountMinor === undefined,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('counts what was paid since the offer: two parts adding up to the discounted amount settle it', () => {
    // Prepare: 1234.50 at 5% → 1172.78 settles; 1000.00 paid first
    const first = decide(offered(123450, 5), { type: 'payment', amountMinor: 100000 }, '2026-12-08T12:00:00.000Z');
    if (first.kind !== 'change') throw new Error('first payment changed nothing');
    const after = { ...offered(123450, 5), balanceMinor: first.change.balanceMinor ?? 0 };

    // Act
    const second = decide(after, { type: 'payment', amountMinor: 17278 }, '2026-12-10T23:00:00.000Z');

    // Assess
    expect(first.events[0]?.type).toBe('partially-paid');
    expect(second).toMatchObject({
      kind: 'change',
      change: { status: 'PAID', balanceMinor: 0 },
      events: [
        { type: 'paid', detail: { amountMinor: 17278, balanceMinor: 0, discountMinor: 6172, discountPercent: 5 } },
      ],
    });
  });

  it("believes the payer's paidAt when it is before the recording (a bank file of the next morning)", () => {
    const invoice = offered(123450, 5);

    const inTime = decide(
      invoice,
      { type: 'payment', amountMinor: 117278, paidAt: '2026-12-10T20:00:00.000Z' },
      '2026-12-11T12:00:00.000Z',
    );
    const future = earnedDiscount(invoice.earlyPayment, 123450, 117278, '2026-12-12T00:00:00.000Z');

    expect(inTime).toMatchObject({ change: { status: 'PAID' }, events: [{ detail: { discountMinor: 6172 } }] });
    expect(future).toBeUndefined();
  });
});

describe('an offer in the billing rule', () => {
  const withStages = (stages: unknown[]) => ({ ...defaultRule, id: 'offers', stages });
  const issuesOf = (rule: unknown) => {
    try {
      parseBillingRule(rule);
      return [];
    } catch (error) {
      return (error as InvalidBillingRule).issues.map((i) => `${i.path}: ${i.issue}`);
    }
  };
  const email = [{ channel: 'email', template: 'reminder' }];

  it('is optional and additive: a stage before the due date may carry { discountPercent }', () => {
    const rule = parseBillingRule(
      withStages([
        { id: 'D-5', offsetDays: -5, at: '09:00', actions: email, offer: { discountPercent: 2.5 } },
        ...defaultRule.stages.slice(1),
      ]),
    );

    expect(rule.stages[0]?.offer).toEqual({ discountPercent: 2.5 });
    expect(rule.stages[1]?.offer).toBeUndefined();
    expect(parseBillingRule(rule)).toEqual(rule); // the workflow passes the parsed rule on and parses it again
  });

  it('is refused on a stage on or after the due date, on a stage that sends no message, and outside (0, 50]', () => {
    expect(
      issuesOf(
        withStages([
          { id: 'D-5', offsetDays: -5, at: '09:00', actions: email, offer: { discountPercent: 0 } },
          { id: 'D-4', offsetDays: -4, at: '09:00', actions: email, offer: { discountPercent: 50.5 } },
          { id: 'D-3', offsetDays: -3, at: '09:00', actions: email, offer: { discountPercent: 1.23456 } },
          {
            id: 'D-2',
            offsetDays: -2,
            at: '09:00',
            actions: [{ channel: 'escalate', to: 'sales' }],
            offer: { discountPercent: 5 },
          },
          { id: 'D0', offsetDays: 0, at: '09:00', actions: email, offer: { discountPercent: 5 } },
          { id: 'D1', offsetDays: 1, at: '09:00', actions: email, offer: { discount: 5 } },
        ]),
      ),
    ).toEqual([
      'stages.0.offer.discountPercent: must be a percentage more than 0 and at most 50 with at most 4 decimal places, got 0',
      'stages.1.offer.discountPercent: must be a percentage more than 0 and at most 50 with at most 4 decimal places, got 50.5',
      'stages.2.offer.discountPercent: must be a percentage more than 0 and at most 50 with at most 4 decimal places, got 1.23456',
      'stages.3.offer: an early-payment offer needs a message to the debtor: add an email or sms action to this stage',
      'stages.4.offer: an early-payment offer is valid until the due date, so only a stage before it (offsetDays < 0) can make one; this stage has offsetDays 0',
      'stages.5.offer.discountPercent: is required: a percentage more than 0 and at most 50, e.g. 5',
      'stages.5.offer: unknown key "discount"; allowed: discountPercent',
    ]);
  });

  it('is refused on a stage whose message uses a template that cannot state it (post-due wording)', () => {
    const overdueWording = [
      { channel: 'email', template: 'reminder' },
      { channel: 'sms', template: 'overdue' },
    ];

    expect(
      issuesOf(
        withStages([
          { id: 'D-5', offsetDays: -5, at: '09:00', actions: overdueWording, offer: { discountPercent: 5 } },
          ...defaultRule.stages.slice(1),
        ]),
      ),
    ).toEqual([
      'stages.0.actions.1.template: a stage with an early-payment offer states it in its messages, and only reminder and due-today can; got "overdue"',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Recording the offer (the send step's call) and paying it, with the AWS SDK mocked

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
let restore: () => void = () => {};

afterEach(() => {
  ddb.reset();
  sfn.reset();
  restore();
  restore = () => {};
});

describe('the send step records the offer of a stage whose message went out', () => {
  const deps = { ...stores(), now: () => new Date('2026-12-07T12:00:00.000Z') };
  const stage = { id: 'D-3', offsetDays: -3, offer: { discountPercent: 5 } };

  function givenInvoice(invoice: Invoice) {
    ddb.on(GetCommand, { Key: keys.invoice(invoice.invoiceId) }).resolves({ Item: invoice });
    ddb.on(PutCommand).resolves({});
  }

  it('writes it on the invoice only while it is contactable with the same balance, and logs early-payment-offered', async () => {
    // Prepare
    givenInvoice(invoiceFixture({ dueDate: '2026-12-10', version: 4 }));
    ddb.on(UpdateCommand).resolves({});

    // Act
    const offer = await offerEarlyPayment({ invoiceId: 'INV-1', stage, timezone: SAO_PAULO }, deps);

    // Assess
    expect(offer).toMatchObject({ payMinor: 117278, discountMinor: 6172, validUntil: '2026-12-11T03:00:00.000Z' });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.invoice('INV-1'),
      UpdateExpression: 'SET earlyPayment = :offer, updatedAt = :at ADD version :one',
      ConditionExpression: '#status IN (:open, :escalated) AND balanceMinor = :balance',
      ExpressionAttributeValues: expect.objectContaining({ ':balance': 123450, ':offer': offer }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: 'INVOICE#INV-1',
        sk: 'EVENT#2026-12-07T12:00:00.000Z#0000000005#early-payment-offered',
        detail: expect.objectContaining({ stageId: 'D-3', discountPercent: 5, payMinor: 117278, payBy: '2026-12-10' }),
      }),
    });
  });

  it('computes it again when a payment slipped in between, and records nothing for an invoice no longer open', async () => {
    givenInvoice(invoiceFixture({ dueDate: '2026-12-10' }));
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }))
      .resolves({});

    const again = await offerEarlyPayment({ invoiceId: 'INV-1', stage, timezone: SAO_PAULO }, deps);
    ddb.reset();
    givenInvoice(invoiceFixture({ status: 'PAID', balanceMinor: 0 }));
    const closed = await offerEarlyPayment({ invoiceId: 'INV-1', stage, timezone: SAO_PAULO }, deps);

    expect(again?.payMinor).toBe(117278);
    expect(closed).toBeUndefined();
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it("records nothing twice: a retried step finds its stage's offer on the invoice", async () => {
    const recorded = earlyPaymentOffer(stage, invoiceFixture({ dueDate: '2026-12-10' }), SAO_PAULO, deps.now());
    givenInvoice(invoiceFixture({ dueDate: '2026-12-10', ...(recorded ? { earlyPayment: recorded } : {}) }));

    const again = await offerEarlyPayment({ invoiceId: 'INV-1', stage, timezone: SAO_PAULO }, deps);

    expect(again).toEqual(recorded);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('never throws (the messages are out): a table failure is logged and no offer is recorded', async () => {
    ddb.on(GetCommand).rejects(new Error('ProvisionedThroughputExceeded'));

    await expect(offerEarlyPayment({ invoiceId: 'INV-1', stage, timezone: SAO_PAULO }, deps)).resolves.toBeUndefined();
  });
});

describe('POST /invoices/{id}/payments under an offer', () => {
  function pay(body: unknown): Promise<{ statusCode: number; body: string }> {
    return recordPayment(
      {
        pathParameters: { id: 'INV-1' },
        body: JSON.stringify(body),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEvent,
      lambdaContext,
    );
  }

  it('settles the invoice with the discounted amount on the due date, answering and recording the discount', async () => {
    // Prepare: 22:00 on the due date in São Paulo
    restore = installClock({ now: () => new Date('2026-12-11T01:00:00.000Z') });
    const offer = earlyPaymentOffer(
      { id: 'D-3', offsetDays: -3, offer: { discountPercent: 5 } },
      invoiceFixture({ dueDate: '2026-12-10' }),
      SAO_PAULO,
      new Date('2026-12-07T12:00:00.000Z'),
    );
    const invoice = invoiceFixture({
      dueDate: '2026-12-10',
      taskToken: 'token-D0',
      ...(offer ? { earlyPayment: offer } : {}),
    });
    ddb.on(GetCommand, { Key: keys.invoice('INV-1') }).resolves({ Item: invoice });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: { ...invoice, status: input.ExpressionAttributeValues[':status'], balanceMinor: 0 },
    }));
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const response = await pay({ amount: '1172.78' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      event: 'paid',
      status: 'PAID',
      balance: { decimal: '0.00' },
      discount: { minor: 6172, currency: 'BRL', decimal: '61.72' },
      resumedWorkflow: true,
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'paid',
        detail: expect.objectContaining({ amountMinor: 117278, discountMinor: 6172, balanceMinor: 0 }),
      }),
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { output: '{"event":"paid"}' });
  });
});
