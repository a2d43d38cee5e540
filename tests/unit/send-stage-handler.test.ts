import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetSuppressedDestinationCommand,
  NotFoundException,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BillingRule, parseBillingRule } from '../../functions/domain/billing-rule';
import { handler } from '../../functions/handlers/send-stage';
import { installClock } from '../../functions/shared/clock';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext } from '../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
let restoreClock: () => void = () => {};

function at(iso: string) {
  restoreClock();
  restoreClock = installClock({ now: () => new Date(iso) });
}

function givenInvoice(invoice = invoiceFixture(), customer = customerFixture()) {
  ddb
    .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
    .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
  ddb
    .on(GetCommand, { Key: keys.customer(customer.customerId) })
    .resolves({ Item: { ...keys.customer(customer.customerId), ...customer } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
}

const send = (stageId: string, rule: BillingRule = defaultRule) =>
  handler({ invoiceId: 'INV-1', rule, stageId }, lambdaContext);

/** The default rule with SMS only on weekdays 09:00–18:00 (email keeps 08:00–20:00). */
const narrowSms = parseBillingRule({
  ...defaultRule,
  channelHours: { sms: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '18:00']]])) },
});
/** The default rule charging a 2% fine and 1% a month, under the São Paulo preset. */
const withLateFees = parseBillingRule({
  ...defaultRule,
  preset: 'BR-SP',
  lateFee: { finePercent: 2, monthlyInterestPercent: 1 },
});
const emailText = () => ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
const smsText = () => sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';

describe('send step', () => {
  beforeEach(() => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    ses
      .on(GetSuppressedDestinationCommand)
      .rejects(new NotFoundException({ message: 'not suppressed', $metadata: {} }));
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  });
  afterEach(() => {
    ddb.reset();
    ses.reset();
    sns.reset();
  });
  afterAll(() => restoreClock());

  it('sends the D-3 reminder by email in business hours and schedules D0', async () => {
    // Prepare: Monday 2026-12-07 09:00 in São Paulo (UTC-3), three days before the due date
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D-3');

    // Assess
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400,
      until: '2026-12-10T12:00:00.000Z',
      reason: '',
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'cobranca@example.com',
      Destination: { ToAddresses: ['maria@example.com'] },
    });
    const email = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(email?.Content?.Simple?.Body?.Html?.Data).toContain('Exemplo Cobranças Ltda');
    expect(email?.Content?.Simple?.Body?.Text?.Data).toContain('12.345.678/0001-90');
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.send('INV-1', 'D-3', 'email'), state: 'PENDING' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.send('INV-1', 'D-3', 'email'),
      ExpressionAttributeValues: expect.objectContaining({ ':sent': 'SENT', ':id': 'ses-1' }),
    });
  });

  it('sends email and SMS together on D0', async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();

    const result = await send('D0');

    expect(result.outcome).toBe('sent');
    expect(result.stageId).toBe('D+3');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { PhoneNumber: '+5511987650001' });
    const sms = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(sms).toMatch(/SAIR/);
  });

  it('defers a stage that falls at 21:00 local to 08:00 the next business day', async () => {
    // Prepare: 2026-12-08 00:00Z = Monday 21:00 in São Paulo
    at('2026-12-08T00:00:00.000Z');
    givenInvoice();

    const result = await send('D-3');

    expect(result).toEqual({
      outcome: 'deferred',
      stageId: 'D-3',
      seconds: 11 * 3600,
      until: '2026-12-08T11:00:00.000Z',
      reason: 'outside-business-hours',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ itemType: 'contact', outcome: 'deferred', reason: 'outside-business-hours' }),
    });
  });

  it('sends nothing for a paid invoice and reports it paid', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture({ status: 'PAID', balanceMinor: 0 }));

    const result = await send('D-3');

    expect(result.outcome).toBe('paid');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('gives the claim back and throws TransientSendError when SES throttles, so the retry can send', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();
    ses
      .on(SendEmailCommand)
      .rejects(
        new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: { httpStatusCode: 429 } }),
      );

    await expect(send('D-3')).rejects.toMatchObject({ name: 'TransientSendError' });

    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: keys.send('INV-1', 'D-3', 'email') });
  });

  it('does not send again when the channel was already sent for this stage (retried Lambda)', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice();
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (input.Item.pk === keys.send('INV-1', 'D-3', 'email').pk) {
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      }
      return {};
    });
    ddb.on(GetCommand, { Key: keys.send('INV-1', 'D-3', 'email') }).resolves({ Item: { state: 'SENT' } });

    const result = await send('D-3');

    expect(result.outcome).toBe('sent');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('skips a channel without an address, with the reason', async () => {
    at('2026-12-07T12:00:00.000Z');
    const customer = customerFixture({ email: undefined });
    givenInvoice(invoiceFixture({ customer }), customer);

    const result = await send('D-3');

    expect(result.outcome).toBe('skipped');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        itemType: 'contact',
        channel: 'email',
        outcome: 'skipped',
        reason: 'no-contact-address',
      }),
    });
  });

  it("skips an email address on SES's suppression list (it bounced), with the reason, and sends the SMS", async () => {
    // Prepare
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    ses.on(GetSuppressedDestinationCommand).resolves({
      SuppressedDestination: { EmailAddress: 'maria@example.com', Reason: 'BOUNCE', LastUpdateTime: new Date() },
    });

    // Act
    const result = await send('D0');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { PhoneNumber: '+5511987650001' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ stageId: 'D0', channel: 'email', outcome: 'skipped', reason: 'suppressed' }),
    });
  });

  it('gives every email a one-click unsubscribe link (List-Unsubscribe + List-Unsubscribe-Post, RFC 8058)', async () => {
    // Prepare
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ unsubscribeToken: 'k3V9tYqL2wPz8sRfX1cN0bHa' }));

    // Act
    await send('D-3');

    // Assess
    const link = 'https://api.example.com/v1/unsubscribe/Qy0x.k3V9tYqL2wPz8sRfX1cN0bHa';
    const email = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple;
    expect(email?.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: `<${link}>` },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(email?.Body?.Text?.Data).toContain(link);
    expect(email?.Body?.Html?.Data).toContain(`href="${link}"`);
  });

  it('supersedes a stage whose next stage is already due', async () => {
    // D-3 reached only after D0 was due (e.g. a long deferral): D-3 is skipped, D0 waits 1 s.
    at('2026-12-10T13:00:00.000Z');
    givenInvoice();

    const result = await send('D-3');

    expect(result).toMatchObject({ outcome: 'superseded', stageId: 'D0', seconds: 1 });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('defers a stage until every channel it sends is open (SMS narrower than email)', async () => {
    // Prepare: D0, Thursday 2026-12-10 19:00 in São Paulo: email open until 20:00, SMS closed since 18:00
    at('2026-12-10T22:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D0', narrowSms);

    // Assess: Friday 09:00, when the SMS window opens
    expect(result).toEqual({
      outcome: 'deferred',
      stageId: 'D0',
      seconds: 14 * 3600,
      until: '2026-12-11T12:00:00.000Z',
      reason: 'outside-business-hours',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('does not hold a stage back for a channel the debtor cannot receive (no phone: email goes now)', async () => {
    at('2026-12-10T22:00:00.000Z');
    const customer = customerFixture({ phone: undefined });
    givenInvoice(invoiceFixture({ customer }), customer);

    const result = await send('D0', narrowSms);

    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ itemType: 'contact', channel: 'sms', reason: 'no-contact-address' }),
    });
  });

  it("defers a contact on the debtor's own public holiday (Thanksgiving for a debtor in New York)", async () => {
    // Prepare: due 2026-11-26, D0 at 09:00 in New York; the rule is Brazilian
    at('2026-11-26T14:00:00.000Z');
    const customer = customerFixture({ timezone: 'America/New_York', country: 'US', region: 'NY', locale: 'en' });
    givenInvoice(invoiceFixture({ customer, dueDate: '2026-11-26' }), customer);

    // Act
    const result = await send('D0');

    // Assess: Friday 08:00 in New York
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'holiday', until: '2026-11-27T13:00:00.000Z' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('states the late fees and the updated amount in the post-due messages when the rule charges them', async () => {
    // Prepare: D+7, Thursday 2026-12-17 10:00 in São Paulo; R$ 1.234,50 × 2% = 24,69; × 1% × 7/30 = 2,88
    at('2026-12-17T13:00:00.000Z');
    givenInvoice();

    // Act
    const result = await send('D+7', withLateFees);

    // Assess
    expect(result.outcome).toBe('sent');
    expect(emailText()).toMatch(
      /Com a multa por atraso de R\$\s24,69 e juros de R\$\s2,88, o valor atualizado é de R\$\s1\.262,07\./,
    );
    expect(emailText()).toMatch(/Valor atualizado: R\$\s1\.262,07/);
    expect(smsText()).toMatch(/R\$\s1\.262,07 \(saldo 1\.234,50 \+ multa 24,69 \+ juros 2,88\)/);
  });

  it('shows no fees before the due date, nor when the rule charges none', async () => {
    // Prepare
    at('2026-12-07T12:00:00.000Z'); // D-3
    givenInvoice();

    // Act
    await send('D-3', withLateFees);
    at('2026-12-17T13:00:00.000Z'); // D+7
    await send('D+7');

    // Assess
    const emails = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '');
    expect(emails).toHaveLength(2);
    for (const text of emails) expect(text).not.toContain('Valor atualizado');
    expect(smsText()).not.toContain('multa');
  });

  it('escalates to the operators topic on D+30', async () => {
    at('2027-01-11T13:00:00.000Z'); // Monday 10:00 local, D+32 (D+30 fell on a Saturday afternoon? no matter: it is due)
    givenInvoice();

    const result = await send('D+30');

    expect(result).toMatchObject({ outcome: 'sent', stageId: '' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    expect(message).toMatchObject({ kind: 'escalation', to: 'collections', invoiceId: 'INV-1' });
    expect(JSON.stringify(message)).not.toContain('maria@example.com');
  });
});

describe('frequency caps across all of a customer’s invoices', () => {
  const customerKey = keys.customer('C-1');
  const conflict = () => new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
  const contactUpdates = () =>
    ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk === customerKey.pk);

  beforeEach(() => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    ses
      .on(GetSuppressedDestinationCommand)
      .rejects(new NotFoundException({ message: 'not suppressed', $metadata: {} }));
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  });
  afterEach(() => {
    ddb.reset();
    ses.reset();
    sns.reset();
  });

  it('takes the contact slot on the customer, only if nobody changed its contacts since they were read', async () => {
    // Prepare: Monday 09:00 local; an older contact 9 days ago falls out of the 7-day window
    at('2026-12-07T12:00:00.000Z');
    const old = { at: '2026-11-28T12:00:00.000Z', invoiceId: 'INV-0', stageId: 'D0' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [old], contactsVersion: 4 }));

    // Act
    const result = await send('D-3');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(contactUpdates().map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        UpdateExpression: 'SET recentContacts = :contacts, contactsVersion = :next',
        ConditionExpression: 'attribute_exists(pk) AND contactsVersion = :version',
        ExpressionAttributeValues: {
          ':contacts': [{ at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D-3' }],
          ':next': 5,
          ':version': 4,
        },
      }),
    ]);
  });

  it('defers a stage that comes too soon after a contact made for another invoice of the customer', async () => {
    // Prepare: another invoice reached the customer 2 hours ago (minHoursBetween is 20)
    at('2026-12-07T12:00:00.000Z');
    const recent = { at: '2026-12-07T10:00:00.000Z', invoiceId: 'INV-2', stageId: 'D0' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [recent], contactsVersion: 1 }));

    // Act
    const result = await send('D-3');

    // Assess
    expect(result).toMatchObject({ outcome: 'deferred', stageId: 'D-3', reason: 'min-gap' });
    // 20 h after the contact is 03:00 local: the first instant allowed is 08:00 local
    expect(result.until).toBe('2026-12-08T11:00:00.000Z');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(contactUpdates()).toHaveLength(0);
  });

  it('loses the race to an invoice of the same customer due at the same instant: reads again and defers', async () => {
    // Prepare: the slot write finds the contacts changed; read again, they hold the other invoice's contact now
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 2 }));
    const winner = { at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-2', stageId: 'D0' };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 2 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [winner], contactsVersion: 3 }) } });
    ddb.on(UpdateCommand, { Key: customerKey }).rejects(conflict());

    // Act
    const result = await send('D-3');

    // Assess: one attempt to take the slot, then the policy sees the winner's contact
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'min-gap' });
    expect(contactUpdates()).toHaveLength(1);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('moves the slot it already holds to now when the step runs again, and takes no second one', async () => {
    // Prepare: a first attempt took the slot, then crashed
    at('2026-12-07T12:00:30.000Z');
    const own = { at: '2026-12-07T12:00:00.000Z', invoiceId: 'INV-1', stageId: 'D-3' };
    givenInvoice(invoiceFixture(), customerFixture({ recentContacts: [own], contactsVersion: 7 }));

    // Act
    const result = await send('D-3');

    // Assess: one contact for the stage, at the instant its message goes out
    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':contacts': [{ ...own, at: '2026-12-07T12:00:30.000Z' }], ':next': 8, ':version': 7 },
    ]);
  });

  it('gives the slot back when the stage reached nobody, so it does not count as a contact', async () => {
    // Prepare: D+3 is an SMS and the debtor's number is on the SNS opt-out list
    at('2026-12-14T13:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 1 }));
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 1 }) } })
      .resolves({
        Item: {
          ...customerKey,
          ...customerFixture({
            recentContacts: [{ at: '2026-12-14T13:00:00.000Z', invoiceId: 'INV-1', stageId: 'D+3' }],
            contactsVersion: 2,
          }),
        },
      });

    // Act
    const result = await send('D+3');

    // Assess: taken (version 1 → 2), then given back (version 2 → 3, empty list)
    expect(result.outcome).toBe('skipped');
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      {
        ':contacts': [{ at: '2026-12-14T13:00:00.000Z', invoiceId: 'INV-1', stageId: 'D+3' }],
        ':next': 2,
        ':version': 1,
      },
      { ':contacts': [], ':next': 3, ':version': 2 },
    ]);
  });
});
