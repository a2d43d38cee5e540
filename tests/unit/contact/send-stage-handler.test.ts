import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetSuppressedDestinationCommand,
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
import { handler } from '../../../functions/handlers/send-stage';
import type { Invoice } from '../../../functions/invoices/invoice';
import { installClock } from '../../../functions/platform/clock';
import { type BillingRule, parseBillingRule } from '../../../functions/rules/billing-rule';
import { customerFixture, defaultRule, invoiceFixture, keys, lambdaContext } from '../../support/fixtures';
import { providersAcceptEveryMessage } from '../../support/providers';

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
/** The writes of a customer's contact slot (`recentContacts`), not those of its statement secret. */
const slotWrites = (customerPk: string) =>
  ddb
    .commandCalls(UpdateCommand)
    .filter(
      (c) => c.args[0].input.Key?.pk === customerPk && !c.args[0].input.UpdateExpression?.includes('statementSecret'),
    );

// Every test: the providers take each message and nobody opted out, unless a test says otherwise.
beforeEach(() => {
  providersAcceptEveryMessage(ses, sns);
});
afterEach(() => {
  ddb.reset();
  ses.reset();
  sns.reset();
});
afterAll(() => restoreClock());

describe('send step', () => {
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
  const contactUpdates = () => slotWrites(customerKey.pk);

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

describe('one consolidated message for the invoices of a customer due at the same time', () => {
  const customerKey = keys.customer('C-1');
  const now = '2026-12-07T12:00:00.000Z'; // Monday 09:00 in São Paulo: D-3 of invoices due on 2026-12-10
  const conflict = () => new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
  const contactUpdates = () => slotWrites(customerKey.pk);
  const puts = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item ?? {});
  const emails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Content?.Simple?.Body?.Text?.Data);
  /** Each DynamoDB command in order, by kind and the key (or index) it touches. */
  const commands = () =>
    ddb.calls().map((call) => {
      const command = call.args[0] as unknown as {
        constructor: { name: string };
        input: { Key?: { pk?: string }; Item?: { pk?: string }; IndexName?: string };
      };
      const { input } = command;
      return `${command.constructor.name} ${input.Key?.pk ?? input.Item?.pk ?? input.IndexName}`;
    });

  /** Another invoice of C-1, R$ 500,00, whose walk waits for D-3, due now. */
  const companion = (overrides: Partial<Invoice> = {}): Invoice =>
    invoiceFixture({
      invoiceId: 'INV-2',
      amount: { minor: 50_000, currency: 'BRL' },
      balanceMinor: 50_000,
      paymentUrl: 'https://pay.example.com/INV-2',
      currentStage: 'D-3',
      waitUntil: now,
      taskToken: 'token-of-INV-2',
      ...overrides,
    });

  /** The customer's invoices in gsi1 (the running one included), each readable by its key. */
  function givenCustomerInvoices(...invoices: Invoice[]) {
    const indexed = [invoiceFixture(), ...invoices].map((i) => ({
      ...keys.invoice(i.invoiceId),
      gsi1pk: `CUSTOMER#${i.customer.customerId}`,
      gsi1sk: `INVOICE#${i.invoiceId}`,
      itemType: 'invoice',
      ...i,
    }));
    ddb.on(QueryCommand, { IndexName: 'gsi1' }).resolves({ Items: indexed });
    for (const invoice of invoices) {
      ddb
        .on(GetCommand, { Key: keys.invoice(invoice.invoiceId) })
        .resolves({ Item: { ...keys.invoice(invoice.invoiceId), ...invoice } });
    }
  }

  it('sends one email naming both invoices, covers the other one in the slot and records its stage as sent', async () => {
    // Prepare
    at(now);
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 4 }));
    givenCustomerInvoices(companion());

    // Act
    const result = await send('D-3');

    // Assess: one email, the invoice's own reminder plus the other invoice and the total of both
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400,
      until: '2026-12-10T12:00:00.000Z',
      reason: '',
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const text = emails()[0] ?? '';
    expect(text).toContain('a fatura INV-1, no valor de R$\u00a01.234,50, vence em 3 dias (10/12/2026).');
    expect(text).toContain('Você também tem esta outra fatura em aberto:');
    expect(text).toContain(
      '- Fatura INV-2, no valor de R$\u00a0500,00, vence em 3 dias (10/12/2026). Para pagar, acesse: https://pay.example.com/INV-2',
    );
    expect(text).toContain('Saldo total (2 faturas): R$\u00a01.734,50');
    // the slot is taken and names the stage it covers, in the same conditional write
    expect(contactUpdates().map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        ConditionExpression: 'attribute_exists(pk) AND contactsVersion = :version',
        ExpressionAttributeValues: {
          ':contacts': [
            { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] },
          ],
          ':next': 5,
          ':version': 4,
        },
      }),
    ]);
    // the other invoice: its claim already sent with this message's id, and its contact log line
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        ...keys.send('INV-2', 'D-3', 'email'),
        state: 'SENT',
        messageId: 'ses-1',
        consolidatedInto: 'INV-1',
      }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const log = puts().filter((i) => i.itemType === 'contact');
    expect(log).toEqual([
      expect.objectContaining({ invoiceId: 'INV-1', stageId: 'D-3', channel: 'email', outcome: 'sent' }),
      expect.objectContaining({
        pk: 'INVOICE#INV-2',
        gsi1pk: 'CUSTOMER#C-1',
        invoiceId: 'INV-2',
        stageId: 'D-3',
        channel: 'email',
        outcome: 'sent',
        messageId: 'ses-1',
        reason: 'consolidated:INV-1',
      }),
    ]);
    expect(log[0]).toMatchObject({ messageId: 'ses-1', consolidates: ['INV-2'] });
  });

  it("sends nothing for the other invoice's own step: its stage is covered, it goes on to its next stage", async () => {
    // Prepare: INV-1's message covered INV-2's D-3 a moment ago
    at(now);
    const slot = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    givenInvoice(companion(), customerFixture({ recentContacts: [slot], contactsVersion: 5 }));

    // Act
    const result = await handler({ invoiceId: 'INV-2', rule: defaultRule, stageId: 'D-3' }, lambdaContext);

    // Assess: no policy check, no message, no record; only the two reads
    expect(result).toEqual({
      outcome: 'sent',
      stageId: 'D0',
      seconds: 3 * 86_400,
      until: '2026-12-10T12:00:00.000Z',
      reason: 'consolidated',
    });
    expect(commands()).toEqual(['GetCommand INVOICE#INV-2', 'GetCommand CUSTOMER#C-1']);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('finds its stage covered after losing the slot to the other invoice (the same race, either way round)', async () => {
    // Prepare: INV-2 runs; INV-1 (waiting for D-3 too) takes the slot first, covering INV-2
    at(now);
    const other = companion({ invoiceId: 'INV-1', paymentUrl: 'https://pay.example.com/INV-1' });
    givenInvoice(companion(), customerFixture({ contactsVersion: 2 }));
    ddb.on(QueryCommand, { IndexName: 'gsi1' }).resolves({
      Items: [companion(), other].map((i) => ({ ...keys.invoice(i.invoiceId), ...i })),
    });
    const winner = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 2 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [winner], contactsVersion: 3 }) } });
    ddb.on(UpdateCommand, { Key: customerKey }).rejects(conflict());

    // Act
    const result = await handler({ invoiceId: 'INV-2', rule: defaultRule, stageId: 'D-3' }, lambdaContext);

    // Assess: it had tried to cover INV-1 itself; after the conflict it reads INV-1's cover and sends nothing
    expect(contactUpdates()).toHaveLength(1);
    expect(contactUpdates()[0]?.args[0].input.ExpressionAttributeValues?.[':contacts']).toEqual([
      { at: now, invoiceId: 'INV-2', stageId: 'D-3', covers: [{ invoiceId: 'INV-1', stageId: 'D-3' }] },
    ]);
    expect(result).toMatchObject({ outcome: 'sent', stageId: 'D0', reason: 'consolidated' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('does not consolidate an invoice whose stage has a channel this one lacks (D0 email + SMS into a D-3 email)', async () => {
    // Prepare: INV-2 is due today: its D0 (email and SMS) is due now too
    at(now);
    givenInvoice();
    givenCustomerInvoices(companion({ dueDate: '2026-12-07', currentStage: 'D0' }));

    // Act
    const result = await send('D-3');

    // Assess: the email is INV-1's alone, the slot covers nothing, nothing is recorded for INV-2
    expect(result.outcome).toBe('sent');
    expect(emails()[0]).not.toContain('INV-2');
    expect(contactUpdates()[0]?.args[0].input.ExpressionAttributeValues?.[':contacts']).toEqual([
      { at: now, invoiceId: 'INV-1', stageId: 'D-3' },
    ]);
    expect(puts().filter((i) => i.invoiceId === 'INV-2' || String(i.pk).includes('INV-2'))).toEqual([]);
  });

  it('consolidates that invoice when the customer cannot receive its extra channel (no phone: D0 is email only)', async () => {
    // Prepare
    at(now);
    const customer = customerFixture({ phone: undefined });
    givenInvoice(invoiceFixture({ customer }), customer);
    givenCustomerInvoices(companion({ customer, dueDate: '2026-12-07', currentStage: 'D0' }));

    // Act
    await send('D-3');

    // Assess: listed with how far from its due date it is (today)
    expect(emails()[0]).toContain('- Fatura INV-2, no valor de R$\u00a0500,00, vence hoje (07/12/2026).');
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.send('INV-2', 'D0', 'email'), state: 'SENT', messageId: 'ses-1' }),
    });
  });

  it('names the other invoices in the email and the SMS of a two-channel stage, and records both channels', async () => {
    // Prepare: D0 of three invoices due today (Thursday 2026-12-10 09:00 local)
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    givenCustomerInvoices(
      companion({ currentStage: 'D0', waitUntil: '2026-12-10T12:00:00.000Z' }),
      companion({
        invoiceId: 'INV-3',
        balanceMinor: 1_050,
        currentStage: 'D0',
        waitUntil: '2026-12-10T12:00:00.000Z',
        paymentUrl: undefined,
      }),
    );

    // Act
    const result = await send('D0');

    // Assess
    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(emails()[0]).toContain('Você também tem estas 2 outras faturas em aberto:');
    expect(emails()[0]).toContain('- Fatura INV-3, no valor de R$\u00a010,50, vence hoje (10/12/2026).\n');
    expect(emails()[0]).toContain('Saldo total (3 faturas): R$\u00a01.745,00');
    expect(smsText()).toContain('vence hoje (10/12/2026). +2 outras faturas, total R$ 1.745,00. Pague em');
    const records = puts()
      .filter((i) => i.consolidatedInto === 'INV-1')
      .map((i) => `${i.pk} ${i.messageId}`);
    expect(records).toEqual([
      'SEND#INV-2#D0#email ses-1',
      'SEND#INV-3#D0#email ses-1',
      'SEND#INV-2#D0#sms sns-1',
      'SEND#INV-3#D0#sms sns-1',
    ]);
  });

  it('leaves out an invoice paid right before the send, and takes it out of the slot', async () => {
    // Prepare: INV-2 is open in the index, paid when the email is about to go out
    at(now);
    givenInvoice(invoiceFixture(), customerFixture({ contactsVersion: 1 }));
    givenCustomerInvoices(companion());
    ddb
      .on(GetCommand, { Key: keys.invoice('INV-2') })
      .resolves({ Item: { ...keys.invoice('INV-2'), ...companion({ status: 'PAID', balanceMinor: 0 }) } });
    const slot = { at: now, invoiceId: 'INV-1', stageId: 'D-3', covers: [{ invoiceId: 'INV-2', stageId: 'D-3' }] };
    ddb
      .on(GetCommand, { Key: customerKey })
      .resolvesOnce({ Item: { ...customerKey, ...customerFixture({ contactsVersion: 1 }) } })
      .resolves({ Item: { ...customerKey, ...customerFixture({ recentContacts: [slot], contactsVersion: 2 }) } });

    // Act
    await send('D-3');

    // Assess: the email names INV-1 only, and the slot, read again, no longer covers INV-2
    expect(emails()[0]).not.toContain('INV-2');
    expect(contactUpdates().map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':contacts': [slot], ':next': 2, ':version': 1 },
      { ':contacts': [{ at: now, invoiceId: 'INV-1', stageId: 'D-3' }], ':next': 3, ':version': 2 },
    ]);
    expect(puts().filter((i) => String(i.pk).includes('INV-2'))).toEqual([]);
  });

  it("with no other invoice due, makes exactly today's calls plus the one query of the customer's invoices", async () => {
    // Prepare: one invoice paid, one waiting for a stage not yet due
    at(now);
    givenInvoice();
    givenCustomerInvoices(
      companion({ invoiceId: 'INV-8', status: 'PAID', balanceMinor: 0 }),
      companion({ invoiceId: 'INV-9', currentStage: 'D-3', waitUntil: '2026-12-09T12:00:00.000Z' }),
    );

    // Act
    await send('D-3');

    // Assess: the contact slot, then (the customer's first statement link) its statement secret, then the send
    expect(commands()).toEqual([
      'GetCommand INVOICE#INV-1',
      'GetCommand CUSTOMER#C-1',
      'QueryCommand gsi1',
      'UpdateCommand CUSTOMER#C-1',
      'UpdateCommand CUSTOMER#C-1',
      'PutCommand SEND#INV-1#D-3#email',
      'GetCommand INVOICE#INV-1',
      'PutCommand INVOICE#INV-1',
      'UpdateCommand SEND#INV-1#D-3#email',
    ]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :invoice)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#C-1', ':invoice': 'INVOICE#' },
    });
    expect(emails()[0]).not.toMatch(/INV-[89]/);
    expect(puts().find((i) => i.itemType === 'contact')).not.toHaveProperty('consolidates');
  });
});

describe("the messages' early-payment offer and statement link", () => {
  /** The default rule with a 5% early-payment offer on D-3. */
  const withOffer = parseBillingRule({
    ...defaultRule,
    stages: defaultRule.stages.map((s) => (s.id === 'D-3' ? { ...s, offer: { discountPercent: 5 } } : s)),
  });
  const secret = 'c3RhdGVtZW50LXNlY3JldA';
  /** The write that makes the customer's statement secret (the first link ever). */
  const secretWrite = () =>
    ddb.on(UpdateCommand, {
      Key: keys.customer('C-1'),
      UpdateExpression: 'SET statementSecret = if_not_exists(statementSecret, :fresh)',
    });
  const offerWrites = () =>
    ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression?.includes('earlyPayment'));

  it('states the offer in the D-3 email and records it on the invoice once the email went out', async () => {
    // Prepare: Monday 2026-12-07 09:00 in São Paulo, D-3 of R$ 1.234,50 due 2026-12-10
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));

    // Act
    const result = await send('D-3', withOffer);

    // Assess: 1.234,50 less 5% = 1.172,775 → 1.172,78, until the end of the due date in São Paulo
    expect(result.outcome).toBe('sent');
    expect(emailText()).toContain(
      'Para pagamento até 10/12/2026, há um desconto de 5%: o valor a pagar fica em R$\u00a01.172,78.',
    );
    expect(offerWrites().map((c) => c.args[0].input.ExpressionAttributeValues?.[':offer'])).toEqual([
      expect.objectContaining({ stageId: 'D-3', discountPercent: 5, payMinor: 117_278, discountMinor: 6_172 }),
    ]);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ type: 'early-payment-offered', invoiceId: 'INV-1' }),
    });
  });

  it('records no offer when no message went out (every channel opted out), nor states one in a later stage', async () => {
    at('2026-12-07T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret, optOuts: ['email', 'sms'] }));

    const skipped = await send('D-3', withOffer);

    expect(skipped.outcome).toBe('skipped');
    expect(offerWrites()).toEqual([]);

    ddb.reset();
    at('2026-12-10T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));
    await send('D0', withOffer);
    expect(emailText()).not.toMatch(/desconto/);
    expect(offerWrites()).toEqual([]);
  });

  it("links the debtor's statement in the email, and leaves it out of an SMS that carries the payment link", async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice(invoiceFixture(), customerFixture({ statementSecret: secret }));

    await send('D0');

    const link = emailText().match(
      /https:\/\/api\.example\.com\/v1\/statements\/[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}/,
    );
    expect(link?.[0]).toBeDefined();
    expect(emailText()).toContain(`Veja todas as suas faturas em aberto e pague online: ${link?.[0]}`);
    expect(smsText()).toContain('https://pay.example.com/INV-1');
    expect(smsText()).not.toContain('/statements/');
  });

  it("makes the customer's statement secret the first time, before the message is claimed", async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    secretWrite().resolves({ Attributes: { ...keys.customer('C-1'), statementSecret: secret } });

    await send('D0');

    expect(emailText()).toMatch(/\/v1\/statements\/[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}/);
    const order = ddb.calls().map((c) => {
      const input = c.args[0].input as { Key?: { pk?: string }; Item?: { pk?: string }; UpdateExpression?: string };
      return `${c.args[0].constructor.name} ${input.Key?.pk ?? input.Item?.pk ?? ''} ${input.UpdateExpression?.includes('statementSecret') ? 'secret' : ''}`.trim();
    });
    expect(order.indexOf('UpdateCommand CUSTOMER#C-1 secret')).toBeGreaterThan(-1);
    expect(order.indexOf('UpdateCommand CUSTOMER#C-1 secret')).toBeLessThan(
      order.indexOf('PutCommand SEND#INV-1#D0#email'),
    );
  });

  it('sends the messages without the link when the secret cannot be made', async () => {
    at('2026-12-10T12:00:00.000Z');
    givenInvoice();
    secretWrite().rejects(new Error('table unavailable'));

    const result = await send('D0');

    expect(result.outcome).toBe('sent');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(emailText()).not.toContain('/statements/');
  });
});
